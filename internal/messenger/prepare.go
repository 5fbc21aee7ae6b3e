package messenger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/statusnode/statusd/protocol/markdown"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/transit"
)

// Collapse thresholds of status-react's should-collapse? (constants.cljs).
const (
	collapseChars = 600 // UTF-16 code units, ClojureScript's count
	collapseLines = 20
)

// prepare adds to c what the status-react build pinned to status-go
// v0.35.1 added to every content it sent, from shhext_prepareContent: the
// text's markdown tree (parsed-text, read from JSON with keyword keys as
// its json->clj did), line-count, should-collapse? and rtl?. Our natively
// sent messages are then byte for byte what that client sent.
func prepare(c *message.Content) error {
	tree, err := markdown.Parse(c.Text)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	parsed, ok := plainTransit(tree)
	if !ok {
		parsed, err = jsonToTransit(tree)
	}
	if err != nil {
		return fmt.Errorf("%w: markdown tree: %w", ErrInvalidMessage, err)
	}
	lines := markdown.LineCount(c.Text)
	collapse := len(utf16.Encode([]rune(c.Text))) >= collapseChars || lines+1 >= collapseLines
	c.SetPrepared(parsed, int64(lines), collapse, markdown.IsRTL(c.Text))
	return nil
}

// The tree markdown.Parse returns for a text that is one literal
// paragraph (most chat texts), around the literal's JSON string body.
const plainTreeOpen, plainTreeClose = `[{"type":"paragraph","children":[{"literal":"`, `"}]}]`

// plainTransit is jsonToTransit's result for a tree that is one literal
// paragraph whose string needs no JSON unescaping, built without a JSON
// decoder (whose token reader cost ~2 % of a sender's CPU per short text);
// ok is false for any other tree. TestPlainTransitMatchesJSON holds the
// two to the same values.
func plainTransit(tree []byte) (v any, ok bool) {
	if len(tree) < len(plainTreeOpen)+len(plainTreeClose) ||
		!bytes.HasPrefix(tree, []byte(plainTreeOpen)) || !bytes.HasSuffix(tree, []byte(plainTreeClose)) {
		return nil, false
	}
	lit := tree[len(plainTreeOpen) : len(tree)-len(plainTreeClose)]
	if bytes.ContainsAny(lit, "\"\\") || !utf8.Valid(lit) {
		return nil, false // escapes, or not one literal: the general path decides
	}
	for _, c := range lit {
		if c < 0x20 {
			return nil, false // not valid JSON: the general path reports it
		}
	}
	literal := &transit.Map{Entries: []transit.Entry{{Key: transit.Keyword("literal"), Value: string(lit)}}}
	return []any{&transit.Map{Entries: []transit.Entry{
		{Key: transit.Keyword("type"), Value: "paragraph"},
		{Key: transit.Keyword("children"), Value: []any{literal}},
	}}}, true
}

// jsonToTransit reads JSON into Transit values the way ClojureScript's
// (js->clj (JSON.parse s) :keywordize-keys true) builds them: objects
// become maps with keyword keys in document order, arrays vectors,
// integral numbers integers.
func jsonToTransit(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := readJSONValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

func readJSONValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			out := []any{}
			for dec.More() {
				v, err := readJSONValue(dec)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			_, err := dec.Token()
			return out, err
		case '{':
			m := &transit.Map{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := readJSONValue(dec)
				if err != nil {
					return nil, err
				}
				m.Entries = append(m.Entries, transit.Entry{Key: transit.Keyword(fmt.Sprint(k)), Value: v})
			}
			_, err := dec.Token()
			return m, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, nil
		}
		return t.Float64()
	}
	return tok, nil // string, bool, nil
}
