// Key pairs and symmetric keys. IDs are deterministic: key-pair IDs by
// construction (§5.9), symmetric-key IDs because the fake key store reads
// a seeded random source.

--> {"jsonrpc":"2.0","id":1,"method":"shh_addPrivateKey","params":["0x1111111111111111111111111111111111111111111111111111111111111111"]}
<-- {"jsonrpc":"2.0","id":1,"result":"1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"}
--> {"jsonrpc":"2.0","id":2,"method":"shh_newSymKey","params":[]}
<-- {"jsonrpc":"2.0","id":2,"result":"81855ad8681d0d86d1e91e00167939cb6694d2c422acd208a0072939487f6999"}
--> {"jsonrpc":"2.0","id":3,"method":"shh_generateSymKeyFromPassword","params":["status"]}
<-- {"jsonrpc":"2.0","id":3,"result":"eb9d18a44784045d87f3c67cf22746e995af5a25367951baa2ff6cd471c483f1"}
--> {"jsonrpc":"2.0","id":4,"method":"shh_addSymKey","params":["0x2222222222222222222222222222222222222222222222222222222222222222"]}
<-- {"jsonrpc":"2.0","id":4,"result":"5fb90badb37c5821b6d95526a41a9504680b4e7c8b763a1b1d49d4955c848621"}

--> {"jsonrpc":"2.0","id":5,"method":"shh_hasKeyPair","params":["1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"]}
<-- {"jsonrpc":"2.0","id":5,"result":true}
--> {"jsonrpc":"2.0","id":6,"method":"shh_getPublicKey","params":["1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"]}
<-- {"jsonrpc":"2.0","id":6,"result":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1"}
--> {"jsonrpc":"2.0","id":7,"method":"shh_getPrivateKey","params":["1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"]}
<-- {"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"shh: shh_getPrivateKey is disabled (enable with --shh.getprivatekey)"}}
--> {"jsonrpc":"2.0","id":8,"method":"shh_deleteKeyPair","params":["1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"]}
<-- {"jsonrpc":"2.0","id":8,"result":true}
--> {"jsonrpc":"2.0","id":9,"method":"shh_deleteKeyPair","params":["1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"]}
<-- {"jsonrpc":"2.0","id":9,"error":{"code":-32602,"message":"invalid params: id: whisper: key not found: key pair 1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929 not found"}}
--> {"jsonrpc":"2.0","id":10,"method":"shh_hasKeyPair","params":["1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"]}
<-- {"jsonrpc":"2.0","id":10,"result":false}
--> {"jsonrpc":"2.0","id":11,"method":"shh_getPublicKey","params":["1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"]}
<-- {"jsonrpc":"2.0","id":11,"error":{"code":-32602,"message":"invalid params: id: whisper: key not found: key pair 1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"}}
--> {"jsonrpc":"2.0","id":12,"method":"shh_addPrivateKey","params":["0x00"]}
<-- {"jsonrpc":"2.0","id":12,"error":{"code":-32602,"message":"invalid params: privateKey: whisper: invalid private key: invalid length, need 256 bits"}}
--> {"jsonrpc":"2.0","id":13,"method":"shh_addPrivateKey","params":["zz"]}
<-- {"jsonrpc":"2.0","id":13,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal hex string without 0x prefix into Go value of type hexutil.Bytes"}}

--> {"jsonrpc":"2.0","id":14,"method":"shh_hasSymKey","params":["81855ad8681d0d86d1e91e00167939cb6694d2c422acd208a0072939487f6999"]}
<-- {"jsonrpc":"2.0","id":14,"result":true}
--> {"jsonrpc":"2.0","id":15,"method":"shh_getSymKey","params":["5fb90badb37c5821b6d95526a41a9504680b4e7c8b763a1b1d49d4955c848621"]}
<-- {"jsonrpc":"2.0","id":15,"result":"0x2222222222222222222222222222222222222222222222222222222222222222"}
--> {"jsonrpc":"2.0","id":16,"method":"shh_deleteSymKey","params":["81855ad8681d0d86d1e91e00167939cb6694d2c422acd208a0072939487f6999"]}
<-- {"jsonrpc":"2.0","id":16,"result":true}
--> {"jsonrpc":"2.0","id":17,"method":"shh_deleteSymKey","params":["81855ad8681d0d86d1e91e00167939cb6694d2c422acd208a0072939487f6999"]}
<-- {"jsonrpc":"2.0","id":17,"result":false}
--> {"jsonrpc":"2.0","id":18,"method":"shh_hasSymKey","params":["81855ad8681d0d86d1e91e00167939cb6694d2c422acd208a0072939487f6999"]}
<-- {"jsonrpc":"2.0","id":18,"result":false}
--> {"jsonrpc":"2.0","id":19,"method":"shh_getSymKey","params":["81855ad8681d0d86d1e91e00167939cb6694d2c422acd208a0072939487f6999"]}
<-- {"jsonrpc":"2.0","id":19,"error":{"code":-32602,"message":"invalid params: id: whisper: key not found: symmetric key 81855ad8681d0d86d1e91e00167939cb6694d2c422acd208a0072939487f6999"}}
--> {"jsonrpc":"2.0","id":20,"method":"shh_addSymKey","params":["0x0102"]}
<-- {"jsonrpc":"2.0","id":20,"error":{"code":-32602,"message":"invalid params: key: whisper: invalid symmetric key: 2 bytes, want 32"}}
--> {"jsonrpc":"2.0","id":21,"method":"shh_hasSymKey","params":["eb9d18a44784045d87f3c67cf22746e995af5a25367951baa2ff6cd471c483f1"]}
<-- {"jsonrpc":"2.0","id":21,"result":true}
