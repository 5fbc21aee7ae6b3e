package transit

import (
	"math"
	"math/big"
	"testing"
)

// FuzzDecode: Decode never panics; whatever it accepts re-encodes, and the
// re-encoding decodes to an equal value (writer and reader caches agree).
func FuzzDecode(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add([]byte(v.Input))
	}
	for _, s := range []string{`["^0"]`, `{"~#x":1}`, `["~#cmap",[[1],2]]`, `["\ud800"]`, `[1e-7]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err != nil {
			return
		}
		out, err := Encode(v)
		if err != nil {
			t.Fatalf("accepted input does not re-encode: %v", err)
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("re-encoding %q does not decode: %v", out, err)
		}
		if !Equal(normalize(v), normalize(again)) {
			t.Fatalf("round trip differs:\n%s\n%s", show(v), show(again))
		}
	})
}

// normalize maps integral floats to what their JavaScript form reads back
// as: JavaScript (and so Encode) writes 2.0 as "2", an integer to Decode.
// Past 2^53 that form is the shortest that names the double, not its exact
// value (18017000000000008.0 is written "18017000000000010"), and Decode
// reads integral literals exactly (jsonNumber); from 10^21 it has an
// exponent and stays a float.
func normalize(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			if math.Abs(x) < 1<<53 {
				return int64(x)
			}
			back, err := Decode(appendJSNumber(nil, x))
			if err != nil {
				panic(err) // Encode's own number form
			}
			if b, ok := back.(*big.Int); ok && b.IsInt64() {
				return b.Int64()
			}
			return back
		}
	case []any:
		return normSlice(x)
	case List:
		return List(normSlice(x))
	case Set:
		return Set(normSlice(x))
	case Tagged:
		return Tagged{Tag: x.Tag, Rep: normalize(x.Rep)}
	case *Map:
		m := &Map{}
		for _, e := range x.Entries {
			m.Entries = append(m.Entries, Entry{Key: normalize(e.Key), Value: normalize(e.Value)})
		}
		return m
	}
	return v
}

func normSlice(xs []any) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = normalize(x)
	}
	return out
}
