package archive

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/statusnode/statusd/protocol/whisper"
)

// The crash tests re-run this test binary as a child that archives batches
// of envelopes as fast as it can and prints the number of each batch once
// Put has returned. The parent SIGKILLs it mid-stream, reopens the archive
// and checks that every acknowledged batch is there, that every batch is
// whole or absent (Put is atomic), and that every entry decodes, matches
// its hash and is found by a query on its topic.

const (
	envCrashChild = "STATUSD_ARCHIVE_CRASH_CHILD" // "leveldb:<dir>" or "postgres:<schema>"
	crashBatch    = 25                            // envelopes per Put
	crashMaxPuts  = 100000                        // the child stops by itself after this many
	crashKillAt   = 200                           // acknowledged batches before the kill
)

var crashTopics = []whisper.Topic{topicA, topicB, topicC}

// crashEnvelope is envelope i of batch b; its data records (b, i).
func crashEnvelope(b, i int) *whisper.Envelope {
	data := make([]byte, 300)
	binary.BigEndian.PutUint32(data, uint32(b))
	binary.BigEndian.PutUint32(data[4:], uint32(i))
	return &whisper.Envelope{Expiry: 2000000000, TTL: 10, Topic: crashTopics[(b+i)%len(crashTopics)], Data: data}
}

// TestMain turns the test binary into a crash child when envCrashChild is set.
func TestMain(m *testing.M) {
	if spec := os.Getenv(envCrashChild); spec != "" {
		if err := crashChild(spec); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild archives batches until killed (or crashMaxPuts, a safety stop).
func crashChild(spec string) error {
	kind, arg, _ := strings.Cut(spec, ":")
	var a Archive
	var err error
	if kind == "leveldb" {
		a, err = OpenLevelDB(arg)
	} else {
		a, err = OpenPostgres(ctx, os.Getenv(envPostgres), PostgresOptions{Schema: arg})
	}
	if err != nil {
		return err
	}
	for b := 0; b < crashMaxPuts; b++ {
		envs := make([]*whisper.Envelope, crashBatch)
		for i := range envs {
			envs[i] = crashEnvelope(b, i)
		}
		if err := a.Put(ctx, time.Unix(int64(1000+b/10), 0), envs...); err != nil {
			return err
		}
		fmt.Printf("acked %d\n", b)
	}
	return a.Close()
}

// runCrashChild starts the child, waits for crashKillAt acknowledged
// batches, kills it with SIGKILL and returns the last acknowledged batch.
func runCrashChild(t *testing.T, spec string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envCrashChild+"="+spec)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := -1
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "acked %d", &acked); err == nil && acked >= crashKillAt {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, out) // the dead child's end is closed: EOF
	werr := cmd.Wait()
	if acked < crashKillAt {
		t.Fatalf("child acknowledged only %d batches (%v)", acked, werr)
	}
	return acked
}

// checkAfterCrash verifies the reopened archive against the acknowledged batches.
func checkAfterCrash(t *testing.T, a Archive, acked int) {
	t.Helper()
	perBatch := map[int]int{}
	q := Query{From: 0, To: ^uint32(0), Bloom: whisper.FullBloom(), Limit: MaxLimit}
	total := 0
	for {
		p := mustQuery(t, a, q)
		checkOrdered(t, p)
		for _, e := range p.Entries {
			b := int(binary.BigEndian.Uint32(e.Envelope.Data))
			i := int(binary.BigEndian.Uint32(e.Envelope.Data[4:]))
			if e.Envelope.Hash() != crashEnvelope(b, i).Hash() {
				t.Fatalf("entry (%d, %d) is not what was written", b, i)
			}
			perBatch[b]++
		}
		total += len(p.Entries)
		if p.Next == nil {
			break
		}
		q.Cursor = p.Next
	}
	mustCount(t, a, total)
	for b := 0; b <= acked; b++ {
		if perBatch[b] != crashBatch {
			t.Fatalf("acknowledged batch %d has %d of %d envelopes", b, perBatch[b], crashBatch)
		}
	}
	for b, n := range perBatch {
		if n != crashBatch {
			t.Fatalf("batch %d is torn: %d of %d envelopes", b, n, crashBatch)
		}
	}
	// Each topic's entries are found through the topic index alone.
	for _, topic := range crashTopics {
		p := mustQuery(t, a, Query{To: ^uint32(0), Topics: []whisper.Topic{topic}, Limit: 5})
		for _, e := range p.Entries {
			if e.Envelope.Topic != topic {
				t.Fatalf("topic query returned topic %s", e.Envelope.Topic)
			}
		}
	}
	// The archive still takes writes.
	mustPut(t, a, 5000, env(topicA, 1))
	mustCount(t, a, total+1)
	t.Logf("after kill -9: %d batches acknowledged, %d envelopes archived", acked+1, total)
}

func TestLevelDBCrash(t *testing.T) {
	dir := t.TempDir()
	acked := runCrashChild(t, "leveldb:"+dir)
	checkAfterCrash(t, openLevelDBAt(t, dir), acked)
}

func TestPostgresCrash(t *testing.T) {
	dsn := postgresDSN(t)
	schema := newSchemaName(t)
	t.Cleanup(func() { dropSchema(t, dsn, schema) })
	openPostgresSchema(t, dsn, schema).Close() // create the schema before the child races for it
	acked := runCrashChild(t, "postgres:"+schema)
	checkAfterCrash(t, openPostgresSchema(t, dsn, schema), acked)
}
