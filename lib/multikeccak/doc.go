// Package multikeccak computes the legacy Keccak-256 (Ethereum's keccak256)
// of many messages together: eight Keccak-f[1600] states are permuted at
// once, one per 64-bit lane of 512-bit registers, with AVX-512 where the CPU
// and the operating system enable it (detected at run time) and with
// portable Go otherwise. It serves hot paths that hash many short,
// independent messages, such as the proof of work of every envelope of a
// Whisper packet.
//
// The results equal golang.org/x/crypto/sha3.NewLegacyKeccak256 for every
// input (tested for every length 0…1000 and every number of messages per
// lane group, and fuzzed). The package has no global mutable state; a Batch
// belongs to one goroutine at a time.
package multikeccak
