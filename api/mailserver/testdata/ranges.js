// Topic bookkeeping over a fake client. The clock reads 1700086400; topic
// 0xcd423760 is covered over [1699990000, 1699995000] and
// [1700000000, 1700050000].

--> {"jsonrpc":"2.0","id":1,"method":"mailserver_mailservers","params":[]}
<-- {"jsonrpc":"2.0","id":1,"result":["enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","enode://6f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0@127.0.0.1:30305"]}
--> {"jsonrpc":"2.0","id":2,"method":"mailserver_coveredRanges","params":[["0xcd423760","0x01020304"]]}
<-- {"jsonrpc":"2.0","id":2,"result":[{"topic":"0xcd423760","ranges":[{"from":1699990000,"to":1699995000},{"from":1700000000,"to":1700050000}]},{"topic":"0x01020304","ranges":[]}]}
--> {"jsonrpc":"2.0","id":3,"method":"mailserver_coveredRanges","params":[[]]}
<-- {"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"invalid params: topics: at least one topic is required"}}
--> {"jsonrpc":"2.0","id":4,"method":"mailserver_coveredRanges","params":[["0xcd4237"]]}
<-- {"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"invalid params: topics[0]: \"0xcd4237\" is not a 4-byte hex topic: 3 bytes, want 4"}}
--> {"jsonrpc":"2.0","id":5,"method":"mailserver_coveredRanges","params":[["cd423760","0Xcd423760","zz"]]}
<-- {"jsonrpc":"2.0","id":5,"error":{"code":-32602,"message":"invalid params: topics[2]: \"zz\" is not a 4-byte hex topic: encoding/hex: invalid byte: U+007A 'z'"}}

// Gaps: to defaults to now, from to 24 h before to.
--> {"jsonrpc":"2.0","id":10,"method":"mailserver_gaps","params":[["0xcd423760"]]}
<-- {"jsonrpc":"2.0","id":10,"result":[{"topic":"0xcd423760","ranges":[{"from":1700050001,"to":1700086400}]}]}
--> {"jsonrpc":"2.0","id":11,"method":"mailserver_gaps","params":[["0xcd423760"],1699990000,1700010000]}
<-- {"jsonrpc":"2.0","id":11,"result":[{"topic":"0xcd423760","ranges":[{"from":1699995001,"to":1699999999}]}]}
--> {"jsonrpc":"2.0","id":12,"method":"mailserver_gaps","params":[["0x01020304"],null,1700000000]}
<-- {"jsonrpc":"2.0","id":12,"result":[{"topic":"0x01020304","ranges":[{"from":1699913600,"to":1700000000}]}]}
--> {"jsonrpc":"2.0","id":13,"method":"mailserver_gaps","params":[["0x01020304"],1700000000,1600000000]}
<-- {"jsonrpc":"2.0","id":13,"error":{"code":-32602,"message":"invalid params: from: 1700000000 is after to (1600000000)"}}
--> {"jsonrpc":"2.0","id":14,"method":"mailserver_gaps","params":[null]}
<-- {"jsonrpc":"2.0","id":14,"error":{"code":-32602,"message":"missing value for required argument 0"}}

// fillGaps answers the gaps it requested; without mailServerPeer it tries
// the configured mailservers in order.
--> {"jsonrpc":"2.0","id":20,"method":"mailserver_fillGaps","params":[{"topics":["0xcd423760"],"from":1699990000,"to":1700010000}]}
<-- {"jsonrpc":"2.0","id":20,"result":[{"topic":"0xcd423760","ranges":[{"from":1699995001,"to":1699999999}]}]}
--> {"jsonrpc":"2.0","id":21,"method":"mailserver_fillGaps","params":[{"mailServerPeer":"enode://4f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1@127.0.0.1:30306","topics":["0x01020304"]}]}
<-- {"jsonrpc":"2.0","id":21,"result":[{"topic":"0x01020304","ranges":[{"from":1700000000,"to":1700086400}]}]}
!! ms1 fill times out
--> {"jsonrpc":"2.0","id":22,"method":"mailserver_fillGaps","params":[{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","topics":["0x01020304"]}]}
<-- {"jsonrpc":"2.0","id":22,"error":{"code":-32002,"message":"mailserver: request timed out: gap"}}
--> {"jsonrpc":"2.0","id":23,"method":"mailserver_fillGaps","params":[{"topics":["0x01020304"]}]}
<-- {"jsonrpc":"2.0","id":23,"result":[{"topic":"0x01020304","ranges":[{"from":1700000000,"to":1700086400}]}]}
--> {"jsonrpc":"2.0","id":24,"method":"mailserver_fillGaps","params":[{"mailServerPeer":"enode://bad","topics":["0x01020304"]}]}
<-- {"jsonrpc":"2.0","id":24,"error":{"code":-32602,"message":"invalid params: mailServerPeer: invalid public key (encoding/hex: odd length hex string)"}}
--> {"jsonrpc":"2.0","id":25,"method":"mailserver_fillGaps","params":[{"topics":["0x01"]}]}
<-- {"jsonrpc":"2.0","id":25,"error":{"code":-32602,"message":"invalid params: topics[0]: \"0x01\" is not a 4-byte hex topic: 1 bytes, want 4"}}
--> {"jsonrpc":"2.0","id":26,"method":"mailserver_fillGaps","params":[{"topics":["0x01020304"],"from":2,"to":1}]}
<-- {"jsonrpc":"2.0","id":26,"error":{"code":-32602,"message":"invalid params: from: 2 is after to (1)"}}

// Tracking.
--> {"jsonrpc":"2.0","id":30,"method":"mailserver_tracked","params":[]}
<-- {"jsonrpc":"2.0","id":30,"result":[]}
--> {"jsonrpc":"2.0","id":31,"method":"mailserver_track","params":[["0xcd423760","0x01020304"]]}
<-- {"jsonrpc":"2.0","id":31,"result":["0xcd423760","0x01020304"]}
--> {"jsonrpc":"2.0","id":32,"method":"mailserver_track","params":[["0x01"]]}
<-- {"jsonrpc":"2.0","id":32,"error":{"code":-32602,"message":"invalid params: topics[0]: \"0x01\" is not a 4-byte hex topic: 1 bytes, want 4"}}
!! track fails
--> {"jsonrpc":"2.0","id":33,"method":"mailserver_track","params":[["0x05060708"]]}
<-- {"jsonrpc":"2.0","id":33,"error":{"code":-32000,"message":"mailserver: corrupt client state: bad record"}}
--> {"jsonrpc":"2.0","id":34,"method":"mailserver_tracked","params":[]}
<-- {"jsonrpc":"2.0","id":34,"result":["0xcd423760","0x01020304"]}
