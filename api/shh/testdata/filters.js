// Filters, subscriptions and the checks of shh_post, over a fake router
// (minimum PoW 0.002). Filter IDs come from a seeded random source.

--> {"jsonrpc":"2.0","id":1,"method":"shh_addSymKey","params":["0x2222222222222222222222222222222222222222222222222222222222222222"]}
<-- {"jsonrpc":"2.0","id":1,"result":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649"}
--> {"jsonrpc":"2.0","id":2,"method":"shh_addPrivateKey","params":["0x1111111111111111111111111111111111111111111111111111111111111111"]}
<-- {"jsonrpc":"2.0","id":2,"result":"1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"}
--> {"jsonrpc":"2.0","id":3,"method":"shh_newMessageFilter","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topics":["0xcd423760","0x01"],"minPow":0.2,"sig":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","allowP2P":true}]}
<-- {"jsonrpc":"2.0","id":3,"result":"2f8282cbe2f9696f3144c0aa4ced56dbd967dc2897806af3bed8a63aca16e18b"}
--> {"jsonrpc":"2.0","id":4,"method":"shh_newMessageFilter","params":[{"privateKeyID":"1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929"}]}
<-- {"jsonrpc":"2.0","id":4,"result":"686ba0dc208cfece65bd70a23da0026b66108fbad0844363fe09dd6a773e21b8"}
--> {"jsonrpc":"2.0","id":5,"method":"shh_getFilterMessages","params":["2f8282cbe2f9696f3144c0aa4ced56dbd967dc2897806af3bed8a63aca16e18b"]}
<-- {"jsonrpc":"2.0","id":5,"result":[]}
--> {"jsonrpc":"2.0","id":6,"method":"shh_deleteMessageFilter","params":["2f8282cbe2f9696f3144c0aa4ced56dbd967dc2897806af3bed8a63aca16e18b"]}
<-- {"jsonrpc":"2.0","id":6,"result":true}
--> {"jsonrpc":"2.0","id":7,"method":"shh_deleteMessageFilter","params":["2f8282cbe2f9696f3144c0aa4ced56dbd967dc2897806af3bed8a63aca16e18b"]}
<-- {"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"invalid params: id: whisper: filter not found: 2f8282cbe2f9696f3144c0aa4ced56dbd967dc2897806af3bed8a63aca16e18b"}}
--> {"jsonrpc":"2.0","id":8,"method":"shh_getFilterMessages","params":["2f8282cbe2f9696f3144c0aa4ced56dbd967dc2897806af3bed8a63aca16e18b"]}
<-- {"jsonrpc":"2.0","id":8,"error":{"code":-32602,"message":"invalid params: id: whisper: filter not found: 2f8282cbe2f9696f3144c0aa4ced56dbd967dc2897806af3bed8a63aca16e18b"}}

// Bad criteria name the field.
--> {"jsonrpc":"2.0","id":10,"method":"shh_newMessageFilter","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topics":["0x0102030405"]}]}
<-- {"jsonrpc":"2.0","id":10,"error":{"code":-32602,"message":"invalid argument 0: topics[0]: whisper: invalid topic: 5 bytes, want 1 to 4"}}
--> {"jsonrpc":"2.0","id":11,"method":"shh_newMessageFilter","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649"}]}
<-- {"jsonrpc":"2.0","id":11,"error":{"code":-32602,"message":"invalid params: topics: at least one topic is required with symKeyID"}}
--> {"jsonrpc":"2.0","id":12,"method":"shh_newMessageFilter","params":[{"symKeyID":"nope","topics":["0x01"]}]}
<-- {"jsonrpc":"2.0","id":12,"error":{"code":-32602,"message":"invalid params: symKeyID: whisper: key not found: symmetric key nope"}}
--> {"jsonrpc":"2.0","id":13,"method":"shh_newMessageFilter","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","privateKeyID":"1b01955c153ac64500b7f7b5fb5fb986d088a98b38e003982ec970fd74b54929","topics":["0x01"]}]}
<-- {"jsonrpc":"2.0","id":13,"error":{"code":-32602,"message":"invalid params: symKeyID: give either symKeyID or privateKeyID, not both"}}
--> {"jsonrpc":"2.0","id":14,"method":"shh_newMessageFilter","params":[{}]}
<-- {"jsonrpc":"2.0","id":14,"error":{"code":-32602,"message":"invalid params: symKeyID: one of symKeyID and privateKeyID is required"}}
--> {"jsonrpc":"2.0","id":15,"method":"shh_newMessageFilter","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topics":["0x01"],"sig":"0x1234"}]}
<-- {"jsonrpc":"2.0","id":15,"error":{"code":-32602,"message":"invalid params: sig: whisper: invalid public key: invalid secp256k1 public key"}}
--> {"jsonrpc":"2.0","id":16,"method":"shh_newMessageFilter","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topics":["0x01"],"minPow":"high"}]}
<-- {"jsonrpc":"2.0","id":16,"error":{"code":-32602,"message":"invalid argument 0: minPow: bad value \"high\""}}
--> {"jsonrpc":"2.0","id":17,"method":"shh_newMessageFilter","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topics":["0x01"],"minPow":-1}]}
<-- {"jsonrpc":"2.0","id":17,"error":{"code":-32602,"message":"invalid params: minPow: whisper: invalid PoW value: -1"}}
--> {"jsonrpc":"2.0","id":18,"method":"shh_newMessageFilter","params":[{"privateKeyID":"missing"}]}
<-- {"jsonrpc":"2.0","id":18,"error":{"code":-32602,"message":"invalid params: privateKeyID: whisper: key not found: key pair 22a9abc8bbb5fed3a1e08997c0b6bb3ca5e71c409acc075db1c4179357e71534"}}
--> {"jsonrpc":"2.0","id":19,"method":"shh_newMessageFilter","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topics":["zz"]}]}
<-- {"jsonrpc":"2.0","id":19,"error":{"code":-32602,"message":"invalid argument 0: topics[0]: whisper: invalid topic: hex string without 0x prefix"}}
--> {"jsonrpc":"2.0","id":20,"method":"shh_newMessageFilter","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topics":["0x01"],"sig":"zz"}]}
<-- {"jsonrpc":"2.0","id":20,"error":{"code":-32602,"message":"invalid argument 0: sig: hex string without 0x prefix"}}
--> {"jsonrpc":"2.0","id":21,"method":"shh_newMessageFilter","params":[[1,2]]}
<-- {"jsonrpc":"2.0","id":21,"error":{"code":-32602,"message":"invalid argument 0: expected an object: json: cannot unmarshal array into Go value of type shh.fields"}}

