// statusd_subscribe("events") pushes every messenger and router event.

--> {"jsonrpc":"2.0","id":1,"method":"statusd_subscribe","params":["events"]}
<-- {"jsonrpc":"2.0","id":1,"result":"$SUB1"}
!! publish message
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"messages.new","event":{"message":{"id":"0x01","chat_id":"status","from":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","alias":"Vicious Trivial Goldfinch","text":"hi","content_type":"text/plain","message_type":"public-group-user-message","clock":7,"timestamp":8,"received_at":9,"response_to":"0x00","outgoing":true,"seen":true,"delivery":"acked"}}}}}
!! publish received message
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"messages.new","event":{"message":{"id":"0x02","chat_id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","from":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","alias":"Vicious Trivial Goldfinch","text":"yo","content_type":"","message_type":"","clock":0,"timestamp":0,"received_at":0,"outgoing":false,"seen":false}}}}}
!! publish nil message
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"messages.new","event":{"message":null}}}}
!! publish delivery
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"message.delivery","event":{"message_id":"0x01","chat_id":"status","state":"sent"}}}}
!! publish envelope sent
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"envelope.sent","event":{"hash":"0xaa00000000000000000000000000000000000000000000000000000000000000","message_ids":["0x01"]}}}}
!! publish envelope expired
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"envelope.expired","event":{"hash":"0xbb00000000000000000000000000000000000000000000000000000000000000","message_ids":[]}}}}
!! publish envelope acknowledged
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"envelope.acknowledged","event":{"hash":"0xaa00000000000000000000000000000000000000000000000000000000000000","message_ids":["0x01"],"peer":"0a0b"}}}}
!! publish envelope refused
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"envelope.refused","event":{"hash":"0xcc00000000000000000000000000000000000000000000000000000000000000","message_ids":["0x01"],"peer":"0c0d","reason":"whisper: envelope from the future"}}}}
!! publish decrypt failed
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"messages.decrypt.failed","event":{"sender":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","reason":"no-session"}}}}
!! publish bundle
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"bundles.added","event":{"identity":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","installation_id":"inst-alice"}}}}
!! publish installation
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"installation.found","event":{"installation":{"id":"inst-tablet","enabled":false,"own":false,"metadata":{},"timestamp":5}}}}}
!! publish installation metadata
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"installation.metadata","event":{"installation":{"id":"inst-tablet","enabled":true,"own":false,"metadata":{"name":"tablet","device_type":"android","fcm_token":"t"},"timestamp":0}}}}}
!! publish chat
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"chat.changed","event":{"chat":{"id":"g","type":3,"name":"friends","active":true,"last_clock":3,"deleted_at_clock":2,"unread":1,"last_message_at":4,"members":["0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"],"admins":["0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1"],"people":[{"chat_key":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","alias":"Mediumspringgreen Deeppink Toad","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAg0lEQVR4nOzXQQpAUBCAYfTOYutwzuFwti4z9kbyk8zi/5ai/l5p5rWI6OoZ/g44ZxZhFmEWYRbR6AfLuh2ezNP44J1rRU/LLMIsonffAswizCLwTMzeT8Cs6GmZRZhF4JmY/7s73E6/ZBZhFmEWYRZRNMt7ImEWYRZhFmEWsQcAAP//le0YXFB5QRIAAAAASUVORK5CYII="},{"chat_key":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","alias":"Vicious Trivial Goldfinch","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAi0lEQVR4nOzXwQ1AQBBAUWRr0ZJC1KEQLWlmXAVhvwhz+O9Iws8km6FERJNP93fAObMIswizCLOIcn17XqbdlaEfH7yGPifptMwizCJa+r11PFM16PlNOi2zCLMIdyJhFmEWYRZhFmEWcbMTa7y1N7eSTssswiwC/yd+I+m0zCLMIswizCLWAAAA//9FhBtigRZE5gAAAABJRU5ErkJggg=="}]},"deleted":false}}}}
!! publish deleted chat
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"chat.changed","event":{"chat":{"id":"status","type":1,"name":"status","active":false,"last_clock":0,"unread":0,"last_message_at":0},"deleted":true}}}}
!! publish contact
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"contact.changed","event":{"contact":{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","alias":"Vicious Trivial Goldfinch","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAi0lEQVR4nOzXwQ1AQBBAUWRr0ZJC1KEQLWlmXAVhvwhz+O9Iws8km6FERJNP93fAObMIswizCLOIcn17XqbdlaEfH7yGPifptMwizCJa+r11PFM16PlNOi2zCLMIdyJhFmEWYRZhFmEWcbMTa7y1N7eSTssswiwC/yd+I+m0zCLMIswizCLWAAAA//9FhBtigRZE5gAAAABJRU5ErkJggg==","name":"alice","profile_image":"img","address":"0xabc","state":"blocked","pending":false,"added":true,"blocked":true,"request_received":false,"last_updated":6,"devices":["inst-alice"]},"request":false}}}}
!! publish contact request
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"contact.changed","event":{"contact":{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","alias":"Vicious Trivial Goldfinch","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAi0lEQVR4nOzXwQ1AQBBAUWRr0ZJC1KEQLWlmXAVhvwhz+O9Iws8km6FERJNP93fAObMIswizCLOIcn17XqbdlaEfH7yGPifptMwizCJa+r11PFM16PlNOi2zCLMIdyJhFmEWYRZhFmEWcbMTa7y1N7eSTssswiwC/yd+I+m0zCLMIswizCLWAAAA//9FhBtigRZE5gAAAABJRU5ErkJggg==","name":"Alice","state":"request-received","pending":true,"added":false,"blocked":false,"request_received":true},"request":true}}}}
!! publish profile
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"profile.changed","event":{"profile":{"name":"Me","image":"data:image/png;base64,AAAA","name_set":true,"image_set":false}}}}}
!! publish bare contact
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"contact.changed","event":{"contact":{"id":"0x046f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0","alias":"Longterm Loyal Meadowhawk","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAiElEQVR4nOzYsQmFQBAG4ffkarEDK7MOK7MDmzlTYXVlBHGD+dILHBb+xNZ7/9UzfB1wzizCLMIswizCLMIswiyi5c/rtrz04Wmck9ei1zKLMIu4WWKUL+gKXXTRa5lFmEXgJUZxZc/WelT0WmYRZhFmEWYRZhF//8sDZhFmEWYRZhF7AAAA//9vUA9m6N0QYwAAAABJRU5ErkJggg==","state":"none","pending":false,"added":false,"blocked":false,"request_received":false},"request":false}}}}
!! publish dropped
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"message.dropped","event":{"reason":"duplicate","sender":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"}}}}
!! publish dropped anonymous
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"message.dropped","event":{"reason":"undecodable"}}}}
!! publish other router event
!! publish peer added
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"peer.added","event":{"peer":"3f4a6e1cc2b7d9e0a8f5b1c4d7e2a9f6b3c8d5e0a7f4b1c6d3e8a5f2b9c6d3e0"}}}}
!! publish peer dropped
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB1","result":{"type":"peer.dropped","event":{"peer":"3f4a6e1cc2b7d9e0a8f5b1c4d7e2a9f6b3c8d5e0a7f4b1c6d3e8a5f2b9c6d3e0"}}}}
--> {"jsonrpc":"2.0","id":2,"method":"statusd_unsubscribe","params":["$SUB1"]}
<-- {"jsonrpc":"2.0","id":2,"result":true}

