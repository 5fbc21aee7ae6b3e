package transit

import (
	"fmt"
	"math"
	"math/big"
)

// buildTagged gives the built-in tags their meaning.
func buildTagged(tag string, rep any) (any, error) {
	switch tag {
	case "'":
		return rep, nil
	case "list", "set", "cmap":
		arr, ok := rep.([]any)
		if !ok {
			return nil, fmt.Errorf("%w: %q representation is not an array", ErrMalformed, tag)
		}
		switch tag {
		case "list":
			return List(arr), nil
		case "set":
			return Set(arr), nil
		}
		if len(arr)%2 != 0 {
			return nil, fmt.Errorf("%w: cmap with odd number of elements", ErrMalformed)
		}
		m := &Map{Entries: make([]Entry, 0, len(arr)/2)}
		for i := 0; i < len(arr); i += 2 {
			m.Entries = append(m.Entries, Entry{Key: arr[i], Value: arr[i+1]})
		}
		return m, checkUniqueKeys(m)
	}
	return Tagged{Tag: tag, Rep: rep}, nil
}

// checkUniqueKeys rejects duplicate keys. Small maps are compared pairwise;
// larger ones through a Go map on hashable (scalar) keys, so the check stays
// linear on hostile input. Composite keys of large maps are not compared.
func checkUniqueKeys(m *Map) error {
	n := len(m.Entries)
	if n <= 8 {
		for i := 1; i < n; i++ {
			for j := 0; j < i; j++ {
				if Equal(m.Entries[i].Key, m.Entries[j].Key) {
					return fmt.Errorf("%w: %v", ErrDuplicateKey, m.Entries[i].Key)
				}
			}
		}
		return nil
	}
	seen := make(map[any]struct{}, n)
	for _, e := range m.Entries {
		k := hashKey(e.Key)
		if k == nil {
			continue
		}
		if _, dup := seen[k]; dup {
			return fmt.Errorf("%w: %v", ErrDuplicateKey, e.Key)
		}
		seen[k] = struct{}{}
	}
	return nil
}

type (
	nilKey struct{}
	nanKey struct{}
	bigKey string
)

// hashKey returns a comparable stand-in for scalar keys, nil for composites.
func hashKey(k any) any {
	switch x := k.(type) {
	case nil:
		return nilKey{}
	case bool, int64, string, Keyword, Symbol, Ext:
		return x
	case float64:
		if math.IsNaN(x) {
			return nanKey{}
		}
		return x
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		return bigKey(x.String())
	}
	return nil
}
