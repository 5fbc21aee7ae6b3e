package api

import "fmt"

// jsonFramer finds where each top-level JSON object or array ends in a byte
// stream, without decoding it. It tracks nesting depth and string literals;
// bytes between values (white space, bare scalars, garbage) are skipped; the
// decoder that reads the same stream rejects what is not valid JSON. It is
// not safe for concurrent use.
type jsonFramer struct {
	limit int // largest value in bytes

	buf      []byte // the value being read
	depth    int
	inString bool // inside a string literal (in a value, or a top-level one)
	escaped  bool // the previous byte was a backslash inside a string
}

// feed consumes p and calls emit with each complete value; emit must not keep
// the slice. It returns an error once the value being read passes the limit;
// the framer must not be fed after that.
func (f *jsonFramer) feed(p []byte, emit func([]byte)) error {
	for _, c := range p {
		if f.depth == 0 && !f.inString {
			switch c {
			case '{', '[':
				f.depth = 1
				f.buf = append(f.buf[:0], c)
			case '"':
				f.inString = true // a top-level string: skip it
			}
			continue
		}
		if f.depth > 0 {
			f.buf = append(f.buf, c)
			if len(f.buf) > f.limit {
				return fmt.Errorf("%w: a message is over %d bytes", ErrBodyTooLarge, f.limit)
			}
		}
		f.step(c, emit)
	}
	return nil
}

// step advances the state machine by one byte that is inside a value or a
// top-level string.
func (f *jsonFramer) step(c byte, emit func([]byte)) {
	switch {
	case f.escaped:
		f.escaped = false
	case f.inString && c == '\\':
		f.escaped = true
	case f.inString:
		f.inString = c != '"'
	case c == '"':
		f.inString = true
	case c == '{' || c == '[':
		f.depth++
	case c == '}' || c == ']':
		f.depth--
		if f.depth == 0 {
			emit(f.buf)
			if cap(f.buf) > 64*1024 {
				f.buf = nil // do not keep a large buffer for the connection's life
			}
		}
	}
}
