package transit

import (
	"math"
	"math/big"
)

// The Go representation of Transit values. Decode produces, and Encode
// accepts, exactly these dynamic types:
//
//	nil                  Transit null
//	bool                 boolean
//	int64                integer (JSON number, or "~i" string)
//	*big.Int             "~n" big integer, or a "~i" that does not fit int64
//	float64              JSON number with fraction/exponent, "~d", "~z"
//	string               string (escapes already removed)
//	Keyword              "~:name"
//	Symbol               "~$name"
//	[]any                JSON array (Transit array)
//	List                 ["~#list", [...]]
//	Set                  ["~#set", [...]] (order as read; no de-duplication)
//	*Map                 ["^ ", k, v, ...], ["~#cmap", [...]] or a JSON object
//	Tagged               ["~#tag", rep] for any tag not listed above
//	Ext                  "~Xrest" scalar with an extension tag X not listed above
//	                     (~m, ~t, ~u, ~r, ~c, ~b, ~f, ...); kept verbatim
//
// Encode additionally accepts int, int32, uint32 and uint64 as integers.
type (
	// Keyword is a Transit keyword, written "~:name". The value excludes the prefix.
	Keyword string
	// Symbol is a Transit symbol, written "~$name".
	Symbol string
	// List is a Transit list (tag "list").
	List []any
	// Set is a Transit set (tag "set"). Element order is the wire order.
	Set []any
)

// Tagged is a composite tagged value ["~#Tag", Rep] whose tag has no built-in
// meaning in this package (for Status: "c4", "g5", "p2", ...).
type Tagged struct {
	Tag string
	Rep any
}

// Ext is a scalar extension value "~" + Tag + Rep that this package does not
// interpret (time, UUID, URI, char, bytes, big decimal, or an unknown tag).
// It round-trips verbatim.
type Ext struct {
	Tag byte
	Rep string
}

// Entry is one key/value pair of a Map.
type Entry struct {
	Key   any
	Value any
}

// Map is an ordered Transit map. Wire order is preserved so that a decoded
// map re-encodes byte-for-byte. Keys are unique (Decode rejects duplicates
// of scalar keys).
type Map struct {
	Entries []Entry
}

// NewMap builds a map from alternating keys and values. It panics on an odd
// count (a programming error, never driven by input).
func NewMap(kv ...any) *Map {
	if len(kv)%2 != 0 {
		panic("transit: NewMap needs key/value pairs")
	}
	m := &Map{Entries: make([]Entry, 0, len(kv)/2)}
	for i := 0; i < len(kv); i += 2 {
		m.Entries = append(m.Entries, Entry{Key: kv[i], Value: kv[i+1]})
	}
	return m
}

// Len returns the number of entries; a nil map has none.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.Entries)
}

// Get returns the value stored under key (compared with Equal).
func (m *Map) Get(key any) (any, bool) {
	if m == nil {
		return nil, false
	}
	for _, e := range m.Entries {
		if Equal(e.Key, key) {
			return e.Value, true
		}
	}
	return nil, false
}

// Keyword returns the value stored under the keyword :name.
func (m *Map) Keyword(name string) (any, bool) {
	if m == nil {
		return nil, false
	}
	for _, e := range m.Entries {
		if k, ok := e.Key.(Keyword); ok && string(k) == name {
			return e.Value, true
		}
	}
	return nil, false
}

// Set appends key/value, or replaces the value if key is already present.
func (m *Map) Set(key, value any) {
	for i, e := range m.Entries {
		if Equal(e.Key, key) {
			m.Entries[i].Value = value
			return
		}
	}
	m.Entries = append(m.Entries, Entry{Key: key, Value: value})
}

// Equal reports whether two Transit values are equal: same dynamic type
// (int64 and *big.Int compare by value) and, for composites, equal elements
// in the same order. NaN equals NaN so that decode/encode round trips compare
// equal. It never panics, whatever the operands.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case *big.Int:
			return y.IsInt64() && y.Int64() == x
		}
		return false
	case *big.Int:
		switch y := b.(type) {
		case int64:
			return x.IsInt64() && x.Int64() == y
		case *big.Int:
			return x.Cmp(y) == 0
		}
		return false
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (math.IsNaN(x) && math.IsNaN(y)))
	case string:
		y, ok := b.(string)
		return ok && x == y
	case Keyword:
		y, ok := b.(Keyword)
		return ok && x == y
	case Symbol:
		y, ok := b.(Symbol)
		return ok && x == y
	case Ext:
		y, ok := b.(Ext)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && equalSlices(x, y)
	case List:
		y, ok := b.(List)
		return ok && equalSlices(x, y)
	case Set:
		y, ok := b.(Set)
		return ok && equalSlices(x, y)
	case Tagged:
		y, ok := b.(Tagged)
		return ok && x.Tag == y.Tag && Equal(x.Rep, y.Rep)
	case *Map:
		y, ok := b.(*Map)
		return ok && equalMaps(x, y)
	}
	return false
}

func equalSlices(x, y []any) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if !Equal(x[i], y[i]) {
			return false
		}
	}
	return true
}

func equalMaps(x, y *Map) bool {
	if x.Len() != y.Len() {
		return false
	}
	for i := 0; i < x.Len(); i++ {
		if !Equal(x.Entries[i].Key, y.Entries[i].Key) || !Equal(x.Entries[i].Value, y.Entries[i].Value) {
			return false
		}
	}
	return true
}
