// Package multikeccak computes the legacy Keccak-256 (Ethereum's keccak256)
// of many messages together: eight Keccak-f[1600] states are permuted at
// once, one per 64-bit lane of 512-bit registers, with AVX-512 where the CPU
// and the operating system enable it, four at a time in 256-bit registers
// with AVX2 where only that is enabled (both detected at run time through
// golang.org/x/sys/cpu), and in portable Go otherwise. It serves hot paths
// that hash many short, independent messages, such as the proof of work of
// every envelope of a Whisper packet (Batch), and the search for a
// proof-of-work nonce, which hashes one prefix followed by many nonces
// (Prefix absorbs the prefix once; NonceHasher tries eight nonces a call).
//
// The assembly (keccak8_amd64.s) is written by gen.go (go generate);
// TestGenerated checks that it is the generator's output. The results of
// every permutation equal golang.org/x/crypto/sha3.NewLegacyKeccak256 for
// every input (tested for every length 0…1000 in batches of 1…17 messages,
// for mixed lengths, for nonces after every prefix length 0…700, and
// fuzzed). The package has no global mutable state; a Batch or a
// NonceHasher belongs to one goroutine at a time, and a Prefix may be
// shared.
package multikeccak
