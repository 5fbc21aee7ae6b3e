package transit

import "strconv"

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string escaped like JavaScript's
// JSON.stringify: only '"', '\\' and control characters are escaped
// (\b \f \n \r \t, others as lowercase \u00xx); '<', '>', '&', U+2028 and
// non-ASCII text are written raw. s must be valid UTF-8.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSNumber appends a finite float the way JavaScript's
// Number.prototype.toString does (ECMA-262 Number::toString, radix 10):
// shortest round-trip digits, plain notation for 1e-7 < |x| < 1e21,
// exponent notation ("1e+21", "1.5e-7") otherwise, and -0 as "0".
func appendJSNumber(dst []byte, x float64) []byte {
	if x == 0 {
		return append(dst, '0')
	}
	if x < 0 {
		dst = append(dst, '-')
		x = -x
	}
	var tmp [32]byte
	b := strconv.AppendFloat(tmp[:0], x, 'e', -1, 64) // d[.ddd]e±XX
	ePos := 0
	for ePos < len(b) && b[ePos] != 'e' {
		ePos++
	}
	var digits [24]byte
	k := 0
	for _, c := range b[:ePos] {
		if c != '.' {
			digits[k] = c
			k++
		}
	}
	exp, _ := strconv.Atoi(string(b[ePos+1:]))
	n := exp + 1 // x = 0.d1d2…dk × 10^n
	d := digits[:k]
	switch {
	case k <= n && n <= 21:
		dst = append(dst, d...)
		for i := k; i < n; i++ {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(append(append(dst, d[:n]...), '.'), d[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for i := n; i < 0; i++ {
			dst = append(dst, '0')
		}
		dst = append(dst, d...)
	default:
		dst = append(dst, d[0])
		if k > 1 {
			dst = append(append(dst, '.'), d[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(n-1), 10)
	}
	return dst
}

// AppendJSONString appends s as a JSON string escaped exactly as Encode
// escapes strings (JavaScript JSON.stringify rules). s must be valid UTF-8.
// Other packages use it to rebuild JSON that a JavaScript client signed.
func AppendJSONString(dst []byte, s string) []byte { return appendJSONString(dst, s) }
