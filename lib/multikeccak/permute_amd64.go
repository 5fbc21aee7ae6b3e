//go:build amd64 && !purego

package multikeccak

import "golang.org/x/sys/cpu"

//go:generate go run gen.go

// permute8AVX512 permutes the eight states of s at once (keccak8_amd64.s).
//
//go:noescape
func permute8AVX512(s *state8)

// hasAVX512 reports whether permute8AVX512 may run: AVX-512 F enabled by
// the CPU and the operating system.
var hasAVX512 = cpu.X86.HasAVX512F

func permute8(s *state8, accelerated bool) {
	if accelerated {
		permute8AVX512(s)
		return
	}
	permute8Generic(s)
}
