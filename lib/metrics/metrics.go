// Package metrics is a small Prometheus text-format registry: counters with
// labels, gauges read on scrape, and the Go runtime figures every operator
// expects. It has no global state; the node owns one Registry and hands it to
// each component.
package metrics

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Registry holds metric families. All methods are safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	families map[string]family
}

type family interface {
	write(w io.Writer, name string)
}

// NewRegistry returns an empty registry that already exports Go runtime and
// process figures (see runtime.go).
func NewRegistry() *Registry {
	r := &Registry{families: make(map[string]family)}
	registerRuntime(r)
	return r
}

func (r *Registry) add(name string, f family) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.families[name]; dup {
		panic("metrics: duplicate metric " + name) // programming error at wiring time
	}
	r.families[name] = f
}

// CounterVec is a monotonically increasing counter partitioned by labels.
type CounterVec struct {
	help   string
	labels []string

	mu     sync.Mutex
	values map[string]*counterValue
}

type counterValue struct {
	labelValues []string
	v           float64
}

// Counter registers and returns a counter family. labelNames fixes the label
// names; every Add/Inc must pass the same number of values. It panics on a
// duplicate name: that is a wiring error found by the first test that builds
// the node.
func (r *Registry) Counter(name, help string, labelNames ...string) *CounterVec {
	c := &CounterVec{help: help, labels: labelNames, values: make(map[string]*counterValue)}
	r.add(name, c)
	return c
}

// Inc adds 1 to the counter with the given label values.
func (c *CounterVec) Inc(labelValues ...string) { c.Add(1, labelValues...) }

// Add adds v (which must not be negative) to the counter with the given label
// values. A wrong number of label values is ignored rather than panicking on
// the data path.
func (c *CounterVec) Add(v float64, labelValues ...string) {
	if v < 0 || len(labelValues) != len(c.labels) {
		return
	}
	key := strings.Join(labelValues, "\xff")
	c.mu.Lock()
	defer c.mu.Unlock()
	cv, ok := c.values[key]
	if !ok {
		cv = &counterValue{labelValues: append([]string(nil), labelValues...)}
		c.values[key] = cv
	}
	cv.v += v
}

// Value returns the current value for the label values (0 if never set).
func (c *CounterVec) Value(labelValues ...string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cv, ok := c.values[strings.Join(labelValues, "\xff")]; ok {
		return cv.v
	}
	return 0
}

func (c *CounterVec) write(w io.Writer, name string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", name, c.help, name)
	c.mu.Lock()
	rows := make([]*counterValue, 0, len(c.values))
	for _, v := range c.values {
		rows = append(rows, &counterValue{labelValues: v.labelValues, v: v.v})
	}
	c.mu.Unlock()
	sort.Slice(rows, func(i, j int) bool {
		return strings.Join(rows[i].labelValues, "\xff") < strings.Join(rows[j].labelValues, "\xff")
	})
	for _, row := range rows {
		fmt.Fprintf(w, "%s%s %s\n", name, formatLabels(c.labels, row.labelValues), formatFloat(row.v))
	}
}

// gaugeFunc is a gauge whose value is read when scraped.
type gaugeFunc struct {
	help string
	f    func() float64
}

// GaugeFunc registers a gauge whose value f returns at scrape time. f is
// called without any registry lock held and must be safe for concurrent use.
func (r *Registry) GaugeFunc(name, help string, f func() float64) {
	r.add(name, &gaugeFunc{help: help, f: f})
}

func (g *gaugeFunc) write(w io.Writer, name string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, g.help, name, name, formatFloat(g.f()))
}

// WriteText writes every family in the Prometheus text exposition format,
// sorted by name.
func (r *Registry) WriteText(w io.Writer) {
	r.mu.Lock()
	names := make([]string, 0, len(r.families))
	for n := range r.families {
		names = append(names, n)
	}
	fams := make([]family, len(names))
	sort.Strings(names)
	for i, n := range names {
		fams[i] = r.families[n]
	}
	r.mu.Unlock()
	for i, f := range fams {
		f.write(w, names[i])
	}
}

// Handler serves the registry as Prometheus text (version 0.0.4).
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		r.WriteText(w)
	})
}

func formatLabels(names, values []string) string {
	if len(names) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", n, values[i])
	}
	b.WriteByte('}')
	return b.String()
}

func formatFloat(v float64) string {
	return fmt.Sprintf("%g", v)
}
