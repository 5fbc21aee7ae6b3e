// Package transitjson writes decoded Transit values (protocol/transit) as
// plain JSON, the way status-react's clj->json turned its message content
// into the JSON strings it stored: maps as objects in their order, keyword
// keys and values by their names, vectors, lists and sets as arrays. It is
// shared by the API namespaces that show message contents.
package transitjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/statusnode/statusd/protocol/transit"
)

// Marshal writes v as JSON: maps as objects in their order (keys by Name),
// vectors, lists and sets as arrays, keywords, symbols and extension
// scalars by Name, tagged values as {"tag": …, "rep": …}, anything else
// as encoding/json writes it (null when it cannot). Nothing a decoder
// returns is lost but the distinction between keywords and strings.
func Marshal(v any) json.RawMessage {
	var b bytes.Buffer
	Write(&b, v)
	return b.Bytes()
}

// Write appends Marshal(v) to b.
func Write(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case *transit.Map:
		if x == nil {
			b.WriteString("null")
			return
		}
		b.WriteByte('{')
		for i, e := range x.Entries {
			if i > 0 {
				b.WriteByte(',')
			}
			WriteString(b, Name(e.Key))
			b.WriteByte(':')
			Write(b, e.Value)
		}
		b.WriteByte('}')
	case []any:
		writeArray(b, x)
	case transit.List:
		writeArray(b, x)
	case transit.Set:
		writeArray(b, x)
	case transit.Tagged:
		b.WriteString(`{"tag":`)
		WriteString(b, x.Tag)
		b.WriteString(`,"rep":`)
		Write(b, x.Rep)
		b.WriteByte('}')
	case transit.Keyword, transit.Symbol, transit.Ext:
		WriteString(b, Name(x))
	case *big.Int:
		b.WriteString(x.String())
	default:
		raw, err := json.Marshal(x)
		if err != nil {
			raw = []byte("null")
		}
		b.Write(raw)
	}
}

func writeArray(b *bytes.Buffer, xs []any) {
	b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		Write(b, x)
	}
	b.WriteByte(']')
}

// WriteString appends s as a JSON string.
func WriteString(b *bytes.Buffer, s string) {
	raw, _ := json.Marshal(s)
	b.Write(raw)
}

// Name names a map key or scalar: a keyword or symbol by its name, an
// extension scalar as "~<tag><rep>", anything else as fmt prints it.
func Name(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case transit.Keyword:
		return string(x)
	case transit.Symbol:
		return string(x)
	case transit.Ext:
		return "~" + string(x.Tag) + x.Rep
	}
	return fmt.Sprint(v)
}
