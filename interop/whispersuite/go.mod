module github.com/statusnode/statusd/interop/whispersuite

go 1.26