// Subscriptions: HTTP-style calls without a notifier are refused by the
// rpc package; over this connection they work.
--> {"jsonrpc":"2.0","id":30,"method":"shh_subscribe","params":["messages",{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topics":["0xcd423760"]}]}
<-- {"jsonrpc":"2.0","id":30,"result":"$SUB1"}
--> {"jsonrpc":"2.0","id":31,"method":"shh_subscribe","params":["messages",{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649"}]}
<-- {"jsonrpc":"2.0","id":31,"error":{"code":-32602,"message":"invalid params: topics: at least one topic is required with symKeyID"}}
--> {"jsonrpc":"2.0","id":32,"method":"shh_unsubscribe","params":["$SUB1"]}
<-- {"jsonrpc":"2.0","id":32,"result":true}

// shh_post checks its request before sealing.
--> {"jsonrpc":"2.0","id":40,"method":"shh_post","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","payload":"0x01","powTarget":1}]}
<-- {"jsonrpc":"2.0","id":40,"error":{"code":-32602,"message":"invalid params: topic: a topic is required with symKeyID"}}
--> {"jsonrpc":"2.0","id":41,"method":"shh_post","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topic":"0x01020304","payload":"zz","powTarget":1}]}
<-- {"jsonrpc":"2.0","id":41,"error":{"code":-32602,"message":"invalid argument 0: payload: hex string without 0x prefix"}}
--> {"jsonrpc":"2.0","id":42,"method":"shh_post","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topic":"0x01020304","powTarget":0}]}
<-- {"jsonrpc":"2.0","id":42,"error":{"code":-32602,"message":"invalid params: powTarget: whisper: envelope PoW too low: message rejected, PoW too low (0 \u003c 0.002)"}}
--> {"jsonrpc":"2.0","id":43,"method":"shh_post","params":[{"pubKey":"0x04","topic":"0x01020304"}]}
<-- {"jsonrpc":"2.0","id":43,"error":{"code":-32602,"message":"invalid params: pubKey: whisper: invalid public key: invalid secp256k1 public key"}}
--> {"jsonrpc":"2.0","id":44,"method":"shh_post","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","pubKey":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","topic":"0x01020304"}]}
<-- {"jsonrpc":"2.0","id":44,"error":{"code":-32602,"message":"invalid params: symKeyID: give either symKeyID or pubKey, not both"}}
--> {"jsonrpc":"2.0","id":45,"method":"shh_post","params":[{"topic":"0x01020304"}]}
<-- {"jsonrpc":"2.0","id":45,"error":{"code":-32602,"message":"invalid params: symKeyID: one of symKeyID and pubKey is required"}}
--> {"jsonrpc":"2.0","id":46,"method":"shh_post","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topic":"0x01020304","powTarget":-1}]}
<-- {"jsonrpc":"2.0","id":46,"error":{"code":-32602,"message":"invalid params: powTime: required with a negative powTarget"}}
--> {"jsonrpc":"2.0","id":47,"method":"shh_post","params":[{"symKeyID":"missing","topic":"0x01020304","powTarget":1}]}
<-- {"jsonrpc":"2.0","id":47,"error":{"code":-32602,"message":"invalid params: symKeyID: whisper: key not found: symmetric key missing"}}
--> {"jsonrpc":"2.0","id":48,"method":"shh_post","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topic":"0x01020304","powTarget":1,"sig":"missing"}]}
<-- {"jsonrpc":"2.0","id":48,"error":{"code":-32602,"message":"invalid params: sig: whisper: key not found: key pair 22a9abc8bbb5fed3a1e08997c0b6bb3ca5e71c409acc075db1c4179357e71534"}}
--> {"jsonrpc":"2.0","id":49,"method":"shh_post","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topic":"0x0102030405","powTarget":1}]}
<-- {"jsonrpc":"2.0","id":49,"error":{"code":-32602,"message":"invalid argument 0: topic: whisper: invalid topic: 5 bytes, want 1 to 4"}}
--> {"jsonrpc":"2.0","id":50,"method":"shh_post","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topic":"0x01020304","targetPeer":"enode://bad"}]}
<-- {"jsonrpc":"2.0","id":50,"error":{"code":-32602,"message":"invalid params: targetPeer: invalid public key (encoding/hex: odd length hex string)"}}
--> {"jsonrpc":"2.0","id":51,"method":"shh_post","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topic":"0x01020304","ttl":"x"}]}
<-- {"jsonrpc":"2.0","id":51,"error":{"code":-32602,"message":"invalid argument 0: ttl: bad value \"x\""}}
--> {"jsonrpc":"2.0","id":52,"method":"shh_post","params":[{"symKeyID":"52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649","topic":"0x01020304","payload":"0x"}]}
<-- {"jsonrpc":"2.0","id":52,"error":{"code":-32602,"message":"invalid params: powTarget: whisper: envelope PoW too low: message rejected, PoW too low (0 \u003c 0.002)"}}
--> {"jsonrpc":"2.0","id":53,"method":"shh_post","params":["x"]}
<-- {"jsonrpc":"2.0","id":53,"error":{"code":-32602,"message":"invalid argument 0: expected an object: json: cannot unmarshal string into Go value of type shh.fields"}}
