// Package multikeccak computes the legacy Keccak-256 (Ethereum's keccak256)
// of many messages together: eight Keccak-f[1600] states are permuted at
// once, one per 64-bit lane of 512-bit registers, with AVX-512 where the CPU
// and the operating system enable it, four at a time in 256-bit registers
// with AVX2 where only that is enabled (both detected at run time through
// golang.org/x/sys/cpu), and in portable Go otherwise. It serves hot paths
// that hash many short, independent messages, such as the proof of work of
// every envelope of a Whisper packet.
//
// The assembly (keccak8_amd64.s) is written by gen.go (go generate);
// TestGenerated checks that it is the generator's output. The results of
// every permutation equal golang.org/x/crypto/sha3.NewLegacyKeccak256 for
// every input (tested for every length 0…1000 in batches of 1…17 messages,
// for mixed lengths, and fuzzed). The package has no global mutable state;
// a Batch belongs to one goroutine at a time.
package multikeccak
