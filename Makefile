# statusd — see README.md. Every target works on a fresh machine with Go.

GO       ?= go
BUILD    := build
VERSION  ?= 0.1.0-dev
COMMIT   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -s -w -X github.com/statusnode/statusd/internal/version.Version=$(VERSION) \
            -X github.com/statusnode/statusd/internal/version.Commit=$(COMMIT)
FUZZTIME ?= 10s
FUZZ ?= .
DATADIR  ?= ./data
# The password `make run` uses; statusd warns that it is for development only.
DEV_PASSWORD := statusd-dev-password

.PHONY: all build run test systemd-verify interop interop-whisper bench-interop-whisper race bench fuzz lint proto configs docs clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BUILD)/statusd ./cmd/statusd
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BUILD)/statusctl ./cmd/statusctl

# Runs a node on the embedded defaults in ./data with HTTP and WebSocket
# JSON-RPC on localhost, offline: no discovery, no fleet and no SNTP queries,
# so it reaches only the peers added to it (admin_addPeer). Extra flags, which win:
# make run ARGS='--log.level debug'.
run: build
	@echo "make run: starting statusd in $(DATADIR) with the DEVELOPMENT password '$(DEV_PASSWORD)' (for development only)"
	STATUSD_PASSWORD='$(DEV_PASSWORD)' $(BUILD)/statusd --datadir $(DATADIR) --http --ws --nodiscover --ntp.enabled=false --fleet none $(ARGS)

# scripts/postgres.sh run: a throwaway PostgreSQL for the archive tests,
# stopped when the command ends (installs Debian's postgresql if missing).
test:
	bash scripts/postgres.sh run $(GO) test -count=1 -timeout 15m ./...
	$(MAKE) systemd-verify
	$(MAKE) interop

# systemd-analyze verify on contrib/systemd/statusd.service (skipped with a
# message outside CI when systemd-analyze is missing; .ci/run installs it).
systemd-verify:
	GO=$(GO) bash scripts/systemd-verify.sh

# Interoperability tests against reference implementations. Each lives in its
# own Go module under interop/, which `go test ./...` at the root skips.
interop:
	cd interop/mvds && $(GO) test -count=1 ./...
	$(MAKE) interop-whisper

# Whisper v6 against go-ethereum v1.9.20 and status-im/whisper v1.6.2: one
# module each, since they need different go-ethereum versions, both calling
# the harness and checks of interop/whispersuite (standard library only).
interop-whisper:
	cd interop/whispersuite && $(GO) test -count=1 ./...
	cd interop/whisper-geth && $(GO) test -count=1 ./...
	cd interop/whisper-status && $(GO) test -count=1 ./...

race:
	bash scripts/postgres.sh run $(GO) test -count=1 -race -timeout 20m ./...

# scripts/startup-bench.sh: statusd and a bare go-ethereum v1.9.20 Whisper
# node (interop/whisper-geth/cmd/refnode) run after run, start-up to
# RPC-ready without key derivation and idle RSS, medians and ratios.
# Sizes: STATUSD_BENCH_MESSAGES (1:1 burst, default 1000, after an
# unmeasured warm-up burst of STATUSD_BENCH_WARMUP, default 2000) and
# STATUSD_BENCH_CATCHUP (messages each catch-up benchmark fills from the
# mailserver, default 10000), from the environment:
# STATUSD_BENCH_CATCHUP=100000 make bench. The PostgreSQL catch-up
# (BenchmarkCatchUpPublicPostgres) uses the server postgres.sh starts.
# STATUSD_TEST_BINARY=path runs the e2e benchmarks on another statusd build
# (e.g. main's, for a before/after on the same machine in one run).
bench: build
	bash scripts/postgres.sh run $(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...
	GO=$(GO) bash scripts/startup-bench.sh $(BUILD)/statusd 7
	$(MAKE) bench-interop-whisper

# statusd beside go-ethereum v1.9.20 whisperv6, fed the same envelopes over
# loopback devp2p: ingest into a filter (envelopes per second and per
# CPU-second of the node; five runs, each run's statusd/geth ratios and
# their medians, by scripts/ingest-ratio.sh),
# the same with the feeder in its own process, per-hop latency in a 3-node
# line, and the node's CPU time for one polled shh_getFilterMessages call.
# Ingest's count is a multiple of its 128-envelope packets (see
# BenchmarkIngest).
bench-interop-whisper:
	GO=$(GO) bash scripts/ingest-ratio.sh 5
	cd interop/whisper-geth && $(GO) test -run '^$$' -bench IngestExternal -benchtime 64000x -timeout 10m .
	cd interop/whisper-geth && $(GO) test -run '^$$' -bench ForwardLatency -benchtime 1000x -timeout 10m .
	cd interop/whisper-geth && $(GO) test -run '^$$' -bench PollCost -benchtime 2000x -timeout 10m .

fuzz:
	bash scripts/fuzz.sh $(FUZZTIME) '$(FUZZ)'

# staticcheck is pinned by a `tool` directive in tools/go.mod, a module of its
# own so that the root go.mod carries none of its dependencies; it is built
# from there into build/ (nothing installed globally, checksums in
# tools/go.sum) and checks the root module. Its SA1019 findings on ecdsa's
# X/Y/D are silenced file by file (//lint:file-ignore), since secp256k1 keys
# have no other accessors.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd interop/mvds && $(GO) vet ./...
	cd interop/whispersuite && $(GO) vet ./...
	cd interop/whisper-geth && $(GO) vet ./...
	cd interop/whisper-status && $(GO) vet ./...
	$(GO) -C tools build -o ../$(BUILD)/staticcheck honnef.co/go/tools/cmd/staticcheck
	$(BUILD)/staticcheck ./...

# Regenerates the committed .pb.go files (needs Debian's protobuf-compiler).
proto:
	bash scripts/proto.sh

# Regenerates configs/statusd.example.toml from the embedded defaults.
configs:
	env -u STATUSD_CONFIG $(GO) run ./cmd/statusd dumpconfig > configs/statusd.example.toml

# Regenerates api/apidocs from the doc comments under api/, then docs/API.md
# from the OpenRPC document rpc_discover returns.
docs:
	cd api && $(GO) generate .
	$(GO) run ./internal/tools/apidoc/markdown -o docs/API.md

clean:
	rm -rf $(BUILD)
