// Command statusctl controls a running statusd over JSON-RPC.
//
//	statusctl [flags] info                  node identity, endpoints and peer count
//	statusctl [flags] peers                 connected peers
//	statusctl [flags] peer add ENODE        connect to a peer and keep it connected
//	statusctl [flags] peer remove ENODE     disconnect a peer
//	statusctl [flags] call METHOD [PARAM…]  any JSON-RPC method; each PARAM is JSON,
//	                                        or a plain string when it is not valid JSON
//	statusctl [flags] join NAME             join a public chat
//	statusctl [flags] send CHAT TEXT…       send a text (CHAT: public name, 0x04… key, group ID)
//	statusctl [flags] chats                 list chats
//	statusctl [flags] messages [--limit N] CHAT   a chat's newest messages, oldest first
//	statusctl [flags] contacts              list contacts
//	statusctl [flags] installations         list our devices
//	statusctl [flags] watch [--count N] [TYPE…]   stream events (IPC or WebSocket)
//
// By default it talks to <datadir>/statusd.ipc. With --rpc URL it uses HTTP
// or WebSocket and sends the bearer token from --token (default
// <datadir>/rpc.token).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rpc"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

type options struct {
	datadir, ipc, url, token string
	json                     bool
	timeout                  time.Duration
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("statusctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	defDir := getenv("STATUSD_DATADIR")
	if defDir == "" {
		defDir = "data"
	}
	fs.StringVar(&o.datadir, "datadir", defDir, "statusd data directory (env STATUSD_DATADIR)")
	fs.StringVar(&o.ipc, "ipc", "", "IPC socket path (default <datadir>/statusd.ipc)")
	fs.StringVar(&o.url, "rpc", "", "HTTP or WebSocket endpoint URL instead of IPC, e.g. http://127.0.0.1:8545")
	fs.StringVar(&o.token, "token", "", "bearer token file for --rpc (default <datadir>/rpc.token)")
	fs.BoolVar(&o.json, "json", false, "print JSON for scripts")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: statusctl [flags] info | peers | peer add ENODE | peer remove ENODE | call METHOD [PARAM…] | "+chatUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	client, err := dial(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "statusctl: %v\n", err)
		return 1
	}
	defer client.Close()
	if err := command(ctx, client, o, fs.Args(), stdout); err != nil {
		fmt.Fprintf(stderr, "statusctl: %v\n", err)
		var usage usageError
		if errors.As(err, &usage) {
			return 2
		}
		return 1
	}
	return 0
}

type usageError string

func (e usageError) Error() string { return string(e) }

func dial(ctx context.Context, o options) (*rpc.Client, error) {
	if o.url == "" {
		path := o.ipc
		if path == "" {
			path = filepath.Join(o.datadir, "statusd.ipc")
		}
		c, err := rpc.DialIPC(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w (is statusd running? use --datadir, --ipc or --rpc)", path, err)
		}
		return c, nil
	}
	var opts []rpc.ClientOption
	tokenFile := o.token
	if tokenFile == "" {
		tokenFile = filepath.Join(o.datadir, "rpc.token")
	}
	if data, err := os.ReadFile(tokenFile); err == nil {
		opts = append(opts, rpc.WithHeader("Authorization", "Bearer "+strings.TrimSpace(string(data))))
	} else if o.token != "" {
		return nil, fmt.Errorf("token file: %w", err)
	}
	c, err := rpc.DialOptions(ctx, o.url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", o.url, err)
	}
	return c, nil
}

func command(ctx context.Context, c *rpc.Client, o options, args []string, out io.Writer) error {
	switch args[0] {
	case "info":
		return info(ctx, c, o, out)
	case "peers":
		return peers(ctx, c, o, out)
	case "peer":
		if len(args) != 3 || (args[1] != "add" && args[1] != "remove") {
			return usageError("usage: statusctl peer add|remove ENODE")
		}
		method := map[string]string{"add": "admin_addPeer", "remove": "admin_removePeer"}[args[1]]
		var ok bool
		if err := c.CallContext(ctx, &ok, method, args[2]); err != nil {
			return err
		}
		return printResult(out, o.json, ok, fmt.Sprintf("%s: %v\n", method, ok))
	case "call":
		if len(args) < 2 {
			return usageError("usage: statusctl call METHOD [PARAM…]")
		}
		return call(ctx, c, args[1], args[2:], out)
	default:
		if ok, err := chatCommand(ctx, c, o, args, out); ok {
			return err
		}
		return usageError(fmt.Sprintf("unknown command %q (info, peers, peer, call, %s)", args[0], strings.ReplaceAll(chatUsage, " | ", ", ")))
	}
}

func info(ctx context.Context, c *rpc.Client, o options, out io.Writer) error {
	var ni p2p.NodeInfo
	var version string
	var peerCount string
	if err := c.CallContext(ctx, &ni, "admin_nodeInfo"); err != nil {
		return err
	}
	if err := c.CallContext(ctx, &version, "web3_clientVersion"); err != nil {
		return err
	}
	if err := c.CallContext(ctx, &peerCount, "net_peerCount"); err != nil {
		return err
	}
	if o.json {
		return printJSON(out, map[string]any{"version": version, "nodeInfo": ni, "peerCount": peerCount})
	}
	protos := make([]string, 0, len(ni.Protocols))
	for name := range ni.Protocols {
		protos = append(protos, name)
	}
	fmt.Fprintf(out, "version:   %s\nenode:     %s\nlisten:    %s\nprotocols: %s\npeers:     %s\n",
		version, ni.Enode, ni.ListenAddr, strings.Join(protos, ", "), hexToDecimal(peerCount))
	return nil
}

func peers(ctx context.Context, c *rpc.Client, o options, out io.Writer) error {
	var ps []*p2p.PeerInfo
	if err := c.CallContext(ctx, &ps, "admin_peers"); err != nil {
		return err
	}
	if o.json {
		return printJSON(out, ps)
	}
	if len(ps) == 0 {
		fmt.Fprintln(out, "no peers")
		return nil
	}
	for _, p := range ps {
		dir := "outbound"
		if p.Network.Inbound {
			dir = "inbound"
		}
		fmt.Fprintf(out, "%s  %-21s  %-8s  %s\n", shortID(p.ID), p.Network.RemoteAddress, dir, p.Name)
	}
	return nil
}

func call(ctx context.Context, c *rpc.Client, method string, rawParams []string, out io.Writer) error {
	params := make([]any, len(rawParams))
	for i, p := range rawParams {
		if json.Valid([]byte(p)) {
			params[i] = json.RawMessage(p)
		} else {
			params[i] = p
		}
	}
	var result json.RawMessage
	if err := c.CallContext(ctx, &result, method, params...); err != nil {
		return err
	}
	return printJSON(out, result)
}

func printJSON(out io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", data)
	return err
}

func printResult(out io.Writer, asJSON bool, v any, text string) error {
	if asJSON {
		return printJSON(out, v)
	}
	_, err := io.WriteString(out, text)
	return err
}

func shortID(id string) string {
	if len(id) > 16 {
		return id[:16]
	}
	return id
}

func hexToDecimal(h string) string {
	var n uint64
	if _, err := fmt.Sscanf(h, "0x%x", &n); err != nil {
		return h
	}
	return fmt.Sprint(n)
}
