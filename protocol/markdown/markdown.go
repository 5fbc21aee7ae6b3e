package markdown

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gomarkdown/markdown/parser"
)

// MaxTextBytes bounds the text Parse accepts: the largest text a chat
// message may carry (protocol/message.MaxTextBytes).
const MaxTextBytes = 64 << 10

// Sentinel errors.
var (
	// ErrTooLong refuses a text over MaxTextBytes.
	ErrTooLong = errors.New("markdown: text too long")
	// ErrParser reports a crash of the parser on the text.
	ErrParser = errors.New("markdown: parser failed")
)

// rlm is U+200F RIGHT-TO-LEFT MARK.
const rlm = '\u200f'

// Parse returns the JSON of text's markdown syntax tree: an array of the
// document's top-level nodes ("[]" for an empty text), each encoded as
// status-go v0.35 encoded it. The returned slice belongs to the caller.
func Parse(text string) (out json.RawMessage, err error) {
	if len(text) > MaxTextBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLong, len(text), MaxTextBytes)
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%w: %v", ErrParser, r)
		}
	}()
	if plain(text) {
		return plainTree(text), nil
	}
	return parse(text)
}

// parse runs the parser on text; a panic is the caller's to recover.
func parse(text string) (json.RawMessage, error) {
	// A fresh parser each time: a Parser keeps state between calls.
	doc := parser.NewWithExtensions(parser.CommonExtensions).Parse([]byte(text))
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParser, err)
	}
	return b, nil
}

// LineCount is the number of "\n" in text (not of lines: one less for a
// text without a trailing newline), as status-go counted it.
func LineCount(text string) int { return strings.Count(text, "\n") }

// IsRTL reports whether text's first character is Hebrew, Arabic or the
// right-to-left mark; text that is not valid UTF-8 at its start is not.
func IsRTL(text string) bool {
	r, _ := utf8.DecodeRuneInString(text)
	return unicode.Is(unicode.Hebrew, r) || unicode.Is(unicode.Arabic, r) || r == rlm
}

// plain reports whether text is one line of letters, digits, inner spaces
// and a few punctuation marks that no markdown rule of the parser's
// extensions reads (no list, heading or code markers, emphasis, links,
// autolinks, HTML, entities or escapes). Such a text parses to one
// paragraph holding the text as one literal, which plainTree writes
// without running the parser (whose construction alone costs more than a
// short text's whole send path); TestPlainMatchesParser holds the two to
// the same bytes.
func plain(text string) bool {
	if text == "" || text[0] == ' ' || text[len(text)-1] == ' ' {
		return false
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == ' ', c == ',', c == '?', c == '/', c == '\'':
		default:
			return false
		}
	}
	return true
}

// plainTree is Parse's result for a plain text (no character of which
// JSON escapes).
func plainTree(text string) json.RawMessage {
	const open, closing = `[{"type":"paragraph","children":[{"literal":"`, `"}]}]`
	out := make([]byte, 0, len(open)+len(text)+len(closing))
	return append(append(append(out, open...), text...), closing...)
}
