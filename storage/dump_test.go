package storage

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// A dump lists the pairs under a prefix in key order, binary bytes
// included, and loads back into an equal store on either backend.
func TestDumpRoundTrip(t *testing.T) {
	backends(t, func(t *testing.T, open func() Store) {
		s := open()
		var b Batch
		b.Put([]byte("t:b"), []byte("{\"x\":\"y z\"}"))
		b.Put([]byte("t:a\x00\xff"), nil)
		b.Put([]byte("t:c"), []byte("line\nbreak \"quoted\" \x01"))
		b.Put([]byte("u:other"), []byte("not dumped"))
		if err := s.Write(&b); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := WriteDump(&out, s, []byte("t:"), "a comment"); err != nil {
			t.Fatal(err)
		}
		want := "# a comment\n" +
			`"t:a\x00\xff" ""` + "\n" +
			`"t:b" "{\"x\":\"y z\"}"` + "\n" +
			`"t:c" "line\nbreak \"quoted\" \x01"` + "\n"
		if out.String() != want {
			t.Fatalf("dump:\n%s\nwant:\n%s", out.String(), want)
		}
		m := NewMemory()
		if err := LoadDump(strings.NewReader(out.String()), m); err != nil {
			t.Fatal(err)
		}
		var again bytes.Buffer
		WriteDump(&again, m, nil, "a comment")
		if again.String() != want {
			t.Fatalf("reloaded dump differs:\n%s", again.String())
		}
	})
}

func TestReadDumpRejectsMalformedLines(t *testing.T) {
	for _, bad := range []string{`"k"`, `"k""v"`, `"k" "v" x`, `k "v"`, `"k" "v`} {
		err := ReadDump(strings.NewReader(bad+"\n"), func(_, _ []byte) error { return nil })
		if !errors.Is(err, ErrBadDump) {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
}
