// Node settings over a fake router (minimum PoW 0.002, one connected peer).

--> {"jsonrpc":"2.0","id":1,"method":"shh_version","params":[]}
<-- {"jsonrpc":"2.0","id":1,"result":"6.0"}
--> {"jsonrpc":"2.0","id":2,"method":"shh_info","params":[]}
<-- {"jsonrpc":"2.0","id":2,"result":{"memory":0,"messages":0,"minPow":0.002,"maxMessageSize":1048576}}
--> {"jsonrpc":"2.0","id":3,"method":"shh_setMaxMessageSize","params":[2048]}
<-- {"jsonrpc":"2.0","id":3,"result":true}
--> {"jsonrpc":"2.0","id":4,"method":"shh_setMaxMessageSize","params":[20971520]}
<-- {"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"invalid params: size: whisper: invalid setting: max message size 20971520"}}
--> {"jsonrpc":"2.0","id":5,"method":"shh_setMaxMessageSize","params":[-1]}
<-- {"jsonrpc":"2.0","id":5,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal number -1 into Go value of type uint32"}}
--> {"jsonrpc":"2.0","id":6,"method":"shh_setMinPoW","params":[0.5]}
<-- {"jsonrpc":"2.0","id":6,"result":true}
--> {"jsonrpc":"2.0","id":7,"method":"shh_setMinPoW","params":[-1]}
<-- {"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"invalid params: pow: whisper: invalid setting: PoW -1"}}
--> {"jsonrpc":"2.0","id":8,"method":"shh_info","params":[]}
<-- {"jsonrpc":"2.0","id":8,"result":{"memory":0,"messages":0,"minPow":0.5,"maxMessageSize":2048}}
--> {"jsonrpc":"2.0","id":9,"method":"shh_setBloomFilter","params":["0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"]}
<-- {"jsonrpc":"2.0","id":9,"result":true}
--> {"jsonrpc":"2.0","id":10,"method":"shh_setBloomFilter","params":["0x00"]}
<-- {"jsonrpc":"2.0","id":10,"error":{"code":-32602,"message":"invalid params: bloom: whisper: invalid bloom filter: 1 bytes, want 64"}}
--> {"jsonrpc":"2.0","id":11,"method":"shh_setBloomFilter","params":["zz"]}
<-- {"jsonrpc":"2.0","id":11,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal hex string without 0x prefix into Go value of type hexutil.Bytes"}}
--> {"jsonrpc":"2.0","id":12,"method":"shh_markTrustedPeer","params":["enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304"]}
<-- {"jsonrpc":"2.0","id":12,"result":true}
--> {"jsonrpc":"2.0","id":13,"method":"shh_markTrustedPeer","params":["enode://6f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0@127.0.0.1:30305"]}
<-- {"jsonrpc":"2.0","id":13,"error":{"code":-32602,"message":"invalid params: enode: whisper: peer not found: 63e8bec8b93105cf"}}
--> {"jsonrpc":"2.0","id":14,"method":"shh_markTrustedPeer","params":["enode://bad"]}
<-- {"jsonrpc":"2.0","id":14,"error":{"code":-32602,"message":"invalid params: enode: invalid public key (encoding/hex: odd length hex string)"}}
--> {"jsonrpc":"2.0","id":15,"method":"shh_makeLightClient","params":[]}
<-- {"jsonrpc":"2.0","id":15,"result":true}
--> {"jsonrpc":"2.0","id":16,"method":"shh_cancelLightClient","params":[]}
<-- {"jsonrpc":"2.0","id":16,"result":true}
