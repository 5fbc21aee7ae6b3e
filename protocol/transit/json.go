package transit

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A small strict JSON (RFC 8259) scanner used by the decoder. It works on the
// input slice directly so that Transit semantics (map keys, cache, tags) can
// be applied while reading, in one pass.

// checkDepth rejects input whose arrays/objects nest deeper than max. It runs
// before any value is built, so over-deep input costs one linear scan.
func checkDepth(data []byte, max int) error {
	depth, inStr, esc := 0, false, false
	for i, c := range data {
		switch {
		case inStr:
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[' || c == '{':
			depth++
			if depth > max {
				return fmt.Errorf("%w: more than %d levels at offset %d", ErrTooDeep, max, i)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) syntaxErr(what string) error {
	return fmt.Errorf("%w: %s at offset %d", ErrSyntax, what, s.pos)
}

func (s *scanner) skipWS() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at end of input.
func (s *scanner) peek() byte {
	s.skipWS()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.syntaxErr(fmt.Sprintf("expected %q", c))
	}
	s.pos++
	return nil
}

func (s *scanner) literal(word string) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.syntaxErr("invalid literal")
	}
	s.pos += len(word)
	return nil
}

// str reads a JSON string; the scanner must be at the opening quote.
func (s *scanner) str() (string, error) {
	s.pos++ // opening quote
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			raw := s.data[start:s.pos]
			s.pos++
			if !utf8.Valid(raw) {
				return "", s.syntaxErr("invalid UTF-8 in string")
			}
			return string(raw), nil
		case c == '\\':
			return s.strSlow(start)
		case c < 0x20:
			return "", s.syntaxErr("control character in string")
		}
		s.pos++
	}
	return "", s.syntaxErr("unterminated string")
}

// strSlow decodes a string containing escapes. Lone UTF-16 surrogates become
// U+FFFD (a JS writer can emit them; Go strings cannot hold them).
func (s *scanner) strSlow(start int) (string, error) {
	buf := make([]byte, 0, s.pos-start+16)
	buf = append(buf, s.data[start:s.pos]...)
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			if !utf8.Valid(buf) {
				return "", s.syntaxErr("invalid UTF-8 in string")
			}
			return string(buf), nil
		case c < 0x20:
			return "", s.syntaxErr("control character in string")
		case c != '\\':
			buf = append(buf, c)
			s.pos++
			continue
		}
		if s.pos+1 >= len(s.data) {
			break
		}
		e := s.data[s.pos+1]
		s.pos += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, err := s.unicodeEscape()
			if err != nil {
				return "", err
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", s.syntaxErr("invalid escape")
		}
	}
	return "", s.syntaxErr("unterminated string")
}

// unicodeEscape reads the XXXX of \uXXXX (already past "\u"), combining a
// following low surrogate escape when present.
func (s *scanner) unicodeEscape() (rune, error) {
	r, ok := s.hex4()
	if !ok {
		return 0, s.syntaxErr("invalid \\u escape")
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
		save := s.pos
		s.pos += 2
		if r2, ok := s.hex4(); ok {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, nil
			}
		}
		s.pos = save
	}
	return utf8.RuneError, nil
}

func (s *scanner) hex4() (rune, bool) {
	if len(s.data)-s.pos < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s.data[s.pos:s.pos+4]), 16, 16)
	if err != nil {
		return 0, false
	}
	s.pos += 4
	return rune(v), true
}

// number reads a JSON number and returns its text and whether it is integral
// (no fraction, no exponent).
func (s *scanner) number() (string, bool, error) {
	start := s.pos
	integral := true
	if s.pos < len(s.data) && s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case s.pos < len(s.data) && s.data[s.pos] >= '1' && s.data[s.pos] <= '9':
		s.digits()
	default:
		return "", false, s.syntaxErr("invalid number")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		integral = false
		s.pos++
		if s.digits() == 0 {
			return "", false, s.syntaxErr("invalid fraction")
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		integral = false
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return "", false, s.syntaxErr("invalid exponent")
		}
	}
	return string(s.data[start:s.pos]), integral, nil
}

func (s *scanner) digits() int {
	n := 0
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
		n++
	}
	return n
}
