// shhext_requestMessages and shhext_requestMessagesSync over a fake
// client (ms1 and ms2 configured, in that order; the clock reads
// 1700086400). Request IDs are 0x…01, 0x…02, … in the order the fake sends.

--> {"jsonrpc":"2.0","id":1,"method":"shhext_requestMessages","params":[{"mailServerPeer":"enode://4f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1@127.0.0.1:30306","from":1700000000,"to":1700003600,"topics":["0xcd423760"]}]}
<-- {"jsonrpc":"2.0","id":1,"result":"0x0000000000000000000000000000000000000000000000000000000000000001"}
// The same topics again within 3 s: refused unless forced.
--> {"jsonrpc":"2.0","id":2,"method":"shhext_requestMessages","params":[{"mailServerPeer":"enode://4f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1@127.0.0.1:30306","topics":["0xcd423760"]}]}
<-- {"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"mailserver: a request for the same topics was sent too recently; set force to send it anyway (topics 0xcd423760, 0s ago)"}}
--> {"jsonrpc":"2.0","id":3,"method":"shhext_requestMessages","params":[{"mailServerPeer":"enode://4f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1@127.0.0.1:30306","topics":["0xcd423760"],"force":true,"symKeyID":"mailkey","cursor":"0x000000000000000000000000000000000000000000000000000000000000000000000000","limit":10,"timeout":5}]}
<-- {"jsonrpc":"2.0","id":3,"result":"0x0000000000000000000000000000000000000000000000000000000000000002"}
// Without mailServerPeer the configured ones are tried in order.
!! ms1 is not connected
--> {"jsonrpc":"2.0","id":4,"method":"shhext_requestMessages","params":[{"topic":"0x01020304"}]}
<-- {"jsonrpc":"2.0","id":4,"result":"0x0000000000000000000000000000000000000000000000000000000000000004"}
!! ms1 is stopped
--> {"jsonrpc":"2.0","id":5,"method":"shhext_requestMessages","params":[{"topics":["0x01020305"]}]}
<-- {"jsonrpc":"2.0","id":5,"error":{"code":-32000,"message":"service unavailable: mailserver: stopped"}}
!! ms1 rejects params
--> {"jsonrpc":"2.0","id":6,"method":"shhext_requestMessages","params":[{"topics":["0x01020306"]}]}
<-- {"jsonrpc":"2.0","id":6,"error":{"code":-32602,"message":"invalid params: mailserver: invalid request parameters: limit too large"}}
!! ms1 breaks
--> {"jsonrpc":"2.0","id":7,"method":"shhext_requestMessages","params":[{"topics":["0x01020307"]}]}
<-- {"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"mailserver: disk full"}}

// Bad fields are named.
--> {"jsonrpc":"2.0","id":10,"method":"shhext_requestMessages","params":[{"mailServerPeer":"enode://bad","topics":["0x01020304"]}]}
<-- {"jsonrpc":"2.0","id":10,"error":{"code":-32602,"message":"invalid params: mailServerPeer: invalid public key (encoding/hex: odd length hex string)"}}
--> {"jsonrpc":"2.0","id":11,"method":"shhext_requestMessages","params":[{}]}
<-- {"jsonrpc":"2.0","id":11,"error":{"code":-32602,"message":"invalid params: topics: at least one topic is required"}}
--> {"jsonrpc":"2.0","id":12,"method":"shhext_requestMessages","params":[{"topic":"0x01"}]}
<-- {"jsonrpc":"2.0","id":12,"error":{"code":-32602,"message":"invalid params: topic[0]: \"0x01\" is not a 4-byte hex topic: 1 bytes, want 4"}}
--> {"jsonrpc":"2.0","id":13,"method":"shhext_requestMessages","params":[{"topic":"0x01020304","topics":["0x05060708","zz"]}]}
<-- {"jsonrpc":"2.0","id":13,"error":{"code":-32602,"message":"invalid params: topics[2]: \"zz\" is not a 4-byte hex topic: encoding/hex: invalid byte: U+007A 'z'"}}
--> {"jsonrpc":"2.0","id":14,"method":"shhext_requestMessages","params":[{"topics":["0x01020304"],"cursor":"0x0102"}]}
<-- {"jsonrpc":"2.0","id":14,"error":{"code":-32602,"message":"invalid params: cursor: mailserver: invalid cursor: 2 bytes, want 0, 36 or 40"}}
--> {"jsonrpc":"2.0","id":15,"method":"shhext_requestMessages","params":[{"topics":["0x01020304"],"cursor":"zz"}]}
<-- {"jsonrpc":"2.0","id":15,"error":{"code":-32602,"message":"invalid params: cursor: encoding/hex: invalid byte: U+007A 'z'"}}
--> {"jsonrpc":"2.0","id":16,"method":"shhext_requestMessages","params":[{"topics":["0x01020304"],"symKeyID":"nope"}]}
<-- {"jsonrpc":"2.0","id":16,"error":{"code":-32602,"message":"invalid params: symKeyID: whisper: key not found: symmetric key nope"}}
--> {"jsonrpc":"2.0","id":17,"method":"shhext_requestMessages","params":[{"topics":["0x01020304"],"from":1700000001,"to":1700000000}]}
<-- {"jsonrpc":"2.0","id":17,"error":{"code":-32602,"message":"invalid params: from: 1700000001 is after to (1700000000)"}}
--> {"jsonrpc":"2.0","id":18,"method":"shhext_requestMessages","params":[{"topics":["0x01020304"],"from":-1}]}
<-- {"jsonrpc":"2.0","id":18,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal number -1 into Go struct field MessagesRequest.from of type uint32"}}

// Sync: the cursor of the next page, the server's error text, or -32002
// once every attempt timed out.
--> {"jsonrpc":"2.0","id":20,"method":"shhext_requestMessagesSync","params":[{"BaseTimeout":1000000000,"StepTimeout":0,"MaxRetries":0},{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","topics":["0x0a0b0c0d"]}]}
<-- {"jsonrpc":"2.0","id":20,"result":{"cursor":"","error":""}}
!! ms1 answers a cursor
--> {"jsonrpc":"2.0","id":21,"method":"shhext_requestMessagesSync","params":[{"BaseTimeout":1000000000,"StepTimeout":0,"MaxRetries":0},{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","topics":["0x0a0b0c0d"],"force":true}]}
<-- {"jsonrpc":"2.0","id":21,"result":{"cursor":"6553f100ab00000000000000000000000000000000000000000000000000000000000000","error":""}}
!! ms1 fails
--> {"jsonrpc":"2.0","id":22,"method":"shhext_requestMessagesSync","params":[{"BaseTimeout":1000000000,"StepTimeout":0,"MaxRetries":0},{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","topics":["0x0a0b0c0d"],"force":true}]}
<-- {"jsonrpc":"2.0","id":22,"result":{"cursor":"","error":"mailserver: request failed: ERROR=archive unavailable"}}
!! ms1 times out
!! ms1 answers a cursor
--> {"jsonrpc":"2.0","id":23,"method":"shhext_requestMessagesSync","params":[{"BaseTimeout":1000000000,"StepTimeout":1000000000,"MaxRetries":1},{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","topics":["0x0a0b0c0d"],"force":true}]}
<-- {"jsonrpc":"2.0","id":23,"result":{"cursor":"6553f100ab00000000000000000000000000000000000000000000000000000000000000","error":""}}
!! ms1 times out
!! ms1 times out
!! ms1 times out
--> {"jsonrpc":"2.0","id":24,"method":"shhext_requestMessagesSync","params":[{"BaseTimeout":1000000000,"StepTimeout":1000000000,"MaxRetries":2},{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","topics":["0x0a0b0c0d"],"force":true}]}
<-- {"jsonrpc":"2.0","id":24,"error":{"code":-32002,"message":"mailserver: request timed out: no completion after 3 attempts"}}
!! ms1 is stopped
--> {"jsonrpc":"2.0","id":25,"method":"shhext_requestMessagesSync","params":[{"BaseTimeout":1000000000,"StepTimeout":0,"MaxRetries":0},{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","topics":["0x0a0b0c0d"],"force":true}]}
<-- {"jsonrpc":"2.0","id":25,"error":{"code":-32000,"message":"service unavailable: mailserver: stopped"}}
--> {"jsonrpc":"2.0","id":26,"method":"shhext_requestMessagesSync","params":[{"BaseTimeout":1000000000,"StepTimeout":0,"MaxRetries":-1},{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","topics":["0x0a0b0c0d"],"force":true}]}
<-- {"jsonrpc":"2.0","id":26,"error":{"code":-32602,"message":"invalid params: MaxRetries: must not be negative"}}
--> {"jsonrpc":"2.0","id":27,"method":"shhext_requestMessagesSync","params":[{"BaseTimeout":1000000000,"StepTimeout":0,"MaxRetries":0},{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","topics":["0x0a0b0c0d"]}]}
<-- {"jsonrpc":"2.0","id":27,"error":{"code":-32000,"message":"mailserver: a request for the same topics was sent too recently; set force to send it anyway (topics 0x0a0b0c0d, 0s ago)"}}
--> {"jsonrpc":"2.0","id":28,"method":"shhext_requestMessagesSync","params":[{"BaseTimeout":1000000000,"StepTimeout":0,"MaxRetries":0},{"topics":[]}]}
<-- {"jsonrpc":"2.0","id":28,"error":{"code":-32602,"message":"invalid params: topics: at least one topic is required"}}
