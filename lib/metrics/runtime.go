package metrics

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// registerRuntime adds the Go runtime and process figures: goroutines, heap,
// GC count, resident memory and start time.
func registerRuntime(r *Registry) {
	start := float64(time.Now().Unix())
	r.GaugeFunc("go_goroutines", "Number of goroutines that currently exist.", func() float64 {
		return float64(runtime.NumGoroutine())
	})
	r.GaugeFunc("go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", func() float64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapAlloc)
	})
	r.GaugeFunc("go_memstats_sys_bytes", "Bytes of memory obtained from the OS.", func() float64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.Sys)
	})
	r.GaugeFunc("go_gc_cycles_total", "Completed GC cycles.", func() float64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.NumGC)
	})
	r.GaugeFunc("process_resident_memory_bytes", "Resident memory size in bytes (Linux only; 0 elsewhere).", residentBytes)
	r.GaugeFunc("process_start_time_seconds", "Start time of the process since the Unix epoch.", func() float64 { return start })
}

// residentBytes reads VmRSS from /proc/self/status.
func residentBytes() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseFloat(f[0], 64)
				if err == nil {
					return kb * 1024
				}
			}
		}
	}
	return 0
}
