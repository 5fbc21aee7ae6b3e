package transit

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
)

// Default limits (docs/PROTOCOL.md §4.4: Whisper's default maximum message
// size is 1 MiB, so no valid payload is larger).
const (
	DefaultMaxBytes = 1 << 20
	DefaultMaxDepth = 32
)

// Limits bound the work Decode does. Both are checked before any value is
// built: the size first, then the nesting depth by a linear pre-scan.
type Limits struct {
	MaxBytes int // maximum input length in bytes
	MaxDepth int // maximum nesting of JSON arrays and objects
}

// DefaultLimits returns the limits used by Decode.
func DefaultLimits() Limits {
	return Limits{MaxBytes: DefaultMaxBytes, MaxDepth: DefaultMaxDepth}
}

// tagMarker is the parsed form of a "~#tag" string. It is only legal at the
// head of a two-element array or as the single key of a JSON object.
type tagMarker string

// Decode parses one Transit-JSON value with DefaultLimits. See DecodeLimits.
func Decode(data []byte) (any, error) {
	return DecodeLimits(data, DefaultLimits())
}

// DecodeLimits parses one Transit-JSON value (JSON mode, and JSON objects as
// in verbose mode) and returns it in the representation documented in
// value.go. The read cache is per call. Returned values share nothing with
// data. Errors wrap ErrTooLarge, ErrTooDeep, ErrSyntax, ErrMalformed or
// ErrDuplicateKey. It never panics, whatever the input.
func DecodeLimits(data []byte, lim Limits) (any, error) {
	if len(data) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), lim.MaxBytes)
	}
	if err := checkDepth(data, lim.MaxDepth); err != nil {
		return nil, err
	}
	d := decoder{scanner: scanner{data: data}, maxDepth: lim.MaxDepth}
	v, err := d.value(false, 0)
	if err != nil {
		return nil, err
	}
	if d.peek() != 0 {
		return nil, d.syntaxErr("trailing data")
	}
	if _, ok := v.(tagMarker); ok {
		return nil, fmt.Errorf("%w: bare tag at top level", ErrMalformed)
	}
	return v, nil
}

type decoder struct {
	scanner
	cache    readCache
	maxDepth int
}

func (d *decoder) value(asKey bool, depth int) (any, error) {
	switch c := d.peek(); {
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return d.decodeString(s, asKey)
	case c == '[':
		return d.array(depth + 1)
	case c == '{':
		return d.object(depth + 1)
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.jsonNumber()
	case c == 0:
		return nil, d.syntaxErr("unexpected end of input")
	}
	return nil, d.syntaxErr("unexpected character")
}

// element reads an array element or map value: anything but a bare tag.
func (d *decoder) element(asKey bool, depth int) (any, error) {
	v, err := d.value(asKey, depth)
	if err != nil {
		return nil, err
	}
	if _, ok := v.(tagMarker); ok {
		return nil, fmt.Errorf("%w: tag outside tagged value at offset %d", ErrMalformed, d.pos)
	}
	return v, nil
}

func (d *decoder) array(depth int) (any, error) {
	if depth > d.maxDepth {
		return nil, fmt.Errorf("%w: at offset %d", ErrTooDeep, d.pos)
	}
	d.pos++ // '['
	if d.peek() == ']' {
		d.pos++
		return []any{}, nil
	}
	var head any
	if d.peek() == '"' {
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		if s == mapMarker {
			return d.mapArray(depth)
		}
		if head, err = d.decodeString(s, false); err != nil {
			return nil, err
		}
		if tag, ok := head.(tagMarker); ok {
			return d.taggedArray(string(tag), depth)
		}
	} else {
		var err error
		if head, err = d.element(false, depth); err != nil {
			return nil, err
		}
	}
	out := []any{head}
	for {
		switch d.peek() {
		case ']':
			d.pos++
			return out, nil
		case ',':
			d.pos++
			v, err := d.element(false, depth)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		default:
			return nil, d.syntaxErr("expected ',' or ']'")
		}
	}
}

// taggedArray reads ", rep]" after a tag at the head of an array.
func (d *decoder) taggedArray(tag string, depth int) (any, error) {
	if err := d.expect(','); err != nil {
		return nil, fmt.Errorf("%w: tagged value %q without representation", ErrMalformed, tag)
	}
	rep, err := d.element(false, depth)
	if err != nil {
		return nil, err
	}
	if err := d.expect(']'); err != nil {
		return nil, fmt.Errorf("%w: tagged value %q with more than one representation", ErrMalformed, tag)
	}
	return buildTagged(tag, rep)
}

// mapArray reads the rest of ["^ ", k1, v1, ...].
func (d *decoder) mapArray(depth int) (any, error) {
	m := &Map{}
	for {
		switch d.peek() {
		case ']':
			d.pos++
			return m, checkUniqueKeys(m)
		case ',':
			d.pos++
		default:
			return nil, d.syntaxErr("expected ',' or ']'")
		}
		k, err := d.element(true, depth)
		if err != nil {
			return nil, err
		}
		if err := d.expect(','); err != nil {
			return nil, fmt.Errorf("%w: map with odd number of elements", ErrMalformed)
		}
		v, err := d.element(false, depth)
		if err != nil {
			return nil, err
		}
		m.Entries = append(m.Entries, Entry{Key: k, Value: v})
	}
}

