package identity

import (
	"fmt"
	"syscall"
	"unsafe"
)

// wordMap is an anonymous private memory mapping seen as 32-bit words. The
// Go runtime neither allocates nor scans it: it holds no pointers, and it
// does not count towards the heap or its growth.
type wordMap struct {
	mem   []byte
	words []uint32
}

// mapWords maps n zeroed words. The mapping is page-aligned, so its words
// are aligned too.
func mapWords(n int) (*wordMap, error) {
	mem, err := syscall.Mmap(-1, 0, 4*n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	return &wordMap{mem: mem, words: unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(mem))), n)}, nil
}

// release wipes the words and unmaps them; neither slice may be used after.
// The wipe comes first so that the derivation's state does not outlive the
// call, whatever the kernel does with the freed pages.
func (m *wordMap) release() {
	clear(m.mem)
	m.words = nil
	_ = syscall.Munmap(m.mem) // fails only for a bad address, which m.mem is not
	m.mem = nil
}
