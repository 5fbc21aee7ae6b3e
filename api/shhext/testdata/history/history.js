// shhext_initiateHistoryRequests, shhext_completeRequest and
// shhext_syncMessages in status-go v0.35.1's parameter and result shapes go
// to the history requester (a fake here); answers and errors pass through.

--> {"jsonrpc":"2.0","id":1,"method":"shhext_initiateHistoryRequests","params":[{"Peer":"enode://x","SymKeyID":"","Requests":[{"Topic":"0xcd423760","Duration":86400000000000},{"Topic":"0x5c6c9b56","Duration":3600000000000}],"Force":false,"Timeout":10000000000}]}
<-- {"jsonrpc":"2.0","id":1,"result":["0x6f1c4c4b3e2f0a9d8c7b6a5948372615f4e3d2c1b0a99887766554433221100f","0x00000000000000000000000000000000000000000000000000000000000000ff"]}
--> {"jsonrpc":"2.0","id":2,"method":"shhext_initiateHistoryRequests","params":[{"Requests":[]}]}
<-- {"jsonrpc":"2.0","id":2,"result":[]}
--> {"jsonrpc":"2.0","id":3,"method":"shhext_completeRequest","params":["0x6f1c4c4b3e2f0a9d8c7b6a5948372615f4e3d2c1b0a99887766554433221100f"]}
<-- {"jsonrpc":"2.0","id":3,"result":null}
--> {"jsonrpc":"2.0","id":4,"method":"shhext_completeRequest","params":["0x01"]}
<-- {"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"invalid params: id: not pending"}}
--> {"jsonrpc":"2.0","id":5,"method":"shhext_syncMessages","params":[{"mailServerPeer":"enode://x","from":1700000000,"to":1700086400,"limit":1000,"cursor":"","followCursor":true,"topics":["0xcd423760"]}]}
<-- {"jsonrpc":"2.0","id":5,"result":{"cursor":"","error":""}}
--> {"jsonrpc":"2.0","id":6,"method":"shhext_syncMessages","params":[{"mailServerPeer":"enode://x","limit":1}]}
<-- {"jsonrpc":"2.0","id":6,"result":{"cursor":"6553f1000000000000000000000000000000000000000000000000000000000000000001","error":""}}
