// Package encryptiontest holds test helpers for protocol/encryption and for
// the implementations of its Store: MemoryStore, an in-memory Store;
// StoreSuite, the conformance tests every Store implementation runs;
// FaultStore, a Store wrapper that fails chosen calls; and a
// small simulated world (devices, a lossy network, a manual clock, seeded
// randomness) in which Managers talk to each other.
//
// Like protocol/encryption it does no I/O, reads no clock and starts no
// goroutines: time and randomness come from Clock and NewRand.
package encryptiontest
