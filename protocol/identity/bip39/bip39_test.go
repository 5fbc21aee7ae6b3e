package bip39

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// trezorVector is one English entry of the BIP-39 reference vectors
// (trezor/python-mnemonic vectors.json, as status-go shipped them in
// extkeys/mnemonic_vectors.json); every one uses the passphrase "TREZOR".
type trezorVector struct {
	Passphrase string `json:"passphrase"`
	Entropy    string `json:"entropy"`
	Phrase     string `json:"phrase"`
	Seed       string `json:"seed"`
	MasterKey  string `json:"masterKey"`
}

func loadTrezor(t testing.TB) []trezorVector {
	t.Helper()
	data, err := os.ReadFile("testdata/trezor-english.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []trezorVector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestTrezorVectors(t *testing.T) {
	vs := loadTrezor(t)
	if len(vs) != 24 {
		t.Fatalf("%d vectors", len(vs))
	}
	for _, v := range vs {
		ent, _ := hex.DecodeString(v.Entropy)
		m, err := FromEntropy(ent)
		if err != nil {
			t.Fatal(err)
		}
		if m.Phrase() != v.Phrase {
			t.Errorf("FromEntropy(%s) = %q, want %q", v.Entropy, m.Phrase(), v.Phrase)
		}
		p, err := Parse(v.Phrase)
		if err != nil {
			t.Fatalf("Parse(%q): %v", v.Phrase, err)
		}
		if hex.EncodeToString(p.Entropy()) != v.Entropy {
			t.Errorf("Entropy(%q) = %x", v.Phrase, p.Entropy())
		}
		seed, err := p.Seed(v.Passphrase)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(seed) != v.Seed {
			t.Errorf("Seed(%q) = %x, want %s", v.Phrase, seed, v.Seed)
		}
	}
}

func TestWordList(t *testing.T) {
	w := english().words
	if len(w) != listSize || w[0] != "abandon" || w[listSize-1] != "zoo" || !slices.IsSorted(w) {
		t.Fatalf("word list: %d words, %q…%q", len(w), w[0], w[len(w)-1])
	}
}

func TestParseNormalises(t *testing.T) {
	const canon = "legal winner thank year wave sausage worth useful legal winner thank yellow"
	for _, in := range []string{
		"  Legal WINNER thank year\twave sausage\nworth useful legal winner thank yellow \r\n",
		"legal\u3000winner thank year wave sausage worth useful legal winner thank yellow", // ideographic space
	} {
		m, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if m.Phrase() != canon {
			t.Fatalf("Phrase = %q", m.Phrase())
		}
	}
}

func TestParseRefuses(t *testing.T) {
	cases := []struct {
		phrase string
		err    error
		says   string
	}{
		{"legal winner thank year wave sausage worth useful legal winner thank thank", ErrChecksum, "checksum does not match"},
		{"legal winner thank year wave sausage worth usefull legal winner thank yellow", ErrUnknownWord, "word 8 is not in the English word list"},
		{"legal winner thank year wave sausage worth useful legal winner thank", ErrWordCount, "not 11"},
		{"", ErrWordCount, "not 0"},
		{"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon", ErrWordCount, "not 13"},
		{"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon", ErrChecksum, "checksum"},
		{strings.Repeat("abandon ", 600), ErrTooLong, "too long"},
	}
	for _, c := range cases {
		_, err := Parse(c.phrase)
		if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Parse(%.40q…) = %v, want %v saying %q", c.phrase, err, c.err, c.says)
		}
		for _, w := range strings.Fields(c.phrase) {
			if len(w) > 3 && strings.Contains(err.Error(), w) {
				t.Errorf("error %q repeats the word %q", err, w)
			}
		}
	}
	var uw *UnknownWordError
	if _, err := Parse("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrogn"); !errors.As(err, &uw) || uw.Position != 12 {
		t.Errorf("last word unknown: %v", err)
	}
}

func TestFromEntropyRefusesSizes(t *testing.T) {
	for _, n := range []int{0, 12, 15, 17, 36} {
		if _, err := FromEntropy(make([]byte, n)); !errors.Is(err, ErrEntropySize) {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
}

// TestNeverPrinted: formatting a Mnemonic, by any verb, shows no word.
func TestNeverPrinted(t *testing.T) {
	m, err := Parse("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(m), fmt.Sprintf("%v %+v %#v %s", m, m, m, m), fmt.Sprint(&m)} {
		if strings.Contains(s, "zoo") || strings.Contains(s, "wrong") {
			t.Fatalf("printed the phrase: %s", s)
		}
	}
	//lint:ignore SA9005 marshalling a value without exported fields is the point: it must not show the words
	if b, _ := json.Marshal(m); strings.Contains(string(b), "zoo") {
		t.Fatalf("JSON shows the phrase: %s", b)
	}
}

func TestZeroMnemonicHasNoSeed(t *testing.T) {
	if _, err := (Mnemonic{}).Seed(""); !errors.Is(err, ErrWordCount) {
		t.Fatal(err)
	}
}

// FuzzParse: Parse never panics, and whatever it accepts round-trips through
// its canonical phrase and through its entropy.
func FuzzParse(f *testing.F) {
	for _, v := range loadTrezor(f) {
		f.Add(v.Phrase)
	}
	f.Add("legal winner thank year wave sausage worth usefull legal winner thank yellow")
	f.Add("ZOO zoo\u00a0zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong")
	f.Fuzz(func(t *testing.T, phrase string) {
		m, err := Parse(phrase)
		if err != nil {
			return
		}
		again, err := Parse(m.Phrase())
		if err != nil || !slices.Equal(again.idx, m.idx) {
			t.Fatalf("canonical phrase does not round-trip: %v", err)
		}
		fromEnt, err := FromEntropy(m.Entropy())
		if err != nil || !slices.Equal(fromEnt.idx, m.idx) {
			t.Fatalf("entropy does not round-trip: %v", err)
		}
	})
}

func BenchmarkSeed(b *testing.B) {
	m, _ := Parse("legal winner thank year wave sausage worth useful legal winner thank yellow")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Seed(""); err != nil {
			b.Fatal(err)
		}
	}
}
