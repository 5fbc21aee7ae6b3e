package sessions

import (
	"bytes"
	"testing"
)

// Benchmarks of one 1 KiB direct message on an established session,
// including the bundle attached to it and the commit to the store
// (goleveldb or memory). Anchor: the doubleratchet library alone does
// ~7.6 µs encrypt, ~51 µs decrypt in memory.

func benchPair(b *testing.B, be backend) (*world, *device, *device) {
	w, a1, _, b1 := setup(b, be, 9)
	w.send(a1, b1)
	w.send(b1, a1)
	w.drain()
	return w, a1, b1
}

func benchEncrypt(b *testing.B, be backend) {
	w, a, bob := benchPair(b, be)
	payload := bytes.Repeat([]byte{'x'}, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.m.SendDirect(w.c.tick(), w.r, bob.pub(), payload); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func benchDecrypt(b *testing.B, be backend) {
	w, a, bob := benchPair(b, be)
	payload := bytes.Repeat([]byte{'x'}, 1024)
	msgs := make([][]byte, b.N)
	for i := range msgs {
		out, err := a.m.SendDirect(w.c.tick(), w.r, bob.pub(), payload)
		if err != nil {
			b.Fatal(err)
		}
		msgs[i] = out[0].Payload
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := bob.m.HandleMessage(w.c.tick(), w.r, a.pub(), msgs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkEncrypt1KiB(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) { benchEncrypt(b, be) })
	}
}

func BenchmarkDecrypt1KiB(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) { benchDecrypt(b, be) })
	}
}
