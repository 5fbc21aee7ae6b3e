package transit

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// heapGrowth runs fn and returns how many bytes of heap it allocated in
// total (cumulative, so it counts garbage too).
func heapGrowth(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHostileInputMemoryBounded feeds inputs far beyond the limits and
// checks that they are refused before the decoder does work proportional to
// them: an oversized input allocates almost nothing, and a deeply nested one
// stops at the depth limit.
func TestHostileInputMemoryBounded(t *testing.T) {
	huge := []byte(`["~#c4",["` + strings.Repeat("a", 64<<20) + `"]]`)
	var err error
	grew := heapGrowth(func() { _, err = Decode(huge) })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("64 MiB input: %v", err)
	}
	if grew > 64<<10 {
		t.Fatalf("refusing a 64 MiB input allocated %d bytes", grew)
	}

	deep := append(bytes.Repeat([]byte("["), 500000), bytes.Repeat([]byte("]"), 500000)...)
	grew = heapGrowth(func() { _, err = Decode(deep) })
	if !errors.Is(err, ErrTooDeep) {
		t.Fatalf("nesting 500000 deep: %v", err)
	}
	if grew > 1<<20 {
		t.Fatalf("refusing deep nesting allocated %d bytes", grew)
	}

	// Just under the size limit: a wide, flat array of small maps is decoded
	// with memory proportional to the input, not more.
	var b strings.Builder
	b.WriteString("[")
	for b.Len() < DefaultMaxBytes-64 {
		b.WriteString(`["^ ","~:a",1],`)
	}
	b.WriteString(`0]`)
	wide := []byte(b.String())
	grew = heapGrowth(func() { _, err = Decode(wide) })
	if err != nil {
		t.Fatalf("wide input: %v", err)
	}
	if limit := uint64(len(wide)) * 64; grew > limit {
		t.Fatalf("decoding %d bytes allocated %d (more than 64x)", len(wide), grew)
	}
}
