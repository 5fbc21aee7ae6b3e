// A call, an error and a subscription.

--> {"jsonrpc":"2.0","id":1,"method":"toy_echo","params":["hi"]}
<-- {"jsonrpc":"2.0","id":1,"result":"hi"}
--> {"jsonrpc":"2.0","id":2,"method":"toy_nope","params":[]}
<-- {"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"the method toy_nope does not exist/is not available"}}
--> {"jsonrpc":"2.0","id":3,"method":"toy_subscribe","params":["numbers"]}
<-- {"jsonrpc":"2.0","id":3,"result":"$SUB1"}
!! push 7
<-- {"jsonrpc":"2.0","method":"toy_subscription","params":{"subscription":"$SUB1","result":7}}
--> {"jsonrpc":"2.0","id":4,"method":"toy_unsubscribe","params":["$SUB1"]}
<-- {"jsonrpc":"2.0","id":4,"result":true}
