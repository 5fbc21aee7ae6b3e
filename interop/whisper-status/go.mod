module github.com/statusnode/statusd/interop/whisper-status

go 1.26

require (
	github.com/ethereum/go-ethereum v1.9.5
	github.com/status-im/whisper v1.6.2
	github.com/statusnode/statusd/interop/whispersuite v0.0.0
)

require (
	github.com/StackExchange/wmi v0.0.0-20180116203802-5d049714c4a6 // indirect
	github.com/aristanetworks/goarista v0.0.0-20181002214814-33151c4543a7 // indirect
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/btcsuite/btcd v0.0.0-20181013004428-67e573d211ac // indirect
	github.com/cespare/xxhash/v2 v2.1.0 // indirect
	github.com/deckarep/golang-set v1.7.1 // indirect
	github.com/elastic/gosigar v0.0.0-20180330100440-37f05ff46ffa // indirect
	github.com/go-ole/go-ole v1.2.1 // indirect
	github.com/go-stack/stack v1.8.0 // indirect
	github.com/golang/protobuf v1.3.2 // indirect
	github.com/golang/snappy v0.0.0-20180518054509-2e65f85255db // indirect
	github.com/gorilla/websocket v1.4.1 // indirect
	github.com/huin/goupnp v1.0.0 // indirect
	github.com/jackpal/go-nat-pmp v1.0.1 // indirect
	github.com/matttproud/golang_protobuf_extensions v1.0.1 // indirect
	github.com/pkg/errors v0.8.1 // indirect
	github.com/prometheus/client_golang v1.2.1 // indirect
	github.com/prometheus/client_model v0.0.0-20190812154241-14fe0d1b01d4 // indirect
	github.com/prometheus/common v0.7.0 // indirect
	github.com/prometheus/procfs v0.0.5 // indirect
	github.com/rs/cors v1.6.0 // indirect
	github.com/syndtr/goleveldb v0.0.0-20181128100959-b001fa50d6b2 // indirect
	github.com/tsenart/tb v0.0.0-20181025101425-0d2499c8b6e9 // indirect
	golang.org/x/crypto v0.0.0-20190308221718-c2843e01d9a2 // indirect
	golang.org/x/net v0.0.0-20190613194153-d28f0bde5980 // indirect
	golang.org/x/sync v0.0.0-20181221193216-37e7f081c4d4 // indirect
	golang.org/x/sys v0.0.0-20191010194322-b09406accb47 // indirect
	golang.org/x/text v0.3.0 // indirect
	gopkg.in/natefinch/npipe.v2 v2.0.0-20160621034901-c1b8fa8bdcce // indirect
)

// status-im/whisper v1.6.2 is built against go-ethereum v1.9.5 as Status
// shipped it: its own go.mod carries this replace (a module's replaces do
// not apply to its dependants, so it is repeated here). The fork only adds
// p2p.Server.DeletePeer, keystore and metrics tweaks, and its own in-tree
// whisperv6 that this module does not import.
replace github.com/ethereum/go-ethereum v1.9.5 => github.com/status-im/go-ethereum v1.9.5-status.4

// The Whisper harness and checks, shared with ../whisper-geth: a module of
// this repository that uses the standard library only.
replace github.com/statusnode/statusd/interop/whispersuite => ../whispersuite
