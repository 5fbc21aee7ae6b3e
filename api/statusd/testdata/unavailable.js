// A messenger that is stopped, not started, or failing.

!! stop
--> {"jsonrpc":"2.0","id":1,"method":"statusd_joinPublicChat","params":["status"]}
<-- {"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":2,"method":"statusd_sendText","params":["status","hi"]}
<-- {"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":3,"method":"statusd_contactCode","params":[]}
<-- {"jsonrpc":"2.0","id":3,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":4,"method":"statusd_installations","params":[]}
<-- {"jsonrpc":"2.0","id":4,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":5,"method":"statusd_pairInstallation","params":["inst-phone"]}
<-- {"jsonrpc":"2.0","id":5,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":6,"method":"statusd_announceInstallation","params":[]}
<-- {"jsonrpc":"2.0","id":6,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":7,"method":"statusd_addContact","params":["0x046f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0","bob"]}
<-- {"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":8,"method":"statusd_leavePublicChat","params":["status"]}
<-- {"jsonrpc":"2.0","id":8,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":9,"method":"statusd_createGroup","params":["g",[]]}
<-- {"jsonrpc":"2.0","id":9,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":10,"method":"statusd_leaveGroup","params":["g"]}
<-- {"jsonrpc":"2.0","id":10,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
!! not started
--> {"jsonrpc":"2.0","id":11,"method":"statusd_startOneToOne","params":["0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"]}
<-- {"jsonrpc":"2.0","id":11,"error":{"code":-32000,"message":"service unavailable: messenger: not started"}}
!! store breaks
--> {"jsonrpc":"2.0","id":12,"method":"statusd_joinPublicChat","params":["status"]}
<-- {"jsonrpc":"2.0","id":12,"error":{"code":-32000,"message":"messenger: store: disk full"}}
--> {"jsonrpc":"2.0","id":13,"method":"statusd_announceInstallation","params":[]}
<-- {"jsonrpc":"2.0","id":13,"error":{"code":-32000,"message":"messenger: store: disk full"}}
