//go:build !amd64 || purego

package multikeccak

const hasAVX512 = false

func permute8(s *state8, _ bool) { permute8Generic(s) }
