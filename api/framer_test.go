package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

// framesByDecoder is the model: what encoding/json's stream decoder reads as
// top-level objects and arrays, the way go-ethereum reads IPC.
func framesByDecoder(stream []byte) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(stream))
	var out []string
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, true
		}
		if err != nil {
			return out, false
		}
		if v[0] == '{' || v[0] == '[' {
			out = append(out, string(v))
		}
	}
}

// framesByFramer feeds stream in chunks of the given size.
func framesByFramer(stream []byte, chunk int) ([]string, error) {
	f := jsonFramer{limit: 1 << 20}
	var out []string
	for len(stream) > 0 {
		n := min(chunk, len(stream))
		if err := f.feed(stream[:n], func(v []byte) { out = append(out, string(v)) }); err != nil {
			return out, err
		}
		stream = stream[n:]
	}
	return out, nil
}

var framerSeeds = []string{
	`{"id":1,"method":"a"}{"id":2}`,
	` [ {"a":"}"} , {"b":"\"{"} ] ` + "\n" + `{"c":[1,{"d":[]}]}`,
	`"top{level" 12 {"x":"\\"} null [true]`,
	`{"s":"é\u00e9\\\\\"}"}`,
}

func TestJSONFramerMatchesDecoder(t *testing.T) {
	for _, seed := range framerSeeds {
		want, _ := framesByDecoder([]byte(seed))
		for _, chunk := range []int{1, 3, 1000} {
			got, err := framesByFramer([]byte(seed), chunk)
			if err != nil || !equalStrings(got, want) {
				t.Errorf("%q in chunks of %d: framer %q, %v; decoder %q", seed, chunk, got, err, want)
			}
		}
	}
}

func TestJSONFramerLimit(t *testing.T) {
	f := jsonFramer{limit: 10}
	if err := f.feed([]byte(`{"a":1}   {"b":2}`), func([]byte) {}); err != nil {
		t.Fatalf("values under the limit: %v", err)
	}
	if err := f.feed([]byte(`{"a":"0123456789"}`), func([]byte) {}); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("value over the limit: %v", err)
	}
}

// FuzzJSONFramer checks the framer against the decoder on valid streams and
// that it never panics on any input.
func FuzzJSONFramer(f *testing.F) {
	for _, s := range framerSeeds {
		f.Add([]byte(s), uint8(7))
	}
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint8) {
		got, err := framesByFramer(stream, int(chunk)+1)
		want, valid := framesByDecoder(stream)
		if valid && (err != nil || !equalStrings(got, want)) {
			t.Fatalf("framer %q, %v; decoder %q", got, err, want)
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
