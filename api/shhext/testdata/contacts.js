// Contacts and installations in status-go v0.35's shapes.

--> {"jsonrpc":"2.0","id":1,"method":"shhext_contacts","params":[]}
<-- {"jsonrpc":"2.0","id":1,"result":[]}
--> {"jsonrpc":"2.0","id":2,"method":"shhext_saveContact","params":[{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","name":"alice","systemTags":[":contact/added"]}]}
<-- {"jsonrpc":"2.0","id":2,"result":null}
!! alice updates
--> {"jsonrpc":"2.0","id":3,"method":"shhext_contacts","params":[]}
<-- {"jsonrpc":"2.0","id":3,"result":[{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","address":"0xabc","name":"alice","photoPath":"data:img","lastUpdated":1700000000123,"systemTags":[],"deviceInfo":[{"id":"inst-a1"},{"id":"inst-a2"}]}]}
--> {"jsonrpc":"2.0","id":4,"method":"shhext_saveContact","params":[{"id":"bad","name":"x"}]}
<-- {"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"invalid params: id: messenger: invalid public key: \"bad\""}}
--> {"jsonrpc":"2.0","id":5,"method":"shhext_saveChat","params":[{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","chatType":1}]}
<-- {"jsonrpc":"2.0","id":5,"result":null}
--> {"jsonrpc":"2.0","id":6,"method":"shhext_saveContact","params":[{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","systemTags":[":CONTACT/BLOCKED"]}]}
<-- {"jsonrpc":"2.0","id":6,"result":null}
--> {"jsonrpc":"2.0","id":7,"method":"shhext_saveContact","params":[{"id":"bad","systemTags":[":contact/blocked"]}]}
<-- {"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"invalid params: id: messenger: invalid public key: \"bad\""}}
--> {"jsonrpc":"2.0","id":8,"method":"shhext_blockContact","params":[{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"}]}
<-- {"jsonrpc":"2.0","id":8,"result":[]}
--> {"jsonrpc":"2.0","id":9,"method":"shhext_blockContact","params":[{"id":"bad"}]}
<-- {"jsonrpc":"2.0","id":9,"error":{"code":-32602,"message":"invalid params: id: messenger: invalid public key: \"bad\""}}
--> {"jsonrpc":"2.0","id":10,"method":"shhext_contacts","params":[]}
<-- {"jsonrpc":"2.0","id":10,"result":[{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","address":"0xabc","name":"alice","photoPath":"data:img","lastUpdated":1700000000123,"systemTags":[":contact/blocked"],"deviceInfo":[{"id":"inst-a1"},{"id":"inst-a2"}]}]}

--> {"jsonrpc":"2.0","id":20,"method":"shhext_getOurInstallations","params":[]}
<-- {"jsonrpc":"2.0","id":20,"result":[{"identity":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","id":"inst-self","version":1,"enabled":true,"timestamp":0,"metadata":{"name":"laptop","deviceType":"desktop","fcmToken":""}},{"identity":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","id":"inst-phone","version":1,"enabled":false,"timestamp":1700000000000000000,"metadata":{"name":"phone","deviceType":"ios","fcmToken":"tok"}}]}
--> {"jsonrpc":"2.0","id":21,"method":"shhext_enableInstallation","params":["inst-phone"]}
<-- {"jsonrpc":"2.0","id":21,"result":null}
--> {"jsonrpc":"2.0","id":22,"method":"shhext_enableInstallation","params":["nope"]}
<-- {"jsonrpc":"2.0","id":22,"error":{"code":-32602,"message":"invalid params: installationID: encryption: installation not found: nope"}}
--> {"jsonrpc":"2.0","id":23,"method":"shhext_setInstallationMetadata","params":["inst-self",{"name":"work laptop","deviceType":"linux","fcmToken":""}]}
<-- {"jsonrpc":"2.0","id":23,"result":null}
--> {"jsonrpc":"2.0","id":24,"method":"shhext_setInstallationMetadata","params":["nope",{"name":"x"}]}
<-- {"jsonrpc":"2.0","id":24,"error":{"code":-32602,"message":"invalid params: installationID: encryption: installation not found: nope"}}
--> {"jsonrpc":"2.0","id":25,"method":"shhext_getOurInstallations","params":[]}
<-- {"jsonrpc":"2.0","id":25,"result":[{"identity":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","id":"inst-self","version":1,"enabled":true,"timestamp":0,"metadata":{"name":"work laptop","deviceType":"linux","fcmToken":""}},{"identity":"0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1","id":"inst-phone","version":1,"enabled":true,"timestamp":1700000000000000000,"metadata":{"name":"phone","deviceType":"ios","fcmToken":"tok"}}]}
--> {"jsonrpc":"2.0","id":26,"method":"shhext_disableInstallation","params":["inst-phone"]}
<-- {"jsonrpc":"2.0","id":26,"result":null}
--> {"jsonrpc":"2.0","id":27,"method":"shhext_disableInstallation","params":["nope"]}
<-- {"jsonrpc":"2.0","id":27,"error":{"code":-32602,"message":"invalid params: installationID: encryption: installation not found: nope"}}
!! stop
--> {"jsonrpc":"2.0","id":28,"method":"shhext_getOurInstallations","params":[]}
<-- {"jsonrpc":"2.0","id":28,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
