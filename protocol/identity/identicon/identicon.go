package identicon

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"

	"github.com/ethereum/go-ethereum/crypto"
)

// Geometry and colour of the 2019 identicon.
const (
	size       = 50  // canvas width and height, pixels
	margin     = 10  // offset of the first cell from the top-left corner
	cell       = 6   // cell width and height, pixels
	cells      = 5   // cells per row and per column
	saturation = 0.5 // HSL saturation of the fill colour
	lightness  = 0.7 // HSL lightness of the fill colour
)

// dataURIPrefix starts every identicon string.
const dataURIPrefix = "data:image/png;base64,"

// Identicon returns the identicon of pub as a PNG data URI, exactly as
// status-go returned it for the key's "0x04…" form. The error is only
// returned if PNG encoding fails, which does not happen for this image.
// Safe for concurrent use.
func Identicon(pub *ecdsa.PublicKey) (string, error) {
	return FromString("0x" + hex.EncodeToString(crypto.FromECDSAPub(pub)))
}

// FromString returns the identicon of an arbitrary string id (status-go's
// GenerateBase64): clients passed the key's "0x04…" hex form, and Identicon
// does that for them.
func FromString(id string) (string, error) {
	p, err := PNG(id)
	if err != nil {
		return "", err
	}
	return dataURIPrefix + base64.StdEncoding.EncodeToString(p), nil
}

// PNG returns the encoded image for id, without the data URI wrapping.
func PNG(id string) ([]byte, error) {
	img := Draw(id)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("identicon: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// Draw renders the identicon of id into a new 50×50 opaque RGBA image; the
// caller owns it.
func Draw(id string) *image.RGBA {
	h := md5.Sum([]byte(id))
	fill := fillColour(h)
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = 0xff // white, opaque
	}
	for i, on := range bitmap(h) {
		if !on {
			continue
		}
		x0 := margin + (i%cells)*cell
		y0 := margin + (i/cells)*cell
		for y := y0; y < y0+cell; y++ {
			for x := x0; x < x0+cell; x++ {
				o := img.PixOffset(x, y)
				copy(img.Pix[o:o+4], fill[:])
			}
		}
	}
	return img
}

// bitmap returns the 25 cells, row by row: a cell is on when the hash byte
// it mirrors is even.
func bitmap(h [md5.Size]byte) [cells * cells]bool {
	var b [cells * cells]bool
	for row := 0; row < cells; row++ {
		for col := 0; col < cells; col++ {
			src := min(col, cells-1-col)
			b[row*cells+col] = h[3*row+src]%2 == 0
		}
	}
	return b
}

// fillColour returns the RGBA bytes of the fill: the hue comes from the last
// three hash bytes.
func fillColour(h [md5.Size]byte) [4]byte {
	sum := float64(h[13]) + float64(h[14]) + float64(h[15])
	hue := float64(sum/765) * 360
	r, g, b := hslToRGB(hue, saturation, lightness)
	return [4]byte{channel8(r), channel8(g), channel8(b), 0xff}
}

// channel8 converts a channel in [0, 1] to 8 bits the way the 2019 renderer
// did: first to 16 bits, rounded, then the high byte.
func channel8(v float64) byte {
	return byte(uint32(float64(v*65535.0)+0.5) >> 8)
}
