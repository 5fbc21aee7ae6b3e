package markdown

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
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
