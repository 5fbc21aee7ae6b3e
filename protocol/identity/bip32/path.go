package bip32

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxPathLength bounds the elements ParsePath accepts (BIP-32 depth is a
// byte).
const MaxPathLength = 255

// Path is a list of child indices from the master key.
type Path []uint32

// ParsePath reads "m/44'/60'/0'/0/0": "m", then indices below 2^31 separated
// by "/", each optionally followed by ' (or h, H) for hardened. "m" alone is
// the empty path. Errors wrap ErrPath and name the element at fault.
func ParsePath(s string) (Path, error) {
	parts := strings.Split(s, "/")
	if parts[0] != "m" {
		return nil, fmt.Errorf("%w %q: must start with \"m\"", ErrPath, truncate(s))
	}
	if len(parts)-1 > MaxPathLength {
		return nil, fmt.Errorf("%w: %d elements, at most %d", ErrPath, len(parts)-1, MaxPathLength)
	}
	p := make(Path, 0, len(parts)-1)
	for n, part := range parts[1:] {
		var hardened bool
		if t, ok := cutHardened(part); ok {
			part, hardened = t, true
		}
		if part == "" || part[0] == '+' || part[0] == '-' {
			return nil, fmt.Errorf("%w: element %d %q is not an index", ErrPath, n+1, truncate(part))
		}
		v, err := strconv.ParseUint(part, 10, 32)
		if err != nil || uint32(v) >= Hardened {
			return nil, fmt.Errorf("%w: element %d %q is not an index below 2^31", ErrPath, n+1, truncate(part))
		}
		i := uint32(v)
		if hardened {
			i += Hardened
		}
		p = append(p, i)
	}
	return p, nil
}

func cutHardened(s string) (string, bool) {
	for _, suf := range []string{"'", "h", "H"} {
		if t, ok := strings.CutSuffix(s, suf); ok {
			return t, true
		}
	}
	return s, false
}

func truncate(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

// String writes the path in the form ParsePath reads, hardened indices with '.
func (p Path) String() string {
	var b strings.Builder
	b.WriteString("m")
	for _, i := range p {
		b.WriteByte('/')
		if i >= Hardened {
			b.WriteString(strconv.FormatUint(uint64(i-Hardened), 10))
			b.WriteByte('\'')
		} else {
			b.WriteString(strconv.FormatUint(uint64(i), 10))
		}
	}
	return b.String()
}
