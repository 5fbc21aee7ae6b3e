package transit

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeInvalid(t *testing.T) {
	cases := []struct {
		name, in string
		want     error
	}{
		{"empty", ``, ErrSyntax},
		{"truncated array", `["~#c4",["a"`, ErrSyntax},
		{"truncated string", `["abc`, ErrSyntax},
		{"trailing data", `[1] [2]`, ErrSyntax},
		{"trailing comma", `[1,]`, ErrSyntax},
		{"missing comma", `[1 2]`, ErrSyntax},
		{"bad literal", `[tru]`, ErrSyntax},
		{"leading zero", `[01]`, ErrSyntax},
		{"bare fraction", `[1.]`, ErrSyntax},
		{"bad exponent", `[1e]`, ErrSyntax},
		{"huge float", `[1e400]`, ErrSyntax},
		{"control char in string", "[\"a\x01\"]", ErrSyntax},
		{"bad escape", `["\x"]`, ErrSyntax},
		{"bad unicode escape", `["\u12G4"]`, ErrSyntax},
		{"invalid utf8", "[\"\xff\"]", ErrSyntax},
		{"invalid utf8 after escape", "[\"\\n\xff\"]", ErrSyntax},
		{"object non-string key", `{1:2}`, ErrSyntax},
		{"object missing colon", `{"a" 2}`, ErrSyntax},
		{"undefined cache ref", `["^0"]`, ErrMalformed},
		{"cache ref beyond cache", `["~:abcd","^1"]`, ErrMalformed},
		{"malformed cache code", `["~:abcd","^~"]`, ErrMalformed},
		{"long caret string", `["^abcdef"]`, ErrMalformed},
		{"lone caret", `["^"]`, ErrMalformed},
		{"tilde before a non-ASCII character", `["~ު"]`, ErrMalformed}, // its first byte is no tag
		{"lone tilde", `["~"]`, ErrMalformed},
		{"tag outside head", `[1,"~#c4"]`, ErrMalformed},
		{"bare tag at top", `"~#c4"`, ErrMalformed},
		{"tag without rep", `["~#c4"]`, ErrMalformed},
		{"tag with two reps", `["~#c4",1,2]`, ErrMalformed},
		{"odd map", `["^ ","~:a"]`, ErrMalformed},
		{"bad ~i", `["~i12x"]`, ErrMalformed},
		{"plus ~i", `["~i+1"]`, ErrMalformed},
		{"bad ~n", `["~nxyz"]`, ErrMalformed},
		{"bad ~d", `["~dabc"]`, ErrMalformed},
		{"bad ~z", `["~zFOO"]`, ErrMalformed},
		{"bad ~?", `["~?x"]`, ErrMalformed},
		{"list rep not array", `["~#list",1]`, ErrMalformed},
		{"set rep not array", `["~#set","x"]`, ErrMalformed},
		{"odd cmap", `["~#cmap",[1]]`, ErrMalformed},
		{"tag key in multi-key object", `{"a":1,"~#c4":2}`, ErrMalformed},
		{"tag object with two keys", `{"~#c4":1,"b":2}`, ErrMalformed},
		{"duplicate keyword key", `["^ ","~:a",1,"~:a",2]`, ErrDuplicateKey},
		{"duplicate via cache", `["^ ","~:text",1,"^0",2]`, ErrDuplicateKey},
		{"duplicate in big map", `["^ ",` + strings.Repeat(`"k",1,`, 0) + manyKeys() + `]`, ErrDuplicateKey},
		{"duplicate object key", `{"a":1,"a":2}`, ErrDuplicateKey},
		{"too deep", strings.Repeat("[", DefaultMaxDepth+1) + strings.Repeat("]", DefaultMaxDepth+1), ErrTooDeep},
		{"too large", `["` + strings.Repeat("a", DefaultMaxBytes) + `"]`, ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := Decode([]byte(c.in))
			if !errors.Is(err, c.want) {
				t.Fatalf("Decode(%.40q) = %v, %v; want %v", c.in, show(v), err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "transit: ") {
				t.Errorf("error %q lacks package prefix", err)
			}
		})
	}
}

func manyKeys() string {
	var b strings.Builder
	for i := 0; i < 20; i++ {
		b.WriteString(`"key`)
		b.WriteByte(byte('a' + i))
		b.WriteString(`",1,`)
	}
	b.WriteString(`"keya",2`)
	return b.String()
}
