package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Dump format: a text file of key-value pairs, for fixtures and golden
// files. Lines starting with '#' and blank lines are comments. Every other
// line is one pair: the key and the value, each written as a Go
// double-quoted ASCII string literal (strconv.QuoteToASCII), separated by one space.
// Pairs appear in key order, so a dump of the same data is byte-identical.

// ErrBadDump is returned by LoadDump for a line that is not a quoted pair.
var ErrBadDump = errors.New("storage: malformed dump")

// WriteDump writes every pair of kv whose key starts with prefix to w, in
// key order, after the given comment lines (each prefixed with "# ").
func WriteDump(w io.Writer, kv KV, prefix []byte, comments ...string) error {
	bw := bufio.NewWriter(w)
	for _, c := range comments {
		fmt.Fprintf(bw, "# %s\n", c)
	}
	err := kv.Iterate(prefix, nil, func(k, v []byte) error {
		_, err := fmt.Fprintf(bw, "%s %s\n", strconv.QuoteToASCII(string(k)), strconv.QuoteToASCII(string(v)))
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: dump: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("storage: dump: %w", err)
	}
	return nil
}

// ReadDump parses a dump and calls fn for each pair in file order. It stops
// at the first error, malformed lines included (ErrBadDump).
func ReadDump(r io.Reader, fn func(key, value []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, err := parseDumpLine(line)
		if err != nil {
			return fmt.Errorf("%w: line %d: %w", ErrBadDump, n, err)
		}
		if err := fn([]byte(k), []byte(v)); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("storage: read dump: %w", err)
	}
	return nil
}

func parseDumpLine(line string) (string, string, error) {
	qk, err := strconv.QuotedPrefix(line)
	if err != nil {
		return "", "", err
	}
	rest, ok := strings.CutPrefix(line[len(qk):], " ")
	if !ok {
		return "", "", errors.New("no space after the key")
	}
	qv, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return "", "", err
	}
	if len(qv) != len(rest) {
		return "", "", errors.New("text after the value")
	}
	k, _ := strconv.Unquote(qk)
	v, _ := strconv.Unquote(qv)
	return k, v, nil
}

// LoadDump writes every pair of a dump into kv in one batch.
func LoadDump(r io.Reader, kv KV) error {
	var b Batch
	if err := ReadDump(r, func(k, v []byte) error { b.Put(k, v); return nil }); err != nil {
		return err
	}
	return kv.Write(&b)
}
