package interop

import (
	"bufio"
	be "encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/whisper/whisperv6"
	"github.com/statusnode/statusd/interop/whispersuite"
)

// feederProgram is cmd/feeder, BenchmarkIngestExternal's envelope source.
var feederProgram = whispersuite.Program{Name: "feeder", ModuleDir: "interop/whisper-geth", Pkg: "./cmd/feeder"}

// feederProc is a running cmd/feeder.
type feederProc struct {
	enode string
	in    io.WriteCloser
	lines chan string // its stdout after the enode line
}

// startFeeder writes envs as Messages packets of batchSize, encoded as
// p2p.Send encodes them, to a file and starts a feeder that dials target
// with them. It is stopped when b ends.
func startFeeder(b *testing.B, envs []*whisperv6.Envelope, target string) *feederProc {
	b.Helper()
	var file []byte
	for _, body := range encodePackets(b, envs) {
		file = be.BigEndian.AppendUint32(file, uint32(len(body)))
		file = append(file, body...)
	}
	path := filepath.Join(b.TempDir(), "packets")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(whispersuite.Build(b, feederProgram), "-packets", path, "-dial", target)
	whispersuite.KillWithParent(cmd)
	stderr := &whispersuite.SyncBuffer{}
	cmd.Stderr = stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	b.Cleanup(func() {
		in.Close() // the feeder exits on EOF
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if b.Failed() {
			b.Logf("feeder stderr:\n%s", stderr)
		}
	})
	f := &feederProc{in: in, lines: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f.lines <- sc.Text()
		}
		close(f.lines)
	}()
	var first struct {
		Enode string `json:"enode"`
	}
	line := f.next(b, "enode line")
	if err := json.Unmarshal([]byte(line), &first); err != nil || first.Enode == "" {
		b.Fatalf("feeder: first line %q: %v\n%s", line, err, stderr)
	}
	f.enode = first.Enode
	return f
}

func (f *feederProc) next(b *testing.B, what string) string {
	select {
	case line, ok := <-f.lines:
		if !ok {
			b.Fatalf("feeder exited before its %s", what)
		}
		return line
	case <-time.After(whispersuite.StartTimeout):
		b.Fatalf("feeder: no %s within %v", what, whispersuite.StartTimeout)
	}
	return ""
}

// waitReady waits for the feeder's shh/6 handshake with its peer.
func (f *feederProc) waitReady(b *testing.B) {
	if line := f.next(b, "ready line"); strings.TrimSpace(line) != "ready" {
		b.Fatalf("feeder: %q instead of ready", line)
	}
}

// allow lets the feeder send its packets up to the n-th.
func (f *feederProc) allow(b *testing.B, n int) {
	if _, err := fmt.Fprintln(f.in, n); err != nil {
		b.Fatal(err)
	}
}