// object reads a JSON object: a map, or {"~#tag": rep} (verbose tagged value).
func (d *decoder) object(depth int) (any, error) {
	if depth > d.maxDepth {
		return nil, fmt.Errorf("%w: at offset %d", ErrTooDeep, d.pos)
	}
	d.pos++ // '{'
	m := &Map{}
	if d.peek() == '}' {
		d.pos++
		return m, nil
	}
	for {
		if d.peek() != '"' {
			return nil, d.syntaxErr("object key is not a string")
		}
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		k, err := d.decodeString(s, true)
		if err != nil {
			return nil, err
		}
		if err := d.expect(':'); err != nil {
			return nil, err
		}
		if tag, ok := k.(tagMarker); ok {
			if len(m.Entries) > 0 {
				return nil, fmt.Errorf("%w: tag as a key of a multi-key object", ErrMalformed)
			}
			rep, err := d.element(false, depth)
			if err != nil {
				return nil, err
			}
			if err := d.expect('}'); err != nil {
				return nil, fmt.Errorf("%w: tag as a key of a multi-key object", ErrMalformed)
			}
			return buildTagged(string(tag), rep)
		}
		v, err := d.element(false, depth)
		if err != nil {
			return nil, err
		}
		m.Entries = append(m.Entries, Entry{Key: k, Value: v})
		switch d.peek() {
		case '}':
			d.pos++
			return m, checkUniqueKeys(m)
		case ',':
			d.pos++
		default:
			return nil, d.syntaxErr("expected ',' or '}'")
		}
	}
}

// decodeString applies the cache and Transit string semantics to a JSON string.
func (d *decoder) decodeString(s string, asKey bool) (any, error) {
	if cacheable(s, asKey) {
		v, err := parseString(s)
		if err != nil {
			return nil, err
		}
		d.cache.add(v)
		return v, nil
	}
	if isCacheRef(s) {
		v, ok := d.cache.get(s)
		if !ok {
			return nil, fmt.Errorf("%w: cache reference %q not defined", ErrMalformed, s)
		}
		return v, nil
	}
	return parseString(s)
}

// parseString interprets an (uncached) Transit string.
func parseString(s string) (any, error) {
	if len(s) == 0 || s[0] != '~' {
		return s, nil
	}
	if len(s) == 1 {
		return nil, fmt.Errorf("%w: lone '~'", ErrMalformed)
	}
	rest := s[2:]
	switch s[1] {
	case '~', '^', '`':
		return s[1:], nil
	case ':':
		return Keyword(rest), nil
	case '$':
		return Symbol(rest), nil
	case '#':
		return tagMarker(rest), nil
	case 'i':
		return parseInt(rest)
	case 'n':
		b, ok := new(big.Int).SetString(rest, 10)
		if !ok {
			return nil, fmt.Errorf("%w: bad big integer %q", ErrMalformed, s)
		}
		return b, nil
	case 'd':
		f, err := strconv.ParseFloat(rest, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: bad float %q", ErrMalformed, s)
		}
		return f, nil
	case 'z':
		return parseSpecialFloat(rest)
	case '?':
		if rest == "t" || rest == "f" {
			return rest == "t", nil
		}
		return nil, fmt.Errorf("%w: bad boolean %q", ErrMalformed, s)
	case '_':
		return nil, nil
	}
	if s[1] >= utf8.RuneSelf {
		// Every Transit tag is one ASCII character, and a writer escapes a
		// string that starts with '~'. Splitting a multi-byte character
		// would give an Ext that does not encode back.
		return nil, fmt.Errorf("%w: '~' before the non-ASCII %q", ErrMalformed, s)
	}
	return Ext{Tag: s[1], Rep: rest}, nil
}

// parseInt parses a "~i" integer: int64 if it fits, else *big.Int.
func parseInt(s string) (any, error) {
	if len(s) == 0 || s[0] == '+' {
		return nil, fmt.Errorf("%w: bad integer %q", ErrMalformed, s)
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("%w: bad integer %q", ErrMalformed, s)
	}
	return b, nil
}

func parseSpecialFloat(s string) (any, error) {
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "INF":
		return math.Inf(1), nil
	case "-INF":
		return math.Inf(-1), nil
	}
	return nil, fmt.Errorf("%w: bad special float %q", ErrMalformed, s)
}

// jsonNumber converts a JSON number: integral ones to int64 (or *big.Int
// when they overflow), others to float64. Integral literals are read
// exactly, where JavaScript would round one past 2^53 to a double: no
// Status writer emits those (transit-js's numbers are doubles below 2^53 in
// payloads, and writers put larger integers in "~i" strings).
func (d *decoder) jsonNumber() (any, error) {
	text, integral, err := d.number()
	if err != nil {
		return nil, err
	}
	if integral {
		return parseInt(text)
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: number %q out of range", ErrSyntax, text)
	}
	return f, nil
}
