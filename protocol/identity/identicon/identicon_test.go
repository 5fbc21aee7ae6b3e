package identicon

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// vector is one entry of testdata/vectors.json: a public key (uncompressed,
// 0x-prefixed hex) and the identicon data URI status-go v0.35.1 returned for
// it. The last entry was recorded by status-go itself in api/backend_test.go
// (December 2019); the others were computed by status-go's implementation.
type vector struct {
	PublicKey string `json:"publicKey"`
	Identicon string `json:"identicon"`
}

func TestIdenticonVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 3 {
		t.Fatalf("only %d vectors", len(vs))
	}
	for _, v := range vs {
		raw, err := hex.DecodeString(strings.TrimPrefix(v.PublicKey, "0x"))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := crypto.UnmarshalPubkey(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Identicon(pub)
		if err != nil {
			t.Fatal(err)
		}
		if got != v.Identicon {
			t.Errorf("Identicon(%s…):\n got %s\nwant %s", v.PublicKey[:12], got, v.Identicon)
		}
	}
}

// TestPattern is status-go's own unit vector: the MD5 of "Culona" gives this
// bitmap.
func TestPattern(t *testing.T) {
	want := [25]bool{
		false, false, true, false, false,
		true, false, true, false, true,
		true, false, false, false, true,
		false, false, false, false, false,
		false, true, false, true, false,
	}
	if got := bitmap(md5.Sum([]byte("Culona"))); got != want {
		t.Fatalf("bitmap = %v", got)
	}
}

// TestImageDecodes checks the data URI is a 50×50 PNG whose pixels are the
// drawing: white outside the 30×30 grid, and each cell one colour.
func TestImageDecodes(t *testing.T) {
	uri, err := FromString("0x04abc")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(uri, dataURIPrefix))
	if err != nil || !strings.HasPrefix(uri, dataURIPrefix) {
		t.Fatalf("not a PNG data URI: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 50 || b.Dy() != 50 {
		t.Fatalf("bounds %v", b)
	}
	want := Draw("0x04abc")
	for y := 0; y < 50; y++ {
		for x := 0; x < 50; x++ {
			r, g, b, a := img.At(x, y).RGBA()
			wr, wg, wb, wa := want.At(x, y).RGBA()
			if r != wr || g != wg || b != wb || a != wa {
				t.Fatalf("pixel (%d,%d) differs", x, y)
			}
			inGrid := x >= 10 && x < 40 && y >= 10 && y < 40
			if !inGrid && (r>>8 != 0xff || g>>8 != 0xff || b>>8 != 0xff) {
				t.Fatalf("pixel (%d,%d) outside the grid is not white", x, y)
			}
		}
	}
}

// TestHSLModel checks the colour conversion on the primary and secondary
// hues, where the answer is known exactly.
func TestHSLModel(t *testing.T) {
	cases := []struct {
		h       float64
		r, g, b float64
	}{
		{0, 1, 0, 0}, {120, 0, 1, 0}, {240, 0, 0, 1},
		{60, 1, 1, 0}, {180, 0, 1, 1}, {300, 1, 0, 1},
	}
	for _, c := range cases {
		r, g, b := hslToRGB(c.h, 1, 0.5)
		if !near(r, c.r) || !near(g, c.g) || !near(b, c.b) {
			t.Errorf("hsl(%v,1,.5) = %v %v %v", c.h, r, g, b)
		}
	}
	if r, g, b := hslToRGB(123, 0, 0.7); r != 0.7 || g != 0.7 || b != 0.7 {
		t.Errorf("grey: %v %v %v", r, g, b)
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func BenchmarkIdenticon(b *testing.B) {
	k, _ := crypto.GenerateKey()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Identicon(&k.PublicKey); err != nil {
			b.Fatal(err)
		}
	}
}
