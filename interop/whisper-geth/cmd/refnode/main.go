// Command refnode runs a go-ethereum v1.9.20 whisperv6 node as a reference
// peer for statusd's interoperability tests.
//
// It listens for devp2p on 127.0.0.1 (discovery off), serves JSON-RPC over
// HTTP and WebSocket on 127.0.0.1 with the namespaces shh (geth's
// PublicWhisperAPI, unchanged), admin (addPeer, removePeer, peers,
// nodeInfo: just enough for a test to wire nodes together) and debug
// (requestHistory: a history request as geth's whisperv6 client sends it,
// see mailserver.go), prints one JSON line {"impl","enode","http","ws"} on
// stdout once everything listens, and runs until SIGINT/SIGTERM or until
// its standard input reaches EOF, so a test that dies never leaves it
// behind. With -mailserver.password (or $REFNODE_MAILSERVER_PASSWORD) it
// also runs go-ethereum's whisper/mailserver.
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
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/ethereum/go-ethereum/whisper/whisperv6"
)

const impl = "go-ethereum v1.9.20 whisperv6"

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
		minPoW    = flag.Float64("minpow", 0.001, "minimum accepted PoW (geth's default is 0.2; Status uses 0.001)")
		maxSize   = flag.Uint("maxmsgsize", uint(whisperv6.DefaultMaxMessageSize), "maximum accepted message size")
		verbosity = flag.Int("verbosity", 0, "log level on stderr (0 silent … 5 trace)")
		stdinEOF  = flag.Bool("exit-on-stdin-eof", true, "exit when standard input is closed")
		msPass    = flag.String("mailserver.password", os.Getenv("REFNODE_MAILSERVER_PASSWORD"),
			"run go-ethereum's whisper/mailserver with this password (empty: no mailserver; default from $REFNODE_MAILSERVER_PASSWORD)")
	)
	flag.Parse()
	if *verbosity > 0 {
		log.Root().SetHandler(log.LvlFilterHandler(log.Lvl(*verbosity), log.StreamHandler(os.Stderr, log.TerminalFormat(false))))
	}
	key, err := nodeKey(*keyHex)
	if err != nil {
		return err
	}
	stack, err := node.New(&node.Config{
		Name:  "refnode-geth",
		NoUSB: true,
		P2P: p2p.Config{
			PrivateKey:  key,
			ListenAddr:  fmt.Sprintf("127.0.0.1:%d", *port),
			NoDiscovery: true,
			MaxPeers:    25,
			NAT:         nil,
		},
	})
	if err != nil {
		return err
	}
	defer stack.Close()
	w, err := whisperv6.New(stack, &whisperv6.Config{
		MaxMessageSize:     uint32(*maxSize),
		MinimumAcceptedPOW: *minPoW,
	})
	if err != nil {
		return err
	}
	if err := stack.Start(); err != nil {
		return err
	}
	if *msPass != "" {
		closeMS, err := startMailServer(w, *msPass, *minPoW)
		if err != nil {
			return err
		}
		defer closeMS()
	}

	srv := rpc.NewServer()
	defer srv.Stop()
	if err := srv.RegisterName("shh", whisperv6.NewPublicWhisperAPI(w)); err != nil {
		return err
	}
	if err := srv.RegisterName("admin", &adminAPI{srv: stack.Server()}); err != nil {
		return err
	}
	if err := srv.RegisterName("debug", &historyAPI{w: w, key: key, pow: *minPoW}); err != nil {
		return err
	}
	httpURL, closeHTTP, err := serve(*rpcPort, srv, "http")
	if err != nil {
		return err
	}
	defer closeHTTP()
	wsURL, closeWS, err := serve(*wsPort, srv.WebsocketHandler([]string{"*"}), "ws")
	if err != nil {
		return err
	}
	defer closeWS()

	line, _ := json.Marshal(map[string]string{
		"impl":  impl,
		"enode": stack.Server().Self().URLv4(),
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
