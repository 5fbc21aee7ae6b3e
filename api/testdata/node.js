// web3_, net_ and admin_ over a fake P2P server with two peers.

--> {"jsonrpc":"2.0","id":1,"method":"web3_clientVersion","params":[]}
<-- {"jsonrpc":"2.0","id":1,"result":"statusd/v0.1.0-test/linux-amd64/go1.26.0"}
--> {"jsonrpc":"2.0","id":2,"method":"net_version","params":[]}
<-- {"jsonrpc":"2.0","id":2,"result":"1"}
--> {"jsonrpc":"2.0","id":3,"method":"net_listening","params":[]}
<-- {"jsonrpc":"2.0","id":3,"result":true}
--> {"jsonrpc":"2.0","id":4,"method":"net_peerCount","params":[]}
<-- {"jsonrpc":"2.0","id":4,"result":"0x2"}
--> {"jsonrpc":"2.0","id":5,"method":"admin_nodeInfo","params":[]}
<-- {"jsonrpc":"2.0","id":5,"result":{"id":"abcd","name":"statusd-test","enode":"","enr":"","ip":"","ports":{"discovery":0,"listener":0},"listenAddr":"127.0.0.1:30303","protocols":null}}
--> {"jsonrpc":"2.0","id":6,"method":"admin_peers","params":[]}
<-- {"jsonrpc":"2.0","id":6,"result":[{"enode":"","id":"p1","name":"peer-one","caps":null,"network":{"localAddress":"","remoteAddress":"","inbound":false,"trusted":false,"static":false},"protocols":null},{"enode":"","id":"p2","name":"peer-two","caps":null,"network":{"localAddress":"","remoteAddress":"","inbound":false,"trusted":false,"static":false},"protocols":null}]}

// Peer management answers true for any well-formed URL.
--> {"jsonrpc":"2.0","id":7,"method":"admin_addPeer","params":["enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304"]}
<-- {"jsonrpc":"2.0","id":7,"result":true}
--> {"jsonrpc":"2.0","id":8,"method":"admin_removePeer","params":["enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304"]}
<-- {"jsonrpc":"2.0","id":8,"result":true}
--> {"jsonrpc":"2.0","id":9,"method":"admin_addTrustedPeer","params":["enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304"]}
<-- {"jsonrpc":"2.0","id":9,"result":true}

// A malformed URL is -32602 "invalid params: invalid enode: …".
--> {"jsonrpc":"2.0","id":10,"method":"admin_addPeer","params":["enode://bad"]}
<-- {"jsonrpc":"2.0","id":10,"error":{"code":-32602,"message":"invalid params: invalid enode: invalid public key (encoding/hex: odd length hex string)"}}
--> {"jsonrpc":"2.0","id":11,"method":"admin_removePeer","params":["nope"]}
<-- {"jsonrpc":"2.0","id":11,"error":{"code":-32602,"message":"invalid params: invalid enode: missing 'enr:' prefix for base64-encoded record"}}
--> {"jsonrpc":"2.0","id":12,"method":"admin_addTrustedPeer","params":[""]}
<-- {"jsonrpc":"2.0","id":12,"error":{"code":-32602,"message":"invalid params: invalid enode: missing 'enr:' prefix for base64-encoded record"}}

// Errors of go-ethereum's rpc itself.
--> {"jsonrpc":"2.0","id":13,"method":"admin_addPeer","params":[]}
<-- {"jsonrpc":"2.0","id":13,"error":{"code":-32602,"message":"missing value for required argument 0"}}
--> {"jsonrpc":"2.0","id":14,"method":"admin_nope","params":[]}
<-- {"jsonrpc":"2.0","id":14,"error":{"code":-32601,"message":"the method admin_nope does not exist/is not available"}}
--> {"jsonrpc":"2.0","id":15,"method":"net_version","params":[1]}
<-- {"jsonrpc":"2.0","id":15,"error":{"code":-32602,"message":"too many arguments, want at most 0"}}
