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
