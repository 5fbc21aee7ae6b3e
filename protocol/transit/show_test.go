package transit

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// show renders a decoded value in a compact EDN-like notation used by the
// vector files: "str" (Go-quoted), :kw, $sym, 123, 1.5f, #tag rep,
// [array], (list), #{set}, {k v}, ~X"ext", nil, true/false, 123N.
func show(v any) string {
	var b strings.Builder
	showTo(&b, v)
	return b.String()
}

func showTo(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("nil")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case *big.Int:
		b.WriteString(x.String() + "N")
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64) + "f")
	case string:
		b.WriteString(strconv.Quote(x))
	case Keyword:
		b.WriteString(":" + string(x))
	case Symbol:
		b.WriteString("$" + string(x))
	case Ext:
		b.WriteString("~" + string(x.Tag) + strconv.Quote(x.Rep))
	case []any:
		showSeq(b, "[", x, "]")
	case List:
		showSeq(b, "(", x, ")")
	case Set:
		showSeq(b, "#{", x, "}")
	case Tagged:
		b.WriteString("#" + x.Tag + " ")
		showTo(b, x.Rep)
	case *Map:
		b.WriteString("{")
		for i, e := range x.Entries {
			if i > 0 {
				b.WriteString(" ")
			}
			showTo(b, e.Key)
			b.WriteString(" ")
			showTo(b, e.Value)
		}
		b.WriteString("}")
	default:
		fmt.Fprintf(b, "?%T", v)
	}
}

func showSeq(b *strings.Builder, open string, xs []any, close string) {
	b.WriteString(open)
	for i, x := range xs {
		if i > 0 {
			b.WriteString(" ")
		}
		showTo(b, x)
	}
	b.WriteString(close)
}
