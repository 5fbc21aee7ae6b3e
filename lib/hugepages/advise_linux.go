package hugepages

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of a transparent huge page on the architectures Go
// runs Linux on with 4 KiB pages.
const hugePage = 2 << 20

// osSystem is the running process on this Linux machine; root prefixes
// the paths it reads ("" for the real ones).
type osSystem struct{ root string }

func (osSystem) heapBytes() uint64 { return heapMapped() }

// check reads the kernel's huge page mode and size, its overcommit policy
// and the machine's memory.
func (s osSystem) check(want uint64) (uint64, string) {
	if strconv.IntSize != 64 {
		return 0, "not a 64-bit system"
	}
	data, err := os.ReadFile(filepath.Join(s.root, "/sys/kernel/mm/transparent_hugepage/enabled"))
	if err != nil {
		return 0, "the kernel has no transparent huge pages"
	}
	switch mode := thpMode(string(data)); mode {
	case "madvise":
	case "always":
		return 0, "the kernel gives every mapping huge pages already (mode always)"
	default:
		return 0, "the kernel's transparent huge pages are off (mode " + strconv.Quote(mode) + ")"
	}
	// The kernel's huge page: 2 MiB with 4 KiB base pages; other sizes
	// (512 MiB on arm64 with 64 KiB pages) are not worth a range.
	if data, err := os.ReadFile(filepath.Join(s.root, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size")); err == nil && strings.TrimSpace(string(data)) != strconv.Itoa(hugePage) {
		return 0, "huge pages of " + strings.TrimSpace(string(data)) + " bytes"
	}
	if data, err := os.ReadFile(filepath.Join(s.root, "/proc/sys/vm/overcommit_memory")); err != nil || strings.TrimSpace(string(data)) == "2" {
		return 0, "strict overcommit (vm.overcommit_memory 2) or unknown"
	}
	data, err = os.ReadFile(filepath.Join(s.root, "/proc/meminfo"))
	total := memTotal(data)
	if err != nil || total == 0 {
		return 0, "the machine's memory is unknown"
	}
	region := min(want, total/4) &^ (hugePage - 1)
	if region < 2*hugePage {
		return 0, "too little memory for a region of huge pages"
	}
	return region, ""
}

// thpMode returns the word in brackets of
// /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never").
func thpMode(s string) string {
	_, rest, ok := strings.Cut(s, "[")
	if !ok {
		return ""
	}
	mode, _, ok := strings.Cut(rest, "]")
	if !ok {
		return ""
	}
	return mode
}

// memTotal returns MemTotal of /proc/meminfo in bytes, or 0.
func memTotal(meminfo []byte) uint64 {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "MemTotal:" && f[2] == "kB" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil || kb > 1<<44 {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// advise advises a range of region bytes above a gap at the heap's top
// (adviseFresh) and returns all it allocated to the system.
func (osSystem) advise(gap, region uint64) (uint64, error) {
	_, n, err := adviseFresh(gap, region)
	debug.FreeOSMemory()
	return n, err
}

// adviseFresh allocates gap+region bytes in objects of one huge page each
// and advises the last region bytes, whole huge pages, of the highest run
// of them (advisedRange): fresh address space at the heap's top, which the
// runtime maps without touching it. It returns where the advised range
// starts and its length; the objects are unreachable once it returns.
//
// The objects are small so that none is zeroed needlessly. The runtime
// zeroes a new object that starts below the high-water mark of the heap
// arena it is in, however far it extends past it: one object of
// gap+region bytes that began in a free run at the heap's top would be
// zeroed, so made resident, whole. Here only the objects that land in
// memory the heap used before are zeroed, and they are not advised.
func adviseFresh(gap, region uint64) (lo uintptr, n uint64, err error) {
	chunks := make([][]byte, 0, (gap+region)/hugePage)
	for range cap(chunks) {
		chunks = append(chunks, make([]byte, hugePage))
	}
	starts := make([]uintptr, len(chunks))
	for i, c := range chunks {
		starts[i] = uintptr(unsafe.Pointer(unsafe.SliceData(c)))
	}
	lo, hi := advisedRange(starts, uintptr(region))
	if hi <= lo {
		return lo, 0, nil
	}
	// The range lies within the run, whose objects stay reachable until
	// the call returns.
	_, _, errno := unix.Syscall(unix.SYS_MADVISE, lo, hi-lo, unix.MADV_HUGEPAGE)
	runtime.KeepAlive(chunks)
	if errno != 0 {
		return lo, 0, errno
	}
	return lo, uint64(hi - lo), nil
}

// advisedRange returns the huge pages to advise among objects of one huge
// page starting at starts (which it sorts): the last region bytes of the
// highest run of them, the heap's growth. Objects of a run lie less than
// a huge page apart: on a busy daemon other goroutines' allocations land
// between them. Objects that filled free runs lower in the heap lie
// farther below and are left out.
func advisedRange(starts []uintptr, region uintptr) (lo, hi uintptr) {
	if len(starts) == 0 {
		return 0, 0
	}
	slices.Sort(starts)
	first := len(starts) - 1
	for first > 0 && starts[first]-starts[first-1] < 2*hugePage {
		first--
	}
	top := starts[len(starts)-1] + hugePage
	lo = max(starts[first], top-min(region, top))
	return (lo + hugePage - 1) &^ (hugePage - 1), top &^ (hugePage - 1)
}
