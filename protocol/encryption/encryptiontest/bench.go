package encryptiontest

import (
	"bytes"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
)

// benchPayload is the size of the direct message the benchmarks send.
const benchPayload = 1024

// benchPair sets up an established session between Alice's first
// installation and Bob (each side has sent once and the pool is drained),
// on the stores open returns.
func benchPair(b *testing.B, open func(name string) encryption.Store) (*World, *Device, *Device) {
	b.Helper()
	w, a1, _, b1 := Setup(b, 9, open)
	w.Send(a1, b1)
	w.Send(b1, a1)
	w.Drain()
	return w, a1, b1
}

// BenchEncrypt1KiB measures Manager.SendDirect of one 1 KiB direct message
// on an established session, the bundle attached to it and the commit to
// the stores open returns included. It reports msgs/s beside the usual
// figures.
func BenchEncrypt1KiB(b *testing.B, open func(name string) encryption.Store) {
	w, a, bob := benchPair(b, open)
	payload := bytes.Repeat([]byte{'x'}, benchPayload)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	for range b.N {
		if _, err := a.M.SendDirect(w.C.Tick(), w.R, bob.Pub(), payload); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchDecrypt1KiB measures Manager.HandleMessage of one 1 KiB direct
// message on an established session (the messages are encrypted before the
// timer starts), the commit to the stores open returns included. It
// reports msgs/s beside the usual figures.
func BenchDecrypt1KiB(b *testing.B, open func(name string) encryption.Store) {
	w, a, bob := benchPair(b, open)
	payload := bytes.Repeat([]byte{'x'}, benchPayload)
	msgs := make([][]byte, b.N)
	for i := range msgs {
		out, err := a.M.SendDirect(w.C.Tick(), w.R, bob.Pub(), payload)
		if err != nil {
			b.Fatal(err)
		}
		msgs[i] = out[0].Payload
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	for i := range b.N {
		if _, err := bob.M.HandleMessage(w.C.Tick(), w.R, a.Pub(), msgs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
