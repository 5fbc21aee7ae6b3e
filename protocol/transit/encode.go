package transit

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
)

// maxSafeInt is JavaScript's Number.MAX_SAFE_INTEGER (2^53 - 1). Integers
// beyond ±maxSafeInt are written as "~i" strings, as transit-java and
// russolsen/transit do, so a JavaScript reader does not lose precision.
const maxSafeInt = 1<<53 - 1

// Encode writes v as Transit-JSON the way status-react's writer
// (transit-cljs over transit-js, JSON mode) writes it: caching enabled,
// maps as ["^ ", ...], JSON.stringify string escaping, JavaScript number
// formatting, a top-level scalar quoted as ["~#'", v]. See value.go for the
// accepted Go types. Errors wrap ErrUnsupportedType, ErrInvalidString or
// ErrTooDeep (nesting beyond DefaultMaxDepth, which Decode would reject).
func Encode(v any) ([]byte, error) {
	return AppendEncode(nil, v)
}

// AppendEncode is Encode appending to dst. On error dst's contents beyond
// its original length are unspecified.
func AppendEncode(dst []byte, v any) ([]byte, error) {
	e := encoder{buf: dst}
	if needsQuote(v) {
		v = Tagged{Tag: "'", Rep: v}
	}
	if err := e.value(v, false, 0); err != nil {
		return dst, err
	}
	return e.buf, nil
}

type encoder struct {
	buf     []byte
	scratch []byte
	cache   writeCache
}

func needsQuote(v any) bool {
	switch x := v.(type) {
	case []any, List, Set, *Map:
		return false
	case Tagged:
		return len(x.Tag) == 1
	}
	return true
}

func (e *encoder) value(v any, asKey bool, depth int) error {
	switch x := v.(type) {
	case nil:
		if asKey {
			return e.raw("~_", true)
		}
		e.buf = append(e.buf, "null"...)
	case bool:
		switch {
		case asKey && x:
			return e.raw("~?t", true)
		case asKey:
			return e.raw("~?f", true)
		}
		e.buf = strconv.AppendBool(e.buf, x)
	case int:
		e.int64(int64(x), asKey)
	case int32:
		e.int64(int64(x), asKey)
	case uint32:
		e.int64(int64(x), asKey)
	case int64:
		e.int64(x, asKey)
	case uint64:
		if x > math.MaxInt64 {
			return e.prefixed("~i", new(big.Int).SetUint64(x).String(), asKey)
		}
		e.int64(int64(x), asKey)
	case *big.Int:
		if x == nil {
			return fmt.Errorf("%w: nil *big.Int", ErrUnsupportedType)
		}
		return e.prefixed("~n", x.String(), asKey)
	case float64:
		return e.float(x, asKey)
	case string:
		if len(x) > 0 && (x[0] == '~' || x[0] == '^' || x[0] == '`') {
			return e.prefixed("~", x, asKey)
		}
		return e.raw(x, asKey)
	case Keyword:
		return e.prefixed("~:", string(x), asKey)
	case Symbol:
		return e.prefixed("~$", string(x), asKey)
	case Ext:
		return e.prefixed("~"+string(x.Tag), x.Rep, asKey)
	default:
		return e.composite(v, asKey, depth)
	}
	return nil
}

func (e *encoder) composite(v any, asKey bool, depth int) error {
	if asKey {
		return fmt.Errorf("%w: composite map key in a string-keyed map", ErrUnsupportedType)
	}
	if depth >= DefaultMaxDepth {
		return fmt.Errorf("%w: encoding deeper than %d", ErrTooDeep, DefaultMaxDepth)
	}
	switch x := v.(type) {
	case []any:
		return e.array(x, depth+1)
	case List:
		return e.tagged("list", []any(x), depth)
	case Set:
		return e.tagged("set", []any(x), depth)
	case Tagged:
		return e.tagged(x.Tag, x.Rep, depth)
	case *Map:
		if x == nil {
			return fmt.Errorf("%w: nil *Map", ErrUnsupportedType)
		}
		return e.mapValue(x, depth)
	}
	return fmt.Errorf("%w: %T", ErrUnsupportedType, v)
}

func (e *encoder) array(xs []any, depth int) error {
	e.buf = append(e.buf, '[')
	for i, x := range xs {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(x, false, depth); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) tagged(tag string, rep any, depth int) error {
	e.buf = append(e.buf, '[')
	if err := e.prefixed("~#", tag, false); err != nil {
		return err
	}
	e.buf = append(e.buf, ',')
	if err := e.value(rep, false, depth+1); err != nil {
		return err
	}
	e.buf = append(e.buf, ']')
	return nil
}

// mapValue writes ["^ ", k, v, ...] when every key is a scalar, else a cmap.
func (e *encoder) mapValue(m *Map, depth int) error {
	for _, en := range m.Entries {
		if !stringable(en.Key) {
			flat := make([]any, 0, 2*len(m.Entries))
			for _, en := range m.Entries {
				flat = append(flat, en.Key, en.Value)
			}
			return e.tagged("cmap", flat, depth)
		}
	}
	e.buf = append(e.buf, `["^ "`...)
	for _, en := range m.Entries {
		e.buf = append(e.buf, ',')
		if err := e.value(en.Key, true, depth+1); err != nil {
			return err
		}
		e.buf = append(e.buf, ',')
		if err := e.value(en.Value, false, depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func stringable(k any) bool {
	switch k.(type) {
	case nil, bool, int, int32, uint32, int64, uint64, *big.Int, float64, string, Keyword, Symbol, Ext:
		return true
	}
	return false
}

func (e *encoder) int64(x int64, asKey bool) {
	if asKey || x > maxSafeInt || x < -maxSafeInt {
		e.scratch = strconv.AppendInt(append(e.scratch[:0], "~i"...), x, 10)
		e.cached(e.scratch, asKey)
		return
	}
	e.buf = strconv.AppendInt(e.buf, x, 10)
}

func (e *encoder) float(x float64, asKey bool) error {
	switch {
	case math.IsNaN(x):
		return e.raw("~zNaN", asKey)
	case math.IsInf(x, 1):
		return e.raw("~zINF", asKey)
	case math.IsInf(x, -1):
		return e.raw("~z-INF", asKey)
	case asKey:
		e.scratch = appendJSNumber(append(e.scratch[:0], "~d"...), x)
		e.cached(e.scratch, true)
		return nil
	}
	e.buf = appendJSNumber(e.buf, x)
	return nil
}

// prefixed writes prefix+s as one Transit string, through the cache.
func (e *encoder) prefixed(prefix, s string, asKey bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %q", ErrInvalidString, s)
	}
	e.scratch = append(append(e.scratch[:0], prefix...), s...)
	e.cached(e.scratch, asKey)
	return nil
}

// raw writes an already-escaped Transit string, through the cache.
func (e *encoder) raw(s string, asKey bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %q", ErrInvalidString, s)
	}
	if cacheable(s, asKey) {
		if i := e.cache.lookup(s); i >= 0 {
			e.buf = append(appendCacheCode(append(e.buf, '"'), i), '"')
			return nil
		}
	}
	e.buf = appendJSONString(e.buf, s)
	return nil
}

// cached writes b (valid UTF-8) through the cache. b may be e.scratch.
func (e *encoder) cached(b []byte, asKey bool) {
	if cacheable(string(b), asKey) {
		if i := e.cache.lookupBytes(b); i >= 0 {
			e.buf = append(appendCacheCode(append(e.buf, '"'), i), '"')
			return
		}
	}
	e.buf = appendJSONString(e.buf, string(b))
}
