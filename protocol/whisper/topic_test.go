package whisper

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// naiveBloom is the linear model of §5.7: a 512-entry bit array written one
// index at a time. The assignment quirk is modelled literally: writing an
// index first clears the other seven bits of its byte.
type naiveBloom [512]bool

func naiveTopicBloom(t Topic) naiveBloom {
	var m naiveBloom
	for j := 0; j < 3; j++ {
		n := int(t[j])
		if t[3]>>j&1 == 1 {
			n += 256
		}
		for i := n / 8 * 8; i < n/8*8+8; i++ {
			m[i] = false
		}
		m[n] = true
	}
	return m
}

// naiveMatch scans every bit: each bit set in sample must be set in filter.
func naiveMatch(filter []naiveBloom, sample naiveBloom) bool {
	for i := range sample {
		if !sample[i] {
			continue
		}
		found := false
		for _, f := range filter {
			found = found || f[i]
		}
		if !found {
			return false
		}
	}
	return true
}

func randomTopic(r *rand.Rand) Topic {
	var t Topic
	for i := range t {
		t[i] = byte(r.UintN(256))
	}
	return t
}

func TestBloomMatchesNaiveModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 3000; iter++ {
		topics := make([]Topic, r.IntN(6))
		models := make([]naiveBloom, len(topics))
		for i := range topics {
			topics[i] = randomTopic(r)
			models[i] = naiveTopicBloom(topics[i])
		}
		node := BloomFromTopics(topics...)
		// Sample: one of the node's own topics, or a random one.
		sample := randomTopic(r)
		if len(topics) > 0 && r.IntN(2) == 0 {
			sample = topics[r.IntN(len(topics))]
		}
		want := naiveMatch(models, naiveTopicBloom(sample))
		if got := node.Contains(sample); got != want {
			t.Fatalf("topics %x sample %x: Contains = %v, model %v", topics, sample, got, want)
		}
		for i, tp := range topics {
			if !node.Contains(tp) {
				t.Fatalf("false negative for own topic %d %x", i, tp)
			}
		}
		if !BloomMatch(FullBloom(), TopicToBloom(sample)) {
			t.Fatal("full bloom must match every topic")
		}
		// Arbitrary blooms, against the byte-wise rule of §5.7: a sample
		// inside the filter, then one with a single bit more.
		var f, in Bloom
		for i := range f {
			f[i] = byte(r.UintN(256))
			in[i] = f[i] & byte(r.UintN(256))
		}
		// Contains tests the topic's bits in place: the same answer as
		// matching its bloom, against a filter with about half its bits set.
		if got, want := f.Contains(sample), BloomMatch(f, TopicToBloom(sample)); got != want {
			t.Fatalf("%x.Contains(%x) = %v, BloomMatch %v", f, sample, got, want)
		}
		out := in
		bit := r.IntN(512)
		out[bit/8] |= 1 << (bit % 8)
		for _, c := range []struct {
			sample Bloom
			want   bool
		}{{in, true}, {out, f[bit/8]&(1<<(bit%8)) != 0}} {
			if got := BloomMatch(f, c.sample); got != c.want {
				t.Fatalf("BloomMatch(%x, %x) = %v", f, c.sample, got)
			}
		}
	}
}

func TestTopicToBloomAssignmentQuirk(t *testing.T) {
	// Indices 8 and 9 share byte 1: only the last assigned bit survives;
	// index 16 sits alone in byte 2.
	b := TopicToBloom(Topic{8, 9, 16, 0})
	if b[1] != 0x02 || b[2] != 0x01 {
		t.Fatalf("byte1 %08b byte2 %08b", b[1], b[2])
	}
	// Bit j of topic[3] adds 256 to index j.
	b = TopicToBloom(Topic{0, 1, 2, 0x07})
	if b[32] != 0x04 {
		t.Fatalf("byte32 %08b, want 00000100", b[32])
	}
}

func TestBloomFromBytes(t *testing.T) {
	if b, err := BloomFromBytes(nil); err != nil || !b.IsFull() {
		t.Fatalf("empty bloom: %v %v", b.IsFull(), err)
	}
	raw := make([]byte, BloomFilterSize)
	raw[3] = 9
	if b, err := BloomFromBytes(raw); err != nil || b[3] != 9 || b.IsEmpty() {
		t.Fatalf("64-byte bloom: %v", err)
	}
	if _, err := BloomFromBytes(make([]byte, 63)); !errors.Is(err, ErrInvalidBloom) {
		t.Fatalf("63 bytes: %v", err)
	}
	if !BloomFromTopics().IsEmpty() {
		t.Fatal("no topics must give the empty bloom")
	}
}

func TestBloomText(t *testing.T) {
	b := BloomFromTopics(TopicFromName("status"), TopicFromName("contact-discovery"))
	text, _ := b.MarshalText()
	var back Bloom
	if err := back.UnmarshalText(text); err != nil || back != b {
		t.Fatalf("round trip: %v", err)
	}
	if err := back.UnmarshalText([]byte("0x00")); !errors.Is(err, ErrInvalidBloom) {
		t.Fatalf("short bloom: %v", err)
	}
}

func TestTopicParsing(t *testing.T) {
	tp, err := ParseTopic("0xcd423760")
	if err != nil || tp != TopicFromName("status") || tp.String() != "0xcd423760" {
		t.Fatalf("%v %v", tp, err)
	}
	if tp, err = ParseTopic("ab"); err != nil || tp != (Topic{0xab}) {
		t.Fatalf("1-byte topic: %v %v", tp, err)
	}
	for _, bad := range []string{"", "0x", "0x0102030405", "zz"} {
		if _, err := ParseTopic(bad); !errors.Is(err, ErrInvalidTopic) {
			t.Errorf("ParseTopic(%q) = %v", bad, err)
		}
	}
	var u Topic
	if err := u.UnmarshalText([]byte("0xf8946aac")); err != nil || u != TopicFromName("contact-discovery") {
		t.Fatalf("%v %v", u, err)
	}
	if PacketCode(127).String() != "P2PMessage" || PacketCode(99).String() != "Unknown(99)" {
		t.Fatal("PacketCode.String")
	}
}
