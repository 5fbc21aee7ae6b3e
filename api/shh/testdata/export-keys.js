// With --shh.getprivatekey, shh_getPrivateKey answers the key.

--> {"jsonrpc":"2.0","id":1,"method":"shh_addPrivateKey","params":["0x1111111111111111111111111111111111111111111111111111111111111111"]}
<-- {"jsonrpc":"2.0","id":1,"result":"1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"}
--> {"jsonrpc":"2.0","id":2,"method":"shh_getPrivateKey","params":["1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"]}
<-- {"jsonrpc":"2.0","id":2,"result":"0x1111111111111111111111111111111111111111111111111111111111111111"}
--> {"jsonrpc":"2.0","id":3,"method":"shh_getPrivateKey","params":["missing"]}
<-- {"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"invalid params: id: whisper: key not found: key pair 22a9abc8bbb5fed3a1e08997c0b6bb3ca5e71c409acc075db1c4179357e71534"}}