// A filter keeps only the listed types; an unknown type is -32602.
--> {"jsonrpc":"2.0","id":3,"method":"statusd_subscribe","params":["events",{"types":["peer.dropped","chat.changed"]}]}
<-- {"jsonrpc":"2.0","id":3,"result":"$SUB2"}
!! publish message
!! publish peer added
!! publish peer dropped
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB2","result":{"type":"peer.dropped","event":{"peer":"3f4a6e1cc2b7d9e0a8f5b1c4d7e2a9f6b3c8d5e0a7f4b1c6d3e8a5f2b9c6d3e0"}}}}
!! publish chat
<-- {"jsonrpc":"2.0","method":"statusd_subscription","params":{"subscription":"$SUB2","result":{"type":"chat.changed","event":{"chat":{"id":"g","type":3,"name":"friends","active":true,"last_clock":3,"deleted_at_clock":2,"unread":1,"last_message_at":4,"members":["0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"],"admins":["0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1"],"people":[{"chat_key":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","alias":"Mediumspringgreen Deeppink Toad","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAg0lEQVR4nOzXQQpAUBCAYfTOYutwzuFwti4z9kbyk8zi/5ai/l5p5rWI6OoZ/g44ZxZhFmEWYRbR6AfLuh2ezNP44J1rRU/LLMIsonffAswizCLwTMzeT8Cs6GmZRZhF4JmY/7s73E6/ZBZhFmEWYRZRNMt7ImEWYRZhFmEWsQcAAP//le0YXFB5QRIAAAAASUVORK5CYII="},{"chat_key":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","alias":"Vicious Trivial Goldfinch","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAi0lEQVR4nOzXwQ1AQBBAUWRr0ZJC1KEQLWlmXAVhvwhz+O9Iws8km6FERJNP93fAObMIswizCLOIcn17XqbdlaEfH7yGPifptMwizCJa+r11PFM16PlNOi2zCLMIdyJhFmEWYRZhFmEWcbMTa7y1N7eSTssswiwC/yd+I+m0zCLMIswizCLWAAAA//9FhBtigRZE5gAAAABJRU5ErkJggg=="}]},"deleted":false}}}}
--> {"jsonrpc":"2.0","id":4,"method":"statusd_subscribe","params":["events",{"types":["peer.dropped","nope"]}]}
<-- {"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"invalid params: types[1]: unknown event type \"nope\""}}
--> {"jsonrpc":"2.0","id":5,"method":"statusd_subscribe","params":["events",null]}
<-- {"jsonrpc":"2.0","id":5,"result":"$SUB3"}
--> {"jsonrpc":"2.0","id":6,"method":"statusd_subscribe","params":["events",{"types":[]}]}
<-- {"jsonrpc":"2.0","id":6,"result":"$SUB4"}
