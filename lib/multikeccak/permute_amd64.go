//go:build amd64 && !purego

package multikeccak

import "golang.org/x/sys/cpu"

//go:generate go run gen.go

// permute8AVX512 permutes the eight states of s at once (keccak8_amd64.s).
//
//go:noescape
func permute8AVX512(s *state8)

// permute4AVX2 permutes the four states of the state8 whose word 0 of the
// first is at s (lanes 0–3 or 4–7), with tmp as scratch
// (keccak8_amd64.s).
//
//go:noescape
func permute4AVX2(s *uint64, tmp *[25][4]uint64)

// best is the fastest permutation the CPU and the operating system enable.
var best = func() impl {
	switch {
	case cpu.X86.HasAVX512F:
		return implAVX512
	case cpu.X86.HasAVX2:
		return implAVX2
	}
	return implGeneric
}()

// permute8 permutes the states of s; with AVX2, only the half of them
// (lanes 0–3, 4–7) that holds a busy lane (bit j of busy for lane j).
func permute8(s *state8, tmp *[25][4]uint64, i impl, busy uint8) {
	switch i {
	case implAVX512:
		permute8AVX512(s)
	case implAVX2:
		if busy&0x0F != 0 {
			permute4AVX2(&s[0][0], tmp)
		}
		if busy&0xF0 != 0 {
			permute4AVX2(&s[0][4], tmp)
		}
	default:
		permute8Generic(s)
	}
}

func cpuHasAVX2() bool { return cpu.X86.HasAVX2 }
