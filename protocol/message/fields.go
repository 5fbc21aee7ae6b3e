package message

import (
	"math/big"

	"github.com/statusnode/statusd/protocol/transit"
)

// Helpers that read Transit values into Go fields. They never panic.

// str returns v as a string; null reads as "" (status-react writes nil for
// absent optional fields).
func str(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	}
	return "", false
}

// integer returns v as an int64; *big.Int outside int64 is rejected.
func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case *big.Int:
		if x.IsInt64() {
			return x.Int64(), true
		}
	}
	return 0, false
}

// seq returns the elements of an array, list or set.
func seq(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case transit.List:
		return x, true
	case transit.Set:
		return x, true
	}
	return nil, false
}

// strings returns a sequence of strings (null reads as an empty sequence).
func stringsOf(v any) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	xs, ok := seq(v)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// orNil maps "" to nil so absent optional strings are written as null.
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// stringSlice converts []string to Transit elements.
func stringSlice(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// keywordName returns the name of a keyword key, or "" for other keys.
func keywordName(k any) string {
	if kw, ok := k.(transit.Keyword); ok {
		return string(kw)
	}
	return ""
}
