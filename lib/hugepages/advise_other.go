//go:build !linux

package hugepages

// osSystem advises nothing: transparent huge pages are Linux's.
type osSystem struct{ root string }

func (osSystem) heapBytes() uint64 { return heapMapped() }

func (osSystem) check(uint64) (uint64, string) {
	return 0, "transparent huge pages are Linux's"
}

func (osSystem) advise(uint64, uint64) (uint64, error) { return 0, nil }
