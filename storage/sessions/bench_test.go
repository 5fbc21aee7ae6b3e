package sessions

import (
	"bytes"
	"testing"

	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// Benchmarks of one 1 KiB direct message on an established session,
// including the bundle attached to it and the commit to this store (its
// at-rest encryption over goleveldb or the in-memory key-value store).
// protocol/encryption's benchmarks of the same names measure the Manager
// alone; the difference is the cost of this store.

func benchPair(b *testing.B, be backend) (*et.World, *et.Device, *et.Device) {
	w, a1, _, b1 := et.Setup(b, 9, newStores(b, be).open)
	w.Send(a1, b1)
	w.Send(b1, a1)
	w.Drain()
	return w, a1, b1
}

func benchEncrypt(b *testing.B, be backend) {
	w, a, bob := benchPair(b, be)
	payload := bytes.Repeat([]byte{'x'}, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.M.SendDirect(w.C.Tick(), w.R, bob.Pub(), payload); err != nil {
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
		out, err := a.M.SendDirect(w.C.Tick(), w.R, bob.Pub(), payload)
		if err != nil {
			b.Fatal(err)
		}
		msgs[i] = out[0].Payload
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := bob.M.HandleMessage(w.C.Tick(), w.R, a.Pub(), msgs[i]); err != nil {
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
