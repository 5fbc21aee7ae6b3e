// Package memsize is a no-op stand-in for github.com/fjl/memsize, used only
// by the Whisper interop harness.
//
// go-ethereum v1.9.20 imports github.com/fjl/memsize/memsizeui from its
// internal/debug package (the --pprof memory-size page). The real memsize
// reaches into the runtime with //go:linkname (runtime.stopTheWorld), which
// Go ≥ 1.23 refuses to link without -ldflags=-checklinkname=0. The harness
// never serves that page, so this module provides the same API with no
// behaviour: Scan reports nothing and the UI handler answers 404.
package memsize

import "fmt"

// Sizes is the result of a scan: always empty here.
type Sizes struct {
	Total  uintptr
	ByType map[interface{}]*TypeSize
	// BitmapSize and BitmapUtilization mirror the real type's fields.
	BitmapSize        uintptr
	BitmapUtilization float32
}

// TypeSize mirrors the real type: total size and count of one type.
type TypeSize struct {
	Total uintptr
	Count uintptr
}

// Scan reports zero sizes; the real one walks the heap from v.
func Scan(v interface{}) Sizes {
	return Sizes{ByType: map[interface{}]*TypeSize{}}
}

// Report renders the (empty) sizes as text.
func (s Sizes) Report() string {
	return fmt.Sprintf("total: %d (memsize stub: no scan)\n", s.Total)
}

// HumanSize formats a byte count the way the real package does.
func HumanSize(bytes uintptr) string {
	switch {
	case bytes < 1024:
		return fmt.Sprintf("%d B", bytes)
	case bytes < 1024*1024:
		return fmt.Sprintf("%.3f KB", float64(bytes)/1024)
	default:
		return fmt.Sprintf("%.3f MB", float64(bytes)/1024/1024)
	}
}
