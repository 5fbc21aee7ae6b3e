package hugepages

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestThpMode(t *testing.T) {
	for in, want := range map[string]string{
		"always [madvise] never\n": "madvise",
		"[always] madvise never\n": "always",
		"always madvise [never]\n": "never",
		"always madvise never\n":   "",
		"[always":                  "",
		"":                         "",
	} {
		if got := thpMode(in); got != want {
			t.Errorf("thpMode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMemTotal(t *testing.T) {
	for in, want := range map[string]uint64{
		"MemTotal:       24634268 kB\nMemFree:  1 kB\n": 24634268 << 10,
		"MemFree:  1 kB\nMemTotal: 2048 kB\n":           2048 << 10,
		"MemTotal: 2048 MB\n":                           0,
		"MemTotal: x kB\n":                              0,
		"MemTotal: 99999999999999999999 kB\n":           0,
		"":                                              0,
	} {
		if got := memTotal([]byte(in)); got != want {
			t.Errorf("memTotal(%q) = %d, want %d", in, got, want)
		}
	}
}

// fakeRoot writes the files osSystem.check reads under a temporary root;
// an empty value leaves that file out.
func fakeRoot(t *testing.T, enabled, pmdSize, overcommit, meminfo string) string {
	root := t.TempDir()
	for path, data := range map[string]string{
		"sys/kernel/mm/transparent_hugepage/enabled":        enabled,
		"sys/kernel/mm/transparent_hugepage/hpage_pmd_size": pmdSize,
		"proc/sys/vm/overcommit_memory":                     overcommit,
		"proc/meminfo":                                      meminfo,
	} {
		if data == "" {
			continue
		}
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestCheck: only mode "madvise", with 2 MiB huge pages (or a kernel that
// does not say), without strict overcommit, on a machine whose memory is
// known, gives a region: the one asked for, capped at a quarter of the
// memory and rounded down to whole huge pages.
func TestCheck(t *testing.T) {
	const madvise, gib = "always [madvise] never\n", "MemTotal: 24634268 kB\n"
	const pmd = "2097152\n"
	for name, c := range map[string]struct {
		enabled, pmdSize, overcommit, meminfo string
		want                                  uint64 // 0: a reason instead
	}{
		"madvise":          {madvise, pmd, "0\n", gib, 1 << 30},
		"heuristic":        {madvise, pmd, "1\n", gib, 1 << 30},
		"small machine":    {madvise, pmd, "0\n", "MemTotal: 2000000 kB\n", (2000000 << 10 / 4) &^ (2<<20 - 1)},
		"tiny machine":     {madvise, pmd, "0\n", "MemTotal: 8000 kB\n", 0},
		"always":           {"[always] madvise never\n", pmd, "0\n", gib, 0},
		"never":            {"always madvise [never]\n", pmd, "0\n", gib, 0},
		"no THP":           {"", pmd, "0\n", gib, 0},
		"strict":           {madvise, pmd, "2\n", gib, 0},
		"overcommit gone":  {madvise, pmd, "", gib, 0},
		"memory unknown":   {madvise, pmd, "0\n", "", 0},
		"memory malformed": {madvise, pmd, "0\n", "MemTotal: lots\n", 0},
		"size unknown":     {madvise, "", "0\n", gib, 1 << 30},
		"64 KiB pages":     {madvise, "536870912\n", "0\n", gib, 0},
	} {
		t.Run(name, func(t *testing.T) {
			got, reason := osSystem{root: fakeRoot(t, c.enabled, c.pmdSize, c.overcommit, c.meminfo)}.check(1 << 30)
			if got != c.want || (c.want == 0) != (reason != "") {
				t.Fatalf("check = %d, %q; want %d", got, reason, c.want)
			}
		})
	}
}

// vmaOf returns the VmFlags line of /proc/self/smaps for the mapping that
// holds addr.
func vmaOf(t *testing.T, addr uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := vmaRange(line); ok {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return line
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return ""
}

// vmaRange parses the address range that starts a mapping's smaps entry.
func vmaRange(line string) (lo, hi uintptr, ok bool) {
	r, _, _ := strings.Cut(line, " ")
	a, b, found := strings.Cut(r, "-")
	if !found {
		return 0, 0, false
	}
	x, err1 := strconv.ParseUint(a, 16, 64)
	y, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(x), uintptr(y), true
}

// TestAdviseFresh, on this kernel: the region's aligned interior is
// advised (the mapping's VmFlags has "hg"), and once the gap and the
// region are returned, the heap's growth fills the gap first and then
// lands in the region.
func TestAdviseFresh(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("this kernel has no transparent huge pages")
	}
	const gap, region = 16 << 20, 256 << 20
	debug.FreeOSMemory()
	lo, n, err := adviseFresh(gap, region)
	if err != nil {
		t.Fatal(err)
	}
	// Objects that filled free runs below the heap's top are not in the
	// advised run: a test process has few.
	if lo%hugePage != 0 || n%hugePage != 0 || n < region/2 || n > region {
		t.Fatalf("advised %d bytes at %#x: want whole huge pages, most of %d bytes", n, lo, region)
	}
	for _, a := range []uintptr{lo, lo + uintptr(n) - 1} {
		if flags := vmaOf(t, a); !strings.Contains(flags, " hg") {
			t.Fatalf("the mapping at %#x is not advised: %s", a, flags)
		}
	}
	debug.FreeOSMemory()
	inGap := make([]byte, gap-hugePage)
	next := make([]byte, 64<<20)
	if at := uintptr(unsafe.Pointer(unsafe.SliceData(inGap))); at >= lo {
		t.Fatalf("an object that fits in the gap is at %#x, in the advised range from %#x", at, lo)
	}
	at := uintptr(unsafe.Pointer(unsafe.SliceData(next)))
	if at+uintptr(len(next)) <= lo || at >= lo+uintptr(n) {
		t.Fatalf("a new 64 MiB object at %#x is outside the advised %#x-%#x", at, lo, lo+uintptr(n))
	}
	runtime.KeepAlive(inGap)
	runtime.KeepAlive(next)
}

// rss reads the process's resident memory (VmRSS).
func rss(t *testing.T) uint64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// TestAdviseFreshTouchesLittle: with a free run at the heap's top that the
// heap used before (which the runtime zeroes when it hands it out again),
// advising a region makes little of it resident: no object is zeroed
// beyond that run.
func TestAdviseFreshTouchesLittle(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("this kernel has no transparent huge pages")
	}
	const gap, region = 16 << 20, 512 << 20
	used := make([]byte, 32<<20)
	for i := range used {
		used[i] = 1
	}
	runtime.KeepAlive(used)
	used = nil
	runtime.GC() // a dirty free run at the top, still resident
	before := rss(t)
	if _, _, err := adviseFresh(gap, region); err != nil {
		t.Fatal(err)
	}
	if grew := int64(rss(t)) - int64(before); grew > 64<<20 {
		t.Fatalf("advising %d MiB made %d MiB resident", region>>20, grew>>20)
	}
}

// TestAdvisedRange: the last region bytes of the highest run of objects,
// whole huge pages; a run goes on across other allocations between its
// objects, and ends where objects that filled older free runs begin.
func TestAdvisedRange(t *testing.T) {
	const mib = 1 << 20
	const base = 0x7f00_0000_0000
	run := func(from uintptr, n int, step uintptr) []uintptr {
		var s []uintptr
		for i := range n {
			s = append(s, from+uintptr(i)*step)
		}
		return s
	}
	for name, c := range map[string]struct {
		starts         []uintptr
		region         uintptr
		wantLo, wantHi uintptr
	}{
		"aligned run": {run(base, 8, 2*mib), 8 * mib, base + 8*mib, base + 16*mib},
		"unaligned run": {run(base+8192, 8, 2*mib), 8 * mib,
			base + 10*mib, base + 16*mib}, // the partial huge page at the top is left out
		"region past the run": {run(base, 4, 2*mib), 64 * mib, base, base + 8*mib},
		"others between": {run(base, 8, 2*mib+64*1024), 4 * mib,
			(base + 8*(2*mib+64*1024) - 4*mib + 2*mib - 1) &^ (2*mib - 1), (base + 7*(2*mib+64*1024) + 2*mib) &^ (2*mib - 1)},
		"holes below": {append(run(base, 3, 6*mib), run(base+64*mib, 4, 2*mib)...), 64 * mib,
			base + 64*mib, base + 72*mib},
		"none": {nil, 8 * mib, 0, 0},
	} {
		t.Run(name, func(t *testing.T) {
			lo, hi := advisedRange(slices.Clone(c.starts), c.region)
			if lo != c.wantLo || hi != c.wantHi {
				t.Fatalf("advisedRange = %#x-%#x, want %#x-%#x", lo, hi, c.wantLo, c.wantHi)
			}
			if c.wantHi > c.wantLo && (lo%hugePage != 0 || hi%hugePage != 0) {
				t.Fatalf("%#x-%#x is not whole huge pages", lo, hi)
			}
		})
	}
}
