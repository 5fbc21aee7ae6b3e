// Command refnode runs a github.com/status-im/whisper v1.6.2 node (Status's
// Whisper v6 fork, on go-ethereum v1.9.5) as a reference peer for statusd's
// interoperability tests.
//
// It listens for devp2p on 127.0.0.1 (discovery off), serves JSON-RPC over
// HTTP and WebSocket on 127.0.0.1 with the namespaces shh (the fork's
// PublicWhisperAPI, unchanged) and admin (addPeer, removePeer, peers,
// nodeInfo: just enough for a test to wire nodes together), prints one JSON
// line {"impl","enode","http","ws"} on stdout once everything listens, and
// runs until SIGINT/SIGTERM or until its standard input reaches EOF, so a
// test that dies never leaves it behind.
package main

import (
	"crypto/ecdsa"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/status-im/whisper/whisperv6"
)

const impl = "status-im/whisper v1.6.2"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "refnode:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		keyHex    = flag.String("nodekey", "", "devp2p node key, hex (default: random)")
		port      = flag.Int("port", 0, "devp2p TCP port on 127.0.0.1 (0: any free port)")
		rpcPort   = flag.Int("rpcport", 0, "HTTP JSON-RPC port on 127.0.0.1 (0: any free port)")
		wsPort    = flag.Int("wsport", 0, "WebSocket JSON-RPC port on 127.0.0.1 (0: any free port)")
		minPoW    = flag.Float64("minpow", 0.001, "minimum accepted PoW (the fork's default is 0.2; Status uses 0.001)")
		maxSize   = flag.Uint("maxmsgsize", uint(whisperv6.DefaultMaxMessageSize), "maximum accepted message size")
		noConfirm = flag.Bool("disable-confirmations", false, "do not send codes 11/12 (batch acknowledged, message response)")
		verbosity = flag.Int("verbosity", 0, "log level on stderr (0 silent … 5 trace)")
		stdinEOF  = flag.Bool("exit-on-stdin-eof", true, "exit when standard input is closed")
	)
	flag.Parse()
	if *verbosity > 0 {
		log.Root().SetHandler(log.LvlFilterHandler(log.Lvl(*verbosity), log.StreamHandler(os.Stderr, log.TerminalFormat(false))))
	}
	key, err := nodeKey(*keyHex)
	if err != nil {
		return err
	}
	w := whisperv6.New(&whisperv6.Config{
		MaxMessageSize:       uint32(*maxSize),
		MinimumAcceptedPOW:   *minPoW,
		DisableConfirmations: *noConfirm,
	})
	srv := &p2p.Server{Config: p2p.Config{
		PrivateKey:  key,
		Name:        "refnode-status",
		ListenAddr:  fmt.Sprintf("127.0.0.1:%d", *port),
		NoDiscovery: true,
		MaxPeers:    25,
		Protocols:   w.Protocols(),
		Logger:      log.Root(),
	}}
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Stop()
	if err := w.Start(srv); err != nil {
		return err
	}
	defer w.Stop()

	rpcSrv := rpc.NewServer()
	defer rpcSrv.Stop()
	if err := rpcSrv.RegisterName("shh", whisperv6.NewPublicWhisperAPI(w)); err != nil {
		return err
	}
	if err := rpcSrv.RegisterName("admin", &adminAPI{srv: srv}); err != nil {
		return err
	}
	httpURL, closeHTTP, err := serve(*rpcPort, rpcSrv, "http")
	if err != nil {
		return err
	}
	defer closeHTTP()
	wsURL, closeWS, err := serve(*wsPort, rpcSrv.WebsocketHandler([]string{"*"}), "ws")
	if err != nil {
		return err
	}
	defer closeWS()

	line, _ := json.Marshal(map[string]string{
		"impl":  impl,
		"enode": srv.Self().URLv4(),
		"http":  httpURL,
		"ws":    wsURL,
	})
	fmt.Println(string(line))
	waitForExit(*stdinEOF)
	return nil
}

// nodeKey parses a hex secp256k1 key, or makes a random one.
func nodeKey(hexKey string) (*ecdsa.PrivateKey, error) {
	if hexKey == "" {
		return crypto.GenerateKey()
	}
	return crypto.HexToECDSA(hexKey)
}

// serve runs h on 127.0.0.1:port and returns its URL with the given scheme.
func serve(port int, h http.Handler, scheme string) (string, func(), error) {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h}
	go hs.Serve(ln)
	return fmt.Sprintf("%s://%s", scheme, ln.Addr()), func() { hs.Close() }, nil
}

func waitForExit(onStdinEOF bool) {
	done := make(chan struct{}, 2)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() { <-sigs; done <- struct{}{} }()
	if onStdinEOF {
		go func() { io.Copy(io.Discard, os.Stdin); done <- struct{}{} }()
	}
	<-done
}
