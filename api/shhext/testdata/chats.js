// Chats and messages in status-go v0.35's shapes, over a fake messenger.

--> {"jsonrpc":"2.0","id":1,"method":"shhext_chats","params":[]}
<-- {"jsonrpc":"2.0","id":1,"result":[]}
--> {"jsonrpc":"2.0","id":2,"method":"shhext_saveChat","params":[{"id":"status","chatType":2,"active":true,"name":"ignored","color":"#fff"}]}
<-- {"jsonrpc":"2.0","id":2,"result":null}
--> {"jsonrpc":"2.0","id":3,"method":"shhext_saveChat","params":[{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","chatType":1}]}
<-- {"jsonrpc":"2.0","id":3,"result":null}
--> {"jsonrpc":"2.0","id":4,"method":"shhext_saveChat","params":[{"id":"group-1","chatType":3}]}
<-- {"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"invalid params: id: messenger: chat not found: \"group-1\""}}
!! add group
--> {"jsonrpc":"2.0","id":5,"method":"shhext_saveChat","params":[{"id":"group-1","chatType":3}]}
<-- {"jsonrpc":"2.0","id":5,"result":null}
--> {"jsonrpc":"2.0","id":6,"method":"shhext_saveChat","params":[{"id":"x","chatType":4}]}
<-- {"jsonrpc":"2.0","id":6,"error":{"code":-32602,"message":"invalid params: chatType: 4 is not 1 (one-to-one), 2 (public) or 3 (private group)"}}
--> {"jsonrpc":"2.0","id":7,"method":"shhext_saveChat","params":[{"id":"Bad Name","chatType":2,"active":true}]}
<-- {"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"invalid params: id: messenger: invalid public chat name: \"Bad Name\""}}
--> {"jsonrpc":"2.0","id":8,"method":"shhext_saveChat","params":[{"id":"other","chatType":2,"active":false}]}
<-- {"jsonrpc":"2.0","id":8,"error":{"code":-32602,"message":"invalid params: id: messenger: chat not found: \"other\""}}

--> {"jsonrpc":"2.0","id":10,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d"}]}
<-- {"jsonrpc":"2.0","id":10,"result":"0x0000000000000000000000000000000000000000000000000000000000000001"}
!! alice writes
--> {"jsonrpc":"2.0","id":11,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d"}]}
<-- {"jsonrpc":"2.0","id":11,"result":"0x0000000000000000000000000000000000000000000000000000000000000003"}
--> {"jsonrpc":"2.0","id":12,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d"}]}
<-- {"jsonrpc":"2.0","id":12,"result":"0x0000000000000000000000000000000000000000000000000000000000000004"}
--> {"jsonrpc":"2.0","id":13,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d"}]}
<-- {"jsonrpc":"2.0","id":13,"result":"0x0000000000000000000000000000000000000000000000000000000000000005"}
--> {"jsonrpc":"2.0","id":14,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d"}]}
<-- {"jsonrpc":"2.0","id":14,"result":"0x0000000000000000000000000000000000000000000000000000000000000006"}
--> {"jsonrpc":"2.0","id":15,"method":"shhext_chats","params":[]}
<-- {"jsonrpc":"2.0","id":15,"result":[{"id":"group-1","name":"friends","color":"","active":true,"chatType":3,"timestamp":1700000000500,"lastClockValue":12,"deletedAtClockValue":3,"unviewedMessagesCount":2,"members":[{"id":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","admin":false,"joined":true},{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","admin":true,"joined":true}]},{"id":"status","name":"status","color":"","active":true,"chatType":2,"timestamp":1700000000006,"lastClockValue":1700000000006,"deletedAtClockValue":0,"unviewedMessagesCount":1,"members":[]},{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","name":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","color":"","active":true,"chatType":1,"timestamp":0,"lastClockValue":0,"deletedAtClockValue":0,"unviewedMessagesCount":0,"members":[]}]}
--> {"jsonrpc":"2.0","id":16,"method":"shhext_chatMessages","params":["status","",0]}
<-- {"jsonrpc":"2.0","id":16,"result":{"messages":[{"id":"0x0000000000000000000000000000000000000000000000000000000000000006","whisperTimestamp":1700000000006,"from":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","seen":true,"outgoingStatus":"delivered","text":"abc123","chatId":"status","localChatId":"status","contentType":"text/plain","messageType":"public-group-user-message","timestamp":1700000000006,"clock":1700000000006},{"id":"0x0000000000000000000000000000000000000000000000000000000000000005","whisperTimestamp":1700000000005,"from":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","seen":true,"text":"abc123","chatId":"status","localChatId":"status","contentType":"text/plain","messageType":"public-group-user-message","timestamp":1700000000005,"clock":1700000000005},{"id":"0x0000000000000000000000000000000000000000000000000000000000000004","whisperTimestamp":1700000000004,"from":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","seen":true,"outgoingStatus":"sending","text":"abc123","chatId":"status","localChatId":"status","contentType":"text/plain","messageType":"public-group-user-message","timestamp":1700000000004,"clock":1700000000004},{"id":"0x0000000000000000000000000000000000000000000000000000000000000003","whisperTimestamp":1700000000003,"from":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","seen":true,"outgoingStatus":"not-sent","text":"abc123","chatId":"status","localChatId":"status","contentType":"text/plain","messageType":"public-group-user-message","timestamp":1700000000003,"clock":1700000000003},{"id":"0x0000000000000000000000000000000000000000000000000000000000000002","whisperTimestamp":1700000000002,"from":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","seen":false,"text":"hello from alice","chatId":"status","localChatId":"status","contentType":"text/plain","messageType":"public-group-user-message","timestamp":1699999999997,"clock":1700000000002,"responseTo":"0x0000000000000000000000000000000000000000000000000000000000000001"},{"id":"0x0000000000000000000000000000000000000000000000000000000000000001","whisperTimestamp":1700000000001,"from":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","seen":true,"outgoingStatus":"sent","text":"abc123","chatId":"status","localChatId":"status","contentType":"text/plain","messageType":"public-group-user-message","timestamp":1700000000001,"clock":1700000000001}],"cursor":""}}
--> {"jsonrpc":"2.0","id":17,"method":"shhext_chatMessages","params":["status","",2]}
<-- {"jsonrpc":"2.0","id":17,"result":{"messages":[{"id":"0x0000000000000000000000000000000000000000000000000000000000000006","whisperTimestamp":1700000000006,"from":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","seen":true,"outgoingStatus":"delivered","text":"abc123","chatId":"status","localChatId":"status","contentType":"text/plain","messageType":"public-group-user-message","timestamp":1700000000006,"clock":1700000000006},{"id":"0x0000000000000000000000000000000000000000000000000000000000000005","whisperTimestamp":1700000000005,"from":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","seen":true,"text":"abc123","chatId":"status","localChatId":"status","contentType":"text/plain","messageType":"public-group-user-message","timestamp":1700000000005,"clock":1700000000005}],"cursor":"c0x0000000000000000000000000000000000000000000000000000000000000005"}}
--> {"jsonrpc":"2.0","id":18,"method":"shhext_chatMessages","params":["status","c0x0000000000000000000000000000000000000000000000000000000000000004",2]}
<-- {"jsonrpc":"2.0","id":18,"result":{"messages":[{"id":"0x0000000000000000000000000000000000000000000000000000000000000003","whisperTimestamp":1700000000003,"from":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","seen":true,"outgoingStatus":"not-sent","text":"abc123","chatId":"status","localChatId":"status","contentType":"text/plain","messageType":"public-group-user-message","timestamp":1700000000003,"clock":1700000000003},{"id":"0x0000000000000000000000000000000000000000000000000000000000000002","whisperTimestamp":1700000000002,"from":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","seen":false,"text":"hello from alice","chatId":"status","localChatId":"status","contentType":"text/plain","messageType":"public-group-user-message","timestamp":1699999999997,"clock":1700000000002,"responseTo":"0x0000000000000000000000000000000000000000000000000000000000000001"}],"cursor":"c0x0000000000000000000000000000000000000000000000000000000000000002"}}
--> {"jsonrpc":"2.0","id":19,"method":"shhext_chatMessages","params":["status","bad",2]}
<-- {"jsonrpc":"2.0","id":19,"error":{"code":-32602,"message":"invalid params: cursor: messenger: invalid cursor: \"bad\""}}
--> {"jsonrpc":"2.0","id":20,"method":"shhext_chatMessages","params":["status","",-1]}
<-- {"jsonrpc":"2.0","id":20,"error":{"code":-32602,"message":"invalid params: limit: must not be negative"}}
--> {"jsonrpc":"2.0","id":21,"method":"shhext_chatMessages","params":["nope","",0]}
<-- {"jsonrpc":"2.0","id":21,"error":{"code":-32602,"message":"invalid params: chatId: messenger: chat not found: \"nope\""}}
--> {"jsonrpc":"2.0","id":22,"method":"shhext_chatMessages","params":["0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","",0]}
<-- {"jsonrpc":"2.0","id":22,"result":{"messages":[],"cursor":""}}

--> {"jsonrpc":"2.0","id":30,"method":"shhext_markMessagesSeen","params":[["0x0000000000000000000000000000000000000000000000000000000000000002"]]}
<-- {"jsonrpc":"2.0","id":30,"result":null}
--> {"jsonrpc":"2.0","id":31,"method":"shhext_markMessagesSeen","params":[["0x09"]]}
<-- {"jsonrpc":"2.0","id":31,"error":{"code":-32602,"message":"invalid params: ids: messenger: message not found: 0x09"}}
--> {"jsonrpc":"2.0","id":32,"method":"shhext_deleteMessage","params":["0x0000000000000000000000000000000000000000000000000000000000000001"]}
<-- {"jsonrpc":"2.0","id":32,"result":null}
--> {"jsonrpc":"2.0","id":33,"method":"shhext_deleteMessage","params":["0x0000000000000000000000000000000000000000000000000000000000000001"]}
<-- {"jsonrpc":"2.0","id":33,"error":{"code":-32602,"message":"invalid params: id: messenger: message not found: 0x0000000000000000000000000000000000000000000000000000000000000001"}}
!! deletes break
--> {"jsonrpc":"2.0","id":34,"method":"shhext_deleteMessagesByChatID","params":["status"]}
<-- {"jsonrpc":"2.0","id":34,"error":{"code":-32000,"message":"messenger: store: disk full"}}
!! deletes work
--> {"jsonrpc":"2.0","id":35,"method":"shhext_deleteMessagesByChatID","params":["status"]}
<-- {"jsonrpc":"2.0","id":35,"result":null}
--> {"jsonrpc":"2.0","id":36,"method":"shhext_deleteMessagesByChatID","params":["nope"]}
<-- {"jsonrpc":"2.0","id":36,"error":{"code":-32602,"message":"invalid params: chatId: messenger: chat not found: \"nope\""}}
--> {"jsonrpc":"2.0","id":37,"method":"shhext_chatMessages","params":["status","",0]}
<-- {"jsonrpc":"2.0","id":37,"result":{"messages":[],"cursor":""}}
--> {"jsonrpc":"2.0","id":38,"method":"shhext_deleteChat","params":["status"]}
<-- {"jsonrpc":"2.0","id":38,"result":null}
--> {"jsonrpc":"2.0","id":39,"method":"shhext_deleteChat","params":["status"]}
<-- {"jsonrpc":"2.0","id":39,"error":{"code":-32602,"message":"invalid params: chatId: messenger: chat not found: \"status\""}}
--> {"jsonrpc":"2.0","id":40,"method":"shhext_chats","params":[]}
<-- {"jsonrpc":"2.0","id":40,"result":[{"id":"group-1","name":"friends","color":"","active":true,"chatType":3,"timestamp":1700000000500,"lastClockValue":12,"deletedAtClockValue":3,"unviewedMessagesCount":2,"members":[{"id":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","admin":false,"joined":true},{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","admin":true,"joined":true}]},{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","name":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","color":"","active":true,"chatType":1,"timestamp":0,"lastClockValue":0,"deletedAtClockValue":0,"unviewedMessagesCount":0,"members":[]}]}
!! store breaks
--> {"jsonrpc":"2.0","id":41,"method":"shhext_deleteChat","params":["group-1"]}
<-- {"jsonrpc":"2.0","id":41,"error":{"code":-32000,"message":"messenger: store: disk full"}}
!! stop
--> {"jsonrpc":"2.0","id":42,"method":"shhext_chatMessages","params":["group-1","",0]}
<-- {"jsonrpc":"2.0","id":42,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":43,"method":"shhext_deleteMessagesByChatID","params":["group-1"]}
<-- {"jsonrpc":"2.0","id":43,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
