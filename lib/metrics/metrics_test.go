package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCounterAndText(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("rpc_requests_total", "RPC requests.", "method", "status")
	c.Inc("web3_clientVersion", "ok")
	c.Inc("web3_clientVersion", "ok")
	c.Inc("nope", "error")
	c.Inc("wrong-arity") // ignored, no panic
	r.GaugeFunc("p2p_peers", "Connected peers.", func() float64 { return 3 })

	if got := c.Value("web3_clientVersion", "ok"); got != 2 {
		t.Fatalf("counter = %v, want 2", got)
	}
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	text := string(body)
	for _, want := range []string{
		`rpc_requests_total{method="web3_clientVersion",status="ok"} 2`,
		`rpc_requests_total{method="nope",status="error"} 1`,
		"# TYPE p2p_peers gauge\np2p_peers 3\n",
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("exposition lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "wrong-arity") {
		t.Errorf("a counter with the wrong label count was recorded")
	}
}

func TestDuplicatePanics(t *testing.T) {
	r := NewRegistry()
	r.Counter("x", "x")
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate registration did not panic")
		}
	}()
	r.Counter("x", "x")
}
