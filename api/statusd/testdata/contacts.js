// Contacts and installations over a fake messenger.

--> {"jsonrpc":"2.0","id":1,"method":"statusd_contacts","params":[]}
<-- {"jsonrpc":"2.0","id":1,"result":[]}
--> {"jsonrpc":"2.0","id":2,"method":"statusd_addContact","params":["0x046f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0","bob"]}
<-- {"jsonrpc":"2.0","id":2,"result":{"id":"0x046f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0","alias":"Longterm Loyal Meadowhawk","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAiElEQVR4nOzYsQmFQBAG4ffkarEDK7MOK7MDmzlTYXVlBHGD+dILHBb+xNZ7/9UzfB1wzizCLMIswizCLMIswiyi5c/rtrz04Wmck9ei1zKLMIu4WWKUL+gKXXTRa5lFmEXgJUZxZc/WelT0WmYRZhFmEWYRZhF//8sDZhFmEWYRZhF7AAAA//9vUA9m6N0QYwAAAABJRU5ErkJggg==","name":"bob","added":true,"blocked":false}}
--> {"jsonrpc":"2.0","id":3,"method":"statusd_addContact","params":["0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666",""]}
<-- {"jsonrpc":"2.0","id":3,"result":{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","alias":"Vicious Trivial Goldfinch","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAi0lEQVR4nOzXwQ1AQBBAUWRr0ZJC1KEQLWlmXAVhvwhz+O9Iws8km6FERJNP93fAObMIswizCLOIcn17XqbdlaEfH7yGPifptMwizCJa+r11PFM16PlNOi2zCLMIdyJhFmEWYRZhFmEWcbMTa7y1N7eSTssswiwC/yd+I+m0zCLMIswizCLWAAAA//9FhBtigRZE5gAAAABJRU5ErkJggg==","added":true,"blocked":false}}
--> {"jsonrpc":"2.0","id":4,"method":"statusd_addContact","params":["bad","x"]}
<-- {"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"invalid params: chatKey: messenger: invalid public key: \"bad\""}}
--> {"jsonrpc":"2.0","id":5,"method":"statusd_contacts","params":[]}
<-- {"jsonrpc":"2.0","id":5,"result":[{"id":"0x046f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0","alias":"Longterm Loyal Meadowhawk","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAiElEQVR4nOzYsQmFQBAG4ffkarEDK7MOK7MDmzlTYXVlBHGD+dILHBb+xNZ7/9UzfB1wzizCLMIswizCLMIswiyi5c/rtrz04Wmck9ei1zKLMIu4WWKUL+gKXXTRa5lFmEXgJUZxZc/WelT0WmYRZhFmEWYRZhF//8sDZhFmEWYRZhF7AAAA//9vUA9m6N0QYwAAAABJRU5ErkJggg==","name":"bob","added":true,"blocked":false},{"id":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","alias":"Vicious Trivial Goldfinch","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAi0lEQVR4nOzXwQ1AQBBAUWRr0ZJC1KEQLWlmXAVhvwhz+O9Iws8km6FERJNP93fAObMIswizCLOIcn17XqbdlaEfH7yGPifptMwizCJa+r11PFM16PlNOi2zCLMIdyJhFmEWYRZhFmEWcbMTa7y1N7eSTssswiwC/yd+I+m0zCLMIswizCLWAAAA//9FhBtigRZE5gAAAABJRU5ErkJggg==","added":true,"blocked":false}]}

--> {"jsonrpc":"2.0","id":10,"method":"statusd_installations","params":[]}
<-- {"jsonrpc":"2.0","id":10,"result":[{"id":"inst-self","enabled":true,"own":true,"metadata":{"name":"laptop","device_type":"desktop"},"timestamp":0},{"id":"inst-phone","enabled":false,"own":false,"metadata":{"name":"phone","device_type":"ios","fcm_token":"tok"},"timestamp":1700000000000000000}]}
--> {"jsonrpc":"2.0","id":11,"method":"statusd_pairInstallation","params":["inst-phone"]}
<-- {"jsonrpc":"2.0","id":11,"result":null}
--> {"jsonrpc":"2.0","id":12,"method":"statusd_pairInstallation","params":["nope"]}
<-- {"jsonrpc":"2.0","id":12,"error":{"code":-32602,"message":"invalid params: installationId: encryption: installation not found: nope"}}
--> {"jsonrpc":"2.0","id":13,"method":"statusd_announceInstallation","params":[]}
<-- {"jsonrpc":"2.0","id":13,"result":null}
--> {"jsonrpc":"2.0","id":14,"method":"statusd_installations","params":[]}
<-- {"jsonrpc":"2.0","id":14,"result":[{"id":"inst-self","enabled":true,"own":true,"metadata":{"name":"laptop","device_type":"desktop"},"timestamp":0},{"id":"inst-phone","enabled":true,"own":false,"metadata":{"name":"phone","device_type":"ios","fcm_token":"tok"},"timestamp":1700000000000000000}]}
