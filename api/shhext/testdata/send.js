// Sending over fakes: shhext_post is shh_post (a fake here); the Status
// methods send the Transit chat message a frontend built, as given.

--> {"jsonrpc":"2.0","id":1,"method":"shhext_post","params":[{"symKeyID":"k","topic":"0xcd423760","payload":"0x68656c6c6f","ttl":60,"powTime":1,"powTarget":0.002}]}
<-- {"jsonrpc":"2.0","id":1,"result":"0x5f1e"}
--> {"jsonrpc":"2.0","id":2,"method":"shhext_post","params":[{"symKeyID":"fail","topic":"0xcd423760"}]}
<-- {"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"invalid params: symKeyID: whisper: key not found: symmetric key fail"}}
--> {"jsonrpc":"2.0","id":3,"method":"shhext_post","params":[{"symKeyID":"k","topic":"0x0102030405"}]}
<-- {"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"invalid argument 0: topic: whisper: invalid topic: 5 bytes, want 1 to 4"}}

--> {"jsonrpc":"2.0","id":10,"method":"shhext_sendPublicMessage","params":[{"sig":"ignored","chat":"status","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d"}]}
<-- {"jsonrpc":"2.0","id":10,"result":"0x0000000000000000000000000000000000000000000000000000000000000001"}
--> {"jsonrpc":"2.0","id":11,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"0x5b227e236334222c5b5b225e20222c227e3a636861742d6964222c22737461747573222c227e3a68617368222c22653330313031222c227e3a7061636b222c312c227e3a74657874222c2255706461746520746f206c61746573742076657273696f6e20746f207365652061206e69636520737469636b6572206865726521225d2c22737469636b6572222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135373030303030303030303030312c313537303030303030303030305d5d"}]}
<-- {"jsonrpc":"2.0","id":11,"result":"0x0000000000000000000000000000000000000000000000000000000000000002"}
--> {"jsonrpc":"2.0","id":12,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"0x5b227e236335222c5b5d5d"}]}
<-- {"jsonrpc":"2.0","id":12,"error":{"code":-32602,"message":"invalid params: payload: c5 payloads are not sent through this method by statusd"}}
--> {"jsonrpc":"2.0","id":13,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"0x"}]}
<-- {"jsonrpc":"2.0","id":13,"error":{"code":-32602,"message":"invalid params: payload: empty"}}
--> {"jsonrpc":"2.0","id":14,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"0x6869"}]}
<-- {"jsonrpc":"2.0","id":14,"error":{"code":-32602,"message":"invalid params: payload: rule transit: message: invalid transit: transit: invalid JSON: unexpected character at offset 0"}}
--> {"jsonrpc":"2.0","id":15,"method":"shhext_sendPublicMessage","params":[{"chat":"Not Valid","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d"}]}
<-- {"jsonrpc":"2.0","id":15,"error":{"code":-32602,"message":"invalid params: chat: messenger: invalid public chat name: \"Not Valid\""}}
--> {"jsonrpc":"2.0","id":16,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"zz"}]}
<-- {"jsonrpc":"2.0","id":16,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal hex string without 0x prefix into Go struct field SendPublicMessageRequest.payload of type hexutil.Bytes"}}

--> {"jsonrpc":"2.0","id":20,"method":"shhext_sendDirectMessage","params":[{"pubKey":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d","DH":true,"chat":"x","sig":"y"}]}
<-- {"jsonrpc":"2.0","id":20,"result":"0x0000000000000000000000000000000000000000000000000000000000000003"}
--> {"jsonrpc":"2.0","id":21,"method":"shhext_sendDirectMessage","params":[{"pubKey":"0x04","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d"}]}
<-- {"jsonrpc":"2.0","id":21,"error":{"code":-32602,"message":"invalid params: pubKey: not a 65-byte secp256k1 public key: invalid secp256k1 public key"}}
--> {"jsonrpc":"2.0","id":22,"method":"shhext_sendDirectMessage","params":[{"pubKey":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","payload":"0x5b227e236334222c5b5b225e20222c227e3a636861742d6964222c22737461747573222c227e3a68617368222c22653330313031222c227e3a7061636b222c312c227e3a74657874222c2255706461746520746f206c61746573742076657273696f6e20746f207365652061206e69636520737469636b6572206865726521225d2c22737469636b6572222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135373030303030303030303030312c313537303030303030303030305d5d"}]}
<-- {"jsonrpc":"2.0","id":22,"result":"0x0000000000000000000000000000000000000000000000000000000000000004"}
!! stop
--> {"jsonrpc":"2.0","id":23,"method":"shhext_sendDirectMessage","params":[{"pubKey":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d"}]}
<-- {"jsonrpc":"2.0","id":23,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}
--> {"jsonrpc":"2.0","id":24,"method":"shhext_sendPublicMessage","params":[{"chat":"status","payload":"0x5b227e236334222c5b22616263313233222c22746578742f706c61696e222c227e3a7075626c69632d67726f75702d757365722d6d657373616765222c3135343539333037373336383230312c313534353933303737333638322c5b225e20222c227e3a636861742d6964222c2274657374696e672d6164616d62222c227e3a74657874222c22616263313233225d5d5d"}]}
<-- {"jsonrpc":"2.0","id":24,"error":{"code":-32000,"message":"service unavailable: messenger: stopped"}}

--> {"jsonrpc":"2.0","id":30,"method":"shhext_confirmMessagesProcessedByID","params":[[{"dedupId":"0x01","encryptionId":"0x02","messageId":"0x03","author":"0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"}]]}
<-- {"jsonrpc":"2.0","id":30,"result":null}
--> {"jsonrpc":"2.0","id":31,"method":"shhext_confirmMessagesProcessedByID","params":[[]]}
<-- {"jsonrpc":"2.0","id":31,"result":null}
