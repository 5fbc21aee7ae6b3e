package identicon

// hslToRGB converts hue (degrees), saturation and lightness (both in [0, 1])
// to red, green and blue in [0, 1], with the classic two-intermediate
// formulation (CSS Color Module Level 3, section 4.2.4). Every product is
// rounded to float64 explicitly, so no platform fuses a multiply-add and the
// result is the same everywhere; the identicon bytes depend on it.
func hslToRGB(h, s, l float64) (r, g, b float64) {
	if s == 0 {
		return l, l, l
	}
	var hi float64
	if l < 0.5 {
		hi = float64(l * (1.0 + s))
	} else {
		hi = l + s - float64(l*s)
	}
	lo := float64(2*l) - hi
	h = h / 360
	return hueToChannel(lo, hi, h+1.0/3.0), hueToChannel(lo, hi, h), hueToChannel(lo, hi, h-1.0/3.0)
}

// hueToChannel is one channel of hslToRGB; t is the hue shifted for that
// channel, in turns, wrapped once into [0, 1].
func hueToChannel(lo, hi, t float64) float64 {
	if t < 0 {
		t++
	}
	if t > 1 {
		t--
	}
	switch {
	case float64(6*t) < 1:
		return lo + float64(float64((hi-lo)*6)*t)
	case float64(2*t) < 1:
		return hi
	case float64(3*t) < 2:
		return lo + float64(float64((hi-lo)*float64(2.0/3.0-t))*6)
	default:
		return lo
	}
}
