package markdown

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// vector is one entry of testdata/vectors.json: a shhext_prepareContent
// parameter and the answer status-go v0.35.1 gave for it.
type vector struct {
	Name     string          `json:"name"`
	Content  json.RawMessage `json:"content"`
	Prepared json.RawMessage `json:"prepared"`
}

// content mirrors status-go v0.35's protocol/v1.Content, the shape of the
// vectors.
type content struct {
	ChatID     string          `json:"chat_id"`
	Text       string          `json:"text"`
	ResponseTo string          `json:"response-to"`
	Name       string          `json:"name"`
	ParsedText json.RawMessage `json:"parsedText"`
	LineCount  int             `json:"lineCount"`
	RTL        bool            `json:"rtl"`
}

func loadVectors(t testing.TB) []vector {
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestVectors checks Parse, LineCount and IsRTL against status-go
// v0.35.1's answers, byte for byte once encoded as status-go encoded them.
func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 20 {
		t.Fatalf("%d vectors, want at least 20", len(vs))
	}
	kinds := map[string]bool{}
	for _, v := range vs {
		var c content
		if err := json.Unmarshal(v.Content, &c); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		tree, err := Parse(c.Text)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		c.ParsedText, c.LineCount, c.RTL = tree, LineCount(c.Text), IsRTL(c.Text)
		got, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Compact(&want, v.Prepared); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s:\n got %s\nwant %s", v.Name, got, want.Bytes())
		}
		for _, k := range []string{"strong", "emph", "code", "codeblock", "blockquote", "status-tag", "link"} {
			if bytes.Contains(tree, []byte(`"type":"`+k+`"`)) {
				kinds[k] = true
			}
		}
		if c.RTL {
			kinds["rtl"] = true
		}
	}
	for _, k := range []string{"strong", "emph", "code", "codeblock", "blockquote", "status-tag", "link", "rtl"} {
		if !kinds[k] {
			t.Errorf("no vector produces %s", k)
		}
	}
}

func TestLimits(t *testing.T) {
	if _, err := Parse(strings.Repeat("a", MaxTextBytes+1)); !errors.Is(err, ErrTooLong) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := Parse(strings.Repeat("*a* ", MaxTextBytes/4)); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	if IsRTL("\xd7") || !IsRTL("\u05d0") || IsRTL("") {
		t.Fatal("IsRTL on a broken, a Hebrew and an empty text")
	}
}

// FuzzParse: the parser is not ours; Parse must answer (a tree or an
// error) for any text and never panic, and a tree is JSON.
func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(f) {
		var c content
		if json.Unmarshal(v.Content, &c) == nil {
			f.Add(c.Text)
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		tree, err := Parse(text)
		if err == nil && !json.Valid(tree) {
			t.Fatalf("invalid JSON for %q", text)
		}
	})
}

// TestPlainMatchesParser: for texts plain accepts, plainTree writes the
// parser's bytes; texts that only look plain are left to the parser.
func TestPlainMatchesParser(t *testing.T) {
	const alphabet = "abcXYZ019 ,?/'"
	rng := rand.New(rand.NewPCG(1, 2))
	texts := []string{"bench 0/12", "hello world", "a  b", "x", "don't", "1/2", "what?"}
	for range 20000 {
		b := make([]byte, 1+rng.IntN(24))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	n := 0
	for _, text := range texts {
		if !plain(text) {
			continue
		}
		n++
		want, err := parse(text)
		if err != nil {
			t.Fatal(err)
		}
		if got := plainTree(text); !bytes.Equal(got, want) {
			t.Fatalf("%q: plain tree %s, parser %s", text, got, want)
		}
	}
	if n < 1000 {
		t.Fatalf("only %d plain texts tried", n)
	}
	for _, text := range []string{"", " a", "a ", "1. a", "# a", "a\nb", "*a*", "www.a.com", "http://a", "a_b_", "<b>", "&amp;", "é"} {
		if plain(text) {
			t.Errorf("%q taken as plain", text)
		}
	}
}

// BenchmarkParse: a short plain text (plainTree) and one with markdown
// (the parser).
func BenchmarkParse(b *testing.B) {
	for _, text := range []string{"bench 0/1234", "bench *0*/1234"} {
		b.Run(strconv.Quote(text), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
