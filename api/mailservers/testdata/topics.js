// mailservers_addMailserverTopic / getMailserverTopics /
// deleteMailserverTopic and mailservers_addChatRequestRange /
// getChatRequestRanges / deleteChatRequestRange, in the shapes status-react
// 1.0 sent (mailserver/topics.cljs adds discovery?, negotiated? and
// filter-ids, which are not kept).

--> {"jsonrpc":"2.0","id":1,"method":"mailservers_getMailserverTopics","params":[]}
<-- {"jsonrpc":"2.0","id":1,"result":null}
--> {"jsonrpc":"2.0","id":2,"method":"mailservers_getChatRequestRanges","params":[]}
<-- {"jsonrpc":"2.0","id":2,"result":null}
--> {"jsonrpc":"2.0","id":3,"method":"mailservers_addMailserverTopic","params":[{"topic":"0xf8946aac","chat-ids":["status","status-dev"],"last-request":1573650000,"discovery?":false,"negotiated?":false,"filter-ids":["f1"]}]}
<-- {"jsonrpc":"2.0","id":3,"result":null}
--> {"jsonrpc":"2.0","id":4,"method":"mailservers_addMailserverTopic","params":[{"topic":"0x00000001","chat-ids":[]}]}
<-- {"jsonrpc":"2.0","id":4,"result":null}
--> {"jsonrpc":"2.0","id":5,"method":"mailservers_addMailserverTopic","params":[{"topic":"0x00000002"}]}
<-- {"jsonrpc":"2.0","id":5,"result":null}
// By topic; chat-ids keeps null apart from []; a missing last-request is 0.
--> {"jsonrpc":"2.0","id":6,"method":"mailservers_getMailserverTopics","params":[]}
<-- {"jsonrpc":"2.0","id":6,"result":[{"topic":"0x00000001","chat-ids":[],"last-request":0},{"topic":"0x00000002","chat-ids":null,"last-request":0},{"topic":"0xf8946aac","chat-ids":["status","status-dev"],"last-request":1573650000}]}
--> {"jsonrpc":"2.0","id":7,"method":"mailservers_addMailserverTopic","params":[{"topic":"0xf8946aac","chat-ids":["status"],"last-request":1573660000}]}
<-- {"jsonrpc":"2.0","id":7,"result":null}
--> {"jsonrpc":"2.0","id":8,"method":"mailservers_deleteMailserverTopic","params":["0x00000002"]}
<-- {"jsonrpc":"2.0","id":8,"result":null}
--> {"jsonrpc":"2.0","id":9,"method":"mailservers_getMailserverTopics","params":[]}
<-- {"jsonrpc":"2.0","id":9,"result":[{"topic":"0x00000001","chat-ids":[],"last-request":0},{"topic":"0xf8946aac","chat-ids":["status"],"last-request":1573660000}]}

--> {"jsonrpc":"2.0","id":10,"method":"mailservers_addChatRequestRange","params":[{"chat-id":"status","lowest-request-from":1573600000,"highest-request-to":1573650000}]}
<-- {"jsonrpc":"2.0","id":10,"result":null}
--> {"jsonrpc":"2.0","id":11,"method":"mailservers_addChatRequestRange","params":[{"chat-id":"0x04aa","lowest-request-from":null,"highest-request-to":1573650000}]}
<-- {"jsonrpc":"2.0","id":11,"result":null}
--> {"jsonrpc":"2.0","id":12,"method":"mailservers_getChatRequestRanges","params":[]}
<-- {"jsonrpc":"2.0","id":12,"result":[{"chat-id":"0x04aa","lowest-request-from":0,"highest-request-to":1573650000},{"chat-id":"status","lowest-request-from":1573600000,"highest-request-to":1573650000}]}
--> {"jsonrpc":"2.0","id":13,"method":"mailservers_addChatRequestRange","params":[{"chat-id":"status","lowest-request-from":1573500000,"highest-request-to":1573660000}]}
<-- {"jsonrpc":"2.0","id":13,"result":null}
--> {"jsonrpc":"2.0","id":14,"method":"mailservers_deleteChatRequestRange","params":["0x04aa"]}
<-- {"jsonrpc":"2.0","id":14,"result":null}
--> {"jsonrpc":"2.0","id":15,"method":"mailservers_getChatRequestRanges","params":[]}
<-- {"jsonrpc":"2.0","id":15,"result":[{"chat-id":"status","lowest-request-from":1573500000,"highest-request-to":1573660000}]}

// Malformed calls.
--> {"jsonrpc":"2.0","id":16,"method":"mailservers_addMailserverTopic","params":[{"topic":"0xf8946aac","chat-ids":"status"}]}
<-- {"jsonrpc":"2.0","id":16,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal string into Go struct field MailserverTopic.chat-ids of type []string"}}
--> {"jsonrpc":"2.0","id":17,"method":"mailservers_addChatRequestRange","params":[{"chat-id":"status","lowest-request-from":1.5}]}
<-- {"jsonrpc":"2.0","id":17,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal number 1.5 into Go struct field ChatRequestRange.lowest-request-from of type int"}}
--> {"jsonrpc":"2.0","id":18,"method":"mailservers_deleteChatRequestRange","params":[]}
<-- {"jsonrpc":"2.0","id":18,"error":{"code":-32602,"message":"missing value for required argument 0"}}
!! disk fails
--> {"jsonrpc":"2.0","id":19,"method":"mailservers_getMailserverTopics","params":[]}
<-- {"jsonrpc":"2.0","id":19,"error":{"code":-32000,"message":"mailservers: read: storage: disk full"}}
--> {"jsonrpc":"2.0","id":20,"method":"mailservers_getChatRequestRanges","params":[]}
<-- {"jsonrpc":"2.0","id":20,"error":{"code":-32000,"message":"mailservers: read: storage: disk full"}}
