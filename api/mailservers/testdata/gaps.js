// mailservers_addMailserverRequestGaps / getMailserverRequestGaps /
// deleteMailserverRequestGaps / deleteMailserverRequestGapsByChatID, in the
// shapes of status-react 1.0's data-store/mailservers (gaps with chatId).

--> {"jsonrpc":"2.0","id":1,"method":"mailservers_getMailserverRequestGaps","params":["status"]}
<-- {"jsonrpc":"2.0","id":1,"result":null}
--> {"jsonrpc":"2.0","id":2,"method":"mailservers_addMailserverRequestGaps","params":[[{"id":"0x2b","chatId":"status","from":1573640000,"to":1573650000},{"id":"0x1a","chatId":"status","from":1573600000,"to":1573610000},{"id":"0x3c","chatId":"0x04aa","from":1,"to":2}]]}
<-- {"jsonrpc":"2.0","id":2,"result":null}
// One chat's gaps, by id.
--> {"jsonrpc":"2.0","id":3,"method":"mailservers_getMailserverRequestGaps","params":["status"]}
<-- {"jsonrpc":"2.0","id":3,"result":[{"id":"0x1a","chatId":"status","from":1573600000,"to":1573610000},{"id":"0x2b","chatId":"status","from":1573640000,"to":1573650000}]}
--> {"jsonrpc":"2.0","id":4,"method":"mailservers_getMailserverRequestGaps","params":["0x04aa"]}
<-- {"jsonrpc":"2.0","id":4,"result":[{"id":"0x3c","chatId":"0x04aa","from":1,"to":2}]}
// A gap id given again replaces the gap, even in another chat; the last of
// two in one call wins.
--> {"jsonrpc":"2.0","id":5,"method":"mailservers_addMailserverRequestGaps","params":[[{"id":"0x3c","chatId":"status","from":3,"to":4},{"id":"0x3c","chatId":"status","from":5,"to":6}]]}
<-- {"jsonrpc":"2.0","id":5,"result":null}
--> {"jsonrpc":"2.0","id":6,"method":"mailservers_getMailserverRequestGaps","params":["0x04aa"]}
<-- {"jsonrpc":"2.0","id":6,"result":null}
--> {"jsonrpc":"2.0","id":7,"method":"mailservers_getMailserverRequestGaps","params":["status"]}
<-- {"jsonrpc":"2.0","id":7,"result":[{"id":"0x1a","chatId":"status","from":1573600000,"to":1573610000},{"id":"0x2b","chatId":"status","from":1573640000,"to":1573650000},{"id":"0x3c","chatId":"status","from":5,"to":6}]}
--> {"jsonrpc":"2.0","id":8,"method":"mailservers_deleteMailserverRequestGaps","params":[["0x1a","0xunknown"]]}
<-- {"jsonrpc":"2.0","id":8,"result":null}
--> {"jsonrpc":"2.0","id":9,"method":"mailservers_getMailserverRequestGaps","params":["status"]}
<-- {"jsonrpc":"2.0","id":9,"result":[{"id":"0x2b","chatId":"status","from":1573640000,"to":1573650000},{"id":"0x3c","chatId":"status","from":5,"to":6}]}
--> {"jsonrpc":"2.0","id":10,"method":"mailservers_deleteMailserverRequestGapsByChatID","params":["status"]}
<-- {"jsonrpc":"2.0","id":10,"result":null}
--> {"jsonrpc":"2.0","id":11,"method":"mailservers_getMailserverRequestGaps","params":["status"]}
<-- {"jsonrpc":"2.0","id":11,"result":null}
// Empty lists are no-ops.
--> {"jsonrpc":"2.0","id":12,"method":"mailservers_addMailserverRequestGaps","params":[[]]}
<-- {"jsonrpc":"2.0","id":12,"result":null}
--> {"jsonrpc":"2.0","id":13,"method":"mailservers_deleteMailserverRequestGaps","params":[[]]}
<-- {"jsonrpc":"2.0","id":13,"result":null}

// Malformed calls: from and to are unsigned.
--> {"jsonrpc":"2.0","id":14,"method":"mailservers_addMailserverRequestGaps","params":[[{"id":"g","chatId":"status","from":-1,"to":2}]]}
<-- {"jsonrpc":"2.0","id":14,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal number -1 into Go struct field MailserverRequestGap.from of type uint64"}}
--> {"jsonrpc":"2.0","id":15,"method":"mailservers_addMailserverRequestGaps","params":[{"id":"g"}]}
<-- {"jsonrpc":"2.0","id":15,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal object into Go value of type []mailservers.MailserverRequestGap"}}
--> {"jsonrpc":"2.0","id":16,"method":"mailservers_getMailserverRequestGaps","params":[]}
<-- {"jsonrpc":"2.0","id":16,"error":{"code":-32602,"message":"missing value for required argument 0"}}
--> {"jsonrpc":"2.0","id":17,"method":"mailservers_getMailserverRequestGaps","params":[123]}
<-- {"jsonrpc":"2.0","id":17,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal number into Go value of type string"}}
!! disk fails
--> {"jsonrpc":"2.0","id":18,"method":"mailservers_addMailserverRequestGaps","params":[[{"id":"g","chatId":"status","from":1,"to":2}]]}
<-- {"jsonrpc":"2.0","id":18,"error":{"code":-32000,"message":"mailservers: read: storage: disk full"}}
--> {"jsonrpc":"2.0","id":19,"method":"mailservers_deleteMailserverRequestGapsByChatID","params":["status"]}
<-- {"jsonrpc":"2.0","id":19,"error":{"code":-32000,"message":"mailservers: read: storage: disk full"}}
