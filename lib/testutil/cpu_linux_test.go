package testutil

import (
	"syscall"
	"testing"
)

// touchFresh maps n bytes of fresh anonymous memory, advised
// MADV_HUGEPAGE if huge, writes one byte of each 4 KiB page and unmaps it.
func touchFresh(tb testing.TB, n int, huge bool) {
	tb.Helper()
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		tb.Fatal(err)
	}
	if huge {
		if err := syscall.Madvise(b, syscall.MADV_HUGEPAGE); err != nil {
			syscall.Munmap(b)
			tb.Skipf("no transparent huge pages here: %v", err)
		}
	}
	for i := 0; i < n; i += 4096 {
		b[i] = 1
	}
	if err := syscall.Munmap(b); err != nil {
		tb.Fatal(err)
	}
}

func TestMinorFaultsCountFirstTouch(t *testing.T) {
	const pages = 1024
	before := MinorFaults(t, 0)
	touchFresh(t, pages*4096, false)
	if got := MinorFaults(t, 0) - before; got < pages {
		t.Fatalf("%d minor faults after touching %d fresh pages", got, pages)
	}
	if CPUTime(t, 0) < 0 {
		t.Fatal("negative CPU time")
	}
}

// BenchmarkFirstTouch: what one minor page fault costs on this machine,
// the first write to a fresh 4 KiB page of anonymous memory (the kernel's
// fault and zeroing of the page). Multiply a benchmark's faults (the
// *-faults metrics, MinorFaults) by it to see their share of its CPU.
// "huge pages" is the same memory advised MADV_HUGEPAGE, as lib/hugepages
// advises the heap's growth: one fault and one zeroing a 2 MiB page, given
// per 4 KiB of it, where the kernel has transparent huge pages and a free
// huge page (it falls back to 4 KiB pages otherwise). In the kernel's
// mode "always" both get huge pages.
func BenchmarkFirstTouch(b *testing.B) {
	const pages = 4096 // 16 MiB, 8 huge pages
	for _, huge := range []bool{false, true} {
		name := "4KiB pages"
		if huge {
			name = "huge pages"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				touchFresh(b, pages*4096, huge)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pages), "ns/page")
		})
	}
}
