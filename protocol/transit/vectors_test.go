package transit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

type vector struct {
	Name      string `json:"name"`
	Source    string `json:"source"` // real | illustrative | transit
	Input     string `json:"input"`
	Show      string `json:"show"`
	Canonical string `json:"canonical"` // expected re-encoding if it differs from Input
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestVectors decodes every vector, checks the decoded value, and checks
// that re-encoding is byte-for-byte the input (or the stated canonical form).
func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			got, err := Decode([]byte(v.Input))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if s := show(got); s != v.Show {
				t.Errorf("decoded\n got %s\nwant %s", s, v.Show)
			}
			want := v.Canonical
			if want == "" {
				want = v.Input
			}
			out, err := Encode(got)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if string(out) != want {
				t.Errorf("re-encoded\n got %s\nwant %s", out, want)
			}
			again, err := Decode(out)
			if err != nil || !Equal(again, got) {
				t.Errorf("second round trip differs: %v", err)
			}
		})
	}
}

// TestCacheWrap checks that writer and reader agree across the 1936-entry
// cache reset, and that codes have the documented shape.
func TestCacheWrap(t *testing.T) {
	var xs []any
	for round := 0; round < 2; round++ {
		for i := 0; i < 2500; i++ {
			xs = append(xs, Keyword(fmt.Sprintf("k%04d", i)))
		}
	}
	out, err := Encode(xs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(got, xs) {
		t.Fatal("round trip across cache reset differs")
	}
	for i, want := range map[int]string{0: "^0", 43: "^[", 44: "^10", 1935: "^[["} {
		if got := string(appendCacheCode(nil, i)); got != want {
			t.Errorf("code(%d) = %s, want %s", i, got, want)
		}
		if j, ok := cacheIndex(want); !ok || j != i {
			t.Errorf("index(%s) = %d %v", want, j, ok)
		}
	}
}

func TestEncodeGoTypes(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{NewMap(Keyword("a"), 1, "b", int32(2)), `["^ ","~:a",1,"b",2]`},
		{[]any{uint64(1 << 63), 1 << 60, -(1 << 60)}, `["~i9223372036854775808","~i1152921504606846976","~i-1152921504606846976"]`},
		{[]any{1.0, 100.0, 123456789.125, 5e-324}, `[1,100,123456789.125,5e-324]`},
		{Tagged{Tag: "c5", Rep: []any{"~x", "^y", "`z"}}, "[\"~#c5\",[\"~~x\",\"~^y\",\"~`z\"]]"},
		{42, `["~#'",42]`},
		{Keyword("kw"), `["~#'","~:kw"]`},
		{NewMap(nil, 1, false, 2), `["^ ","~_",1,"~?f",2]`},
	}
	for _, c := range cases {
		out, err := Encode(c.in)
		if err != nil || string(out) != c.want {
			t.Errorf("Encode(%#v) = %s, %v; want %s", c.in, out, err, c.want)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	deep := any("x")
	for i := 0; i < DefaultMaxDepth+2; i++ {
		deep = []any{deep}
	}
	cases := []struct {
		in   any
		want error
	}{
		{map[string]any{}, ErrUnsupportedType},
		{[]any{struct{}{}}, ErrUnsupportedType},
		{"\xff", ErrInvalidString},
		{Keyword("\xfe"), ErrInvalidString},
		{deep, ErrTooDeep},
		{(*Map)(nil), ErrUnsupportedType},
	}
	for _, c := range cases {
		if _, err := Encode(c.in); !errors.Is(err, c.want) {
			t.Errorf("Encode(%T) err = %v, want %v", c.in, err, c.want)
		}
	}
}

func TestDecodeLimits(t *testing.T) {
	big := []byte(`["` + strings.Repeat("a", 100) + `"]`)
	if _, err := DecodeLimits(big, Limits{MaxBytes: 50, MaxDepth: 8}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("size: %v", err)
	}
	deep := []byte(strings.Repeat("[", 9) + strings.Repeat("]", 9))
	if _, err := DecodeLimits(deep, Limits{MaxBytes: 100, MaxDepth: 8}); !errors.Is(err, ErrTooDeep) {
		t.Errorf("depth: %v", err)
	}
	ok := []byte(strings.Repeat("[", 8) + strings.Repeat("]", 8))
	if _, err := DecodeLimits(ok, Limits{MaxBytes: 100, MaxDepth: 8}); err != nil {
		t.Errorf("depth 8: %v", err)
	}
	// brackets inside strings do not count
	str := []byte(`["` + strings.Repeat("[", 50) + `"]`)
	if _, err := DecodeLimits(str, Limits{MaxBytes: 100, MaxDepth: 2}); err != nil {
		t.Errorf("brackets in string: %v", err)
	}
}
