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

// normalize maps integral floats to integers: JavaScript (and so Encode)
// writes 2.0 as "2", which reads back as an integer.
func normalize(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			if math.Abs(x) < 1<<63 {
				return int64(x)
			}
			b, _ := big.NewFloat(x).Int(nil)
			return b
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
