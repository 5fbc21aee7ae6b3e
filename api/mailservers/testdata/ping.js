// mailservers_ping over a fake pinger (nothing is dialled): ms1
// (127.0.0.1:30504) answers in 12.7 ms, ms2 (:30505) in 0.4 ms, which is
// reported as rttMs null without error, as status-go did; :30506 times out,
// :30507 refuses. status-react 1.0 sent timeoutMs 500 and dropped results
// with an error.

--> {"jsonrpc":"2.0","id":1,"method":"mailservers_ping","params":[{"addresses":["enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30504","enode://6f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0@127.0.0.1:30505","enode://4f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1@127.0.0.1:30506","enode://4f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1@127.0.0.1:30507"],"timeoutMs":500}]}
<-- {"jsonrpc":"2.0","id":1,"result":[{"address":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30504","rttMs":12,"error":null},{"address":"enode://6f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0@127.0.0.1:30505","rttMs":null,"error":null},{"address":"enode://4f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1@127.0.0.1:30506","rttMs":null,"error":"tcp check timeout: context deadline exceeded"},{"address":"enode://4f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1@127.0.0.1:30507","rttMs":null,"error":"unable to connect: dial tcp 127.0.0.1:30507: connect: connection refused"}]}
// Unusable URLs get their error without a check; one ip:port is checked
// once and reported under its last URL.
--> {"jsonrpc":"2.0","id":2,"method":"mailservers_ping","params":[{"addresses":["enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30504","not an enode","enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@mail.example.org:30504","enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@[::1]:30504","enode://6f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0@127.0.0.1:30504","enode://abcd@127.0.0.1:30504"],"timeoutMs":500}]}
<-- {"jsonrpc":"2.0","id":2,"result":[{"address":"enode://6f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0@127.0.0.1:30504","rttMs":12,"error":null},{"address":"not an enode","rttMs":null,"error":"invalid URL scheme, want \"enode\""},{"address":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@mail.example.org:30504","rttMs":null,"error":"no IPv4 address: missing ENR key \"ip\""},{"address":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@[::1]:30504","rttMs":null,"error":"no IPv4 address: missing ENR key \"ip\""},{"address":"enode://abcd@127.0.0.1:30504","rttMs":null,"error":"invalid public key (wrong length, want 128 hex chars)"}]}
// No address: [], not null.
--> {"jsonrpc":"2.0","id":3,"method":"mailservers_ping","params":[{"addresses":[],"timeoutMs":500}]}
<-- {"jsonrpc":"2.0","id":3,"result":[]}
--> {"jsonrpc":"2.0","id":4,"method":"mailservers_ping","params":[{"timeoutMs":500}]}
<-- {"jsonrpc":"2.0","id":4,"result":[]}

// Bounds.
--> {"jsonrpc":"2.0","id":5,"method":"mailservers_ping","params":[{"addresses":["enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30504"]}]}
<-- {"jsonrpc":"2.0","id":5,"error":{"code":-32602,"message":"invalid params: timeoutMs: 0 is not between 1 and 60000"}}
--> {"jsonrpc":"2.0","id":6,"method":"mailservers_ping","params":[{"addresses":["enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30504"],"timeoutMs":60001}]}
<-- {"jsonrpc":"2.0","id":6,"error":{"code":-32602,"message":"invalid params: timeoutMs: 60001 is not between 1 and 60000"}}
--> {"jsonrpc":"2.0","id":7,"method":"mailservers_ping","params":[]}
<-- {"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"missing value for required argument 0"}}
--> {"jsonrpc":"2.0","id":8,"method":"mailservers_ping","params":[{"addresses":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30504","timeoutMs":500}]}
<-- {"jsonrpc":"2.0","id":8,"error":{"code":-32602,"message":"invalid argument 0: json: cannot unmarshal string into Go struct field PingQuery.addresses of type []string"}}
