// mailserver_subscribe("events") pushes each client event as it happens;
// kinds the API does not know are skipped.

--> {"jsonrpc":"2.0","id":1,"method":"mailserver_subscribe","params":["events"]}
<-- {"jsonrpc":"2.0","id":1,"result":"$SUB1"}
!! publish completed
<-- {"jsonrpc":"2.0","method":"mailserver_subscription","params":{"subscription":"$SUB1","result":{"type":"mailserver.request.completed","event":{"requestID":"0x0100000000000000000000000000000000000000000000000000000000000000","lastEnvelopeHash":"0x0200000000000000000000000000000000000000000000000000000000000000","cursor":"6553f1000300000000000000000000000000000000000000000000000000000000000000","errorMessage":"","envelopes":3}}}}
!! publish completed without completion
<-- {"jsonrpc":"2.0","method":"mailserver_subscription","params":{"subscription":"$SUB1","result":{"type":"mailserver.request.completed","event":{"requestID":"0x0400000000000000000000000000000000000000000000000000000000000000","lastEnvelopeHash":"0x0000000000000000000000000000000000000000000000000000000000000000","cursor":"","errorMessage":"","envelopes":0}}}}
!! publish failed
<-- {"jsonrpc":"2.0","method":"mailserver_subscription","params":{"subscription":"$SUB1","result":{"type":"mailserver.request.completed","event":{"requestID":"0x0500000000000000000000000000000000000000000000000000000000000000","lastEnvelopeHash":"0x0000000000000000000000000000000000000000000000000000000000000000","cursor":"","errorMessage":"archive unavailable","envelopes":0}}}}
!! publish unknown
!! publish expired
<-- {"jsonrpc":"2.0","method":"mailserver_subscription","params":{"subscription":"$SUB1","result":{"type":"mailserver.request.expired","event":{"hash":"0x0600000000000000000000000000000000000000000000000000000000000000"}}}}
!! publish gap found
<-- {"jsonrpc":"2.0","method":"mailserver_subscription","params":{"subscription":"$SUB1","result":{"type":"mailserver.gap.found","event":{"topic":"0xcd423760","from":1700050001,"to":1700086400}}}}
!! publish gap filled
<-- {"jsonrpc":"2.0","method":"mailserver_subscription","params":{"subscription":"$SUB1","result":{"type":"mailserver.gap.filled","event":{"topic":"0xcd423760","from":1700050001,"to":1700086400}}}}
--> {"jsonrpc":"2.0","id":2,"method":"mailserver_unsubscribe","params":["$SUB1"]}
<-- {"jsonrpc":"2.0","id":2,"result":true}
--> {"jsonrpc":"2.0","id":3,"method":"mailserver_subscribe","params":["nope"]}
<-- {"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"no \"nope\" subscription in mailserver namespace"}}
