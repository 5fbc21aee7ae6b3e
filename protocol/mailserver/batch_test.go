package mailserver

import (
	"errors"
	"testing"

	"github.com/statusnode/statusd/protocol/whisper"
)

func testEnvelopes(n, dataLen int) []*whisper.Envelope {
	out := make([]*whisper.Envelope, n)
	for i := range out {
		out[i] = &whisper.Envelope{
			Expiry: 1565000015 + uint32(i), TTL: 15,
			Topic: whisper.TopicFromName("status"),
			Data:  make([]byte, dataLen), Nonce: uint64(i),
		}
		out[i].Data[0] = byte(i)
	}
	return out
}

func TestBatchSplitsUnderMaxSize(t *testing.T) {
	envs := testEnvelopes(50, 300)
	const maxSize = 2000
	bodies, err := EncodeBatch(envs, maxSize, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) < 2 {
		t.Fatalf("%d bodies for %d envelopes", len(bodies), len(envs))
	}
	var got []*whisper.Envelope
	for _, b := range bodies {
		if len(b) > maxSize {
			t.Fatalf("body of %d bytes > %d", len(b), maxSize)
		}
		part, err := DecodeBatch(b, whisper.DefaultMaxMessageSize)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, part...)
	}
	if len(got) != len(envs) {
		t.Fatalf("%d envelopes back, want %d", len(got), len(envs))
	}
	for i := range got {
		if got[i].Hash() != envs[i].Hash() {
			t.Fatalf("envelope %d differs or out of order", i)
		}
	}
}

func TestBatchSingleEnvelopes(t *testing.T) {
	envs := testEnvelopes(3, 10)
	bodies, err := EncodeBatch(envs, whisper.DefaultMaxMessageSize, false)
	if err != nil || len(bodies) != 3 {
		t.Fatalf("%d bodies, %v", len(bodies), err)
	}
	for i, b := range bodies {
		e, err := whisper.DecodeEnvelope(b, whisper.DefaultMaxMessageSize)
		if err != nil || e.Hash() != envs[i].Hash() {
			t.Fatalf("body %d: %v", i, err)
		}
	}
}

func TestBatchLargeList(t *testing.T) {
	// One body over 64 KiB exercises a 3-byte list length.
	envs := testEnvelopes(100, 1000)
	bodies, err := EncodeBatch(envs, whisper.DefaultMaxMessageSize, true)
	if err != nil || len(bodies) != 1 {
		t.Fatalf("%d bodies, %v", len(bodies), err)
	}
	got, err := DecodeBatch(bodies[0], whisper.DefaultMaxMessageSize)
	if err != nil || len(got) != 100 {
		t.Fatalf("%d, %v", len(got), err)
	}
}

func TestBatchEnvelopeTooLarge(t *testing.T) {
	b := NewBatcher(100, true)
	if _, err := b.Add(testEnvelopes(1, 200)[0]); !errors.Is(err, ErrEnvelopeTooLarge) {
		t.Fatalf("batch: %v", err)
	}
	if b.Flush() != nil {
		t.Fatal("refused envelope was kept")
	}
	if _, err := NewBatcher(100, false).Add(testEnvelopes(1, 200)[0]); !errors.Is(err, ErrEnvelopeTooLarge) {
		t.Fatalf("single: %v", err)
	}
}
