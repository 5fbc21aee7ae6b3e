// Package alias derives the three-word name ("Adjective Adjective Animal")
// that Status clients of 2019 showed for every chat key, so that a statusd
// user is shown under the same name by every peer.
//
// The derivation (docs/PROTOCOL.md §2): the low 64 bits of
// the public key's X coordinate seed a 64-bit Fibonacci linear-feedback shift
// register with taps 0xB8; its next three states, each taken modulo the
// length of a word list, pick the first adjective, the second adjective and
// the animal. The word lists (adjectives.txt, animals.txt) are the ones
// status-go shipped in protocol/identity/alias/data.go (v0.35.1); their order
// and their duplicate entries are part of the algorithm and must not change.
//
// The package is pure: no I/O, no clock, no global mutable state.
package alias
