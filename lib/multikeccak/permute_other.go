//go:build !amd64 || purego

package multikeccak

const best = implGeneric

func permute8(s *state8, _ *[25][4]uint64, _ impl, _ uint8) { permute8Generic(s) }

func cpuHasAVX2() bool { return false }
