// Without a mailserver client the history requests are unavailable.

--> {"jsonrpc":"2.0","id":1,"method":"shhext_requestMessages","params":[{"mailServerPeer":"enode://x","topics":["0xcd423760"]}]}
<-- {"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"service unavailable: shhext: no mailserver client"}}
--> {"jsonrpc":"2.0","id":2,"method":"shhext_requestMessagesSync","params":[{"MaxRetries":1},{"topics":["0xcd423760"]}]}
<-- {"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"service unavailable: shhext: no mailserver client"}}
