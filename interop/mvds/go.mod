module github.com/statusnode/statusd/interop/mvds

go 1.26

require (
	github.com/golang/protobuf v1.5.2
	github.com/statusnode/statusd v0.0.0
	github.com/vacp2p/mvds v0.0.24-0.20201124060106-26d8e94130d8
)

require (
	github.com/golang/snappy v1.0.1-0.20260716114414-9ae09f520e93 // indirect
	github.com/syndtr/goleveldb v1.0.1-0.20220614013038-64ee5596c38a // indirect
	go.uber.org/multierr v1.10.0 // indirect
	go.uber.org/zap v1.28.0 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace github.com/statusnode/statusd => ../..
