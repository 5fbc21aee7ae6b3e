// shhext_requestMessages(Sync) go to the mailserver requester (a fake
// here) and its answers and errors pass through unchanged.

--> {"jsonrpc":"2.0","id":1,"method":"shhext_requestMessages","params":[{"mailServerPeer":"enode://x","topics":["0xcd423760"]}]}
<-- {"jsonrpc":"2.0","id":1,"result":"0x6f1c"}
--> {"jsonrpc":"2.0","id":2,"method":"shhext_requestMessages","params":[{"topics":["0xcd423760"]}]}
<-- {"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"mailserver: no mailserver available"}}
--> {"jsonrpc":"2.0","id":3,"method":"shhext_requestMessagesSync","params":[{"BaseTimeout":10000000000,"StepTimeout":5000000000,"MaxRetries":2},{"topics":["0xcd423760"]}]}
<-- {"jsonrpc":"2.0","id":3,"result":{"cursor":"00ab","error":""}}
--> {"jsonrpc":"2.0","id":4,"method":"shhext_requestMessagesSync","params":[{"MaxRetries":9},{"topics":["0xcd423760"]}]}
<-- {"jsonrpc":"2.0","id":4,"error":{"code":-32000,"message":"mailserver: too many retries"}}
