// Package identicon draws the identicon that Status clients of 2019 showed
// for every chat key, byte for byte as status-go v0.35.1 returned it to
// clients: a "data:image/png;base64,…" URI of a 50×50 PNG.
//
// The drawing (docs/PROTOCOL.md §2): the MD5 of the key's
// text form ("0x04…", lowercase hex of the uncompressed point) gives a 5×5
// pattern mirrored about the middle column (row i, column j takes hash byte
// 3i+min(j, 4-j)); a cell is filled when its byte is even. The fill colour
// is the HSL colour with hue (h[13]+h[14]+h[15])/765·360°, saturation 0.5
// and lightness 0.7. Filled cells are 6×6 pixel squares placed from (10, 10)
// on a white, opaque RGBA canvas, encoded with Go's image/png at its default
// compression.
//
// The PNG bytes depend on Go's image/png and compress/flate encoders. The
// vectors in testdata/ (one of them recorded by status-go itself in 2019)
// catch any change in them.
//
// The package is pure: no I/O, no clock, no global mutable state.
package identicon
