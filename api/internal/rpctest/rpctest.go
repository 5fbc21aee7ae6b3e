// Package rpctest replays JSON-RPC transcripts against an in-process
// go-ethereum rpc.Server, in the style of go-ethereum's rpc/testdata: a
// transcript is a text file of lines
//
//	// a comment (kept as is; blank lines too)
//	--> {"jsonrpc":"2.0","id":1,"method":"ns_method","params":[]}
//	<-- {"jsonrpc":"2.0","id":1,"result":…}
//	!! action
//
// "-->" lines are written to one connection to the server, each "<--" line
// is the next line the server must answer, byte for byte, and "!! name"
// runs a step the test supplies (for example, a fake backend publishing
// an event that a subscription pushes). Subscription IDs are random, so
// the ID a "_subscribe" call answers is written $SUB1, $SUB2, … in the
// transcript, in "-->" and "<--" lines alike.
//
// With the environment variable UPDATE_TRANSCRIPTS=1, Replay records
// instead: it rewrites every "<--" line of the file with what the server
// answered (keeping the number of "<--" lines). Expected answers are
// recorded once, from the behaviour the transcript pins down, and checked
// in.
package rpctest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
)

// readTimeout bounds the wait for each answer.
const readTimeout = 5 * time.Second

// Replay runs the transcript at path against srv over a fresh in-memory
// connection, and fails t at the first answer that differs. actions are
// the steps "!! name" lines run, on the test's goroutine. The connection
// is closed before Replay returns.
func Replay(t *testing.T, srv *rpc.Server, path string, actions map[string]func()) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	record := os.Getenv("UPDATE_TRANSCRIPTS") == "1"
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() { defer close(done); srv.ServeCodec(rpc.NewCodec(server), 0) }()
	defer func() { client.Close(); <-done }()

	r := &replayer{t: t, conn: client, in: bufio.NewReader(client), subs: map[string]string{}}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, "--> "):
			r.send(path, i+1, line[4:])
		case strings.HasPrefix(line, "<-- "):
			got := r.receive(path, i+1)
			if record {
				lines[i] = "<-- " + got
			} else if got != line[4:] {
				t.Fatalf("%s:%d: answer differs\n got: %s\nwant: %s", path, i+1, got, line[4:])
			}
		case strings.HasPrefix(line, "!! "):
			fn := actions[strings.TrimSpace(line[3:])]
			if fn == nil {
				t.Fatalf("%s:%d: no action %q", path, i+1, line[3:])
			}
			fn()
		case line == "" || strings.HasPrefix(line, "//"):
		default:
			t.Fatalf("%s:%d: unknown line %q", path, i+1, line)
		}
	}
	if record {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type replayer struct {
	t    *testing.T
	conn net.Conn
	in   *bufio.Reader
	subs map[string]string // placeholder ($SUB1) → subscription ID
	ids  []string          // subscription IDs in order
	last string            // method of the last request
}

func (r *replayer) send(path string, line int, req string) {
	r.t.Helper()
	for ph, id := range r.subs {
		req = strings.ReplaceAll(req, `"`+ph+`"`, `"`+id+`"`)
	}
	var m struct {
		Method string `json:"method"`
	}
	_ = json.Unmarshal([]byte(req), &m) // invalid JSON is a legitimate request
	r.last = m.Method
	r.conn.SetWriteDeadline(time.Now().Add(readTimeout))
	if _, err := r.conn.Write([]byte(req + "\n")); err != nil {
		r.t.Fatalf("%s:%d: write: %v", path, line, err)
	}
}

func (r *replayer) receive(path string, line int) string {
	r.t.Helper()
	r.conn.SetReadDeadline(time.Now().Add(readTimeout))
	b, err := r.in.ReadString('\n')
	if err != nil {
		r.t.Fatalf("%s:%d: read: %v", path, line, err)
	}
	got := strings.TrimSuffix(b, "\n")
	if strings.HasSuffix(r.last, "_subscribe") {
		var m struct {
			Result string `json:"result"`
		}
		if json.Unmarshal([]byte(got), &m) == nil && m.Result != "" {
			ph := fmt.Sprintf("$SUB%d", len(r.ids)+1)
			r.subs[ph] = m.Result
			r.ids = append(r.ids, m.Result)
		}
		r.last = ""
	}
	for i, id := range r.ids {
		got = strings.ReplaceAll(got, `"`+id+`"`, fmt.Sprintf(`"$SUB%d"`, i+1))
	}
	return got
}
