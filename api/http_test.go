package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCORSPreflightAndHeaders(t *testing.T) {
	ts := startServer(t, testConfig(t))
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, ts.HTTPURL(), nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		resp, _ := do(t, req) // no token: browsers send none on a preflight
		return resp
	}
	resp := preflight(testOrigin)
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("preflight from allowed origin: status %d, want 204", resp.StatusCode)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != testOrigin {
		t.Errorf("preflight Access-Control-Allow-Origin = %q, want %q", got, testOrigin)
	}
	if got := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "authorization") {
		t.Errorf("preflight Access-Control-Allow-Headers = %q, want authorization allowed", got)
	}
	if got := resp.Header.Get("Access-Control-Allow-Methods"); got != "POST" {
		t.Errorf("preflight Access-Control-Allow-Methods = %q", got)
	}
	if got := preflight("http://evil.example").Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("preflight from disallowed origin: Access-Control-Allow-Origin = %q, want none", got)
	}

	const req = `{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"}`
	hdr := bearer(testToken)
	hdr["Origin"] = testOrigin
	resp, body := post(t, ts.HTTPURL(), req, hdr)
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != testOrigin || resp.StatusCode != 200 {
		t.Errorf("POST from allowed origin: %d %s, Access-Control-Allow-Origin = %q", resp.StatusCode, body, got)
	}
	hdr["Origin"] = "http://evil.example"
	resp, _ = post(t, ts.HTTPURL(), req, hdr)
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("POST from disallowed origin: Access-Control-Allow-Origin = %q, want none", got)
	}
}

func TestWSOriginCheck(t *testing.T) {
	ts := startServer(t, testConfig(t))
	g := ts.guard
	for origin, want := range map[string]bool{
		testOrigin:                   true,
		"HTTP://Allowed.Example":     true,
		"http://evil.example":        false,
		"https://allowed.example":    false,
		"http://allowed.example:444": true, // the rule names no port
	} {
		r, _ := http.NewRequest(http.MethodGet, ts.WSURL(), nil)
		r.Header.Set("Origin", origin)
		if got := g.wsOriginAllowed(r); got != want {
			t.Errorf("WS origin %s allowed = %v, want %v", origin, got, want)
		}
	}
	// And through a real handshake.
	u, _ := url.Parse(ts.WSURL())
	req, _ := http.NewRequest(http.MethodGet, "http://"+u.Host, nil)
	for k, v := range map[string]string{
		"Authorization": "Bearer " + testToken, "Origin": "http://evil.example",
		"Connection": "Upgrade", "Upgrade": "websocket",
		"Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
	} {
		req.Header.Set(k, v)
	}
	if resp, _ := do(t, req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("WS handshake from a disallowed origin: status %d, want 403", resp.StatusCode)
	}
}

func TestVHosts(t *testing.T) {
	ts := startServer(t, testConfig(t))
	u, _ := url.Parse(ts.HTTPURL())
	const req = `{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"}`
	for host, want := range map[string]int{
		"evil.example":             http.StatusForbidden,
		"evil.example:" + u.Port(): http.StatusForbidden,
		"localhost:" + u.Port():    http.StatusOK,
		"LOCALHOST":                http.StatusOK,
		u.Host:                     http.StatusOK, // an IP address always passes
	} {
		hdr := bearer(testToken)
		hdr["Host"] = host
		resp, body := post(t, ts.HTTPURL(), req, hdr)
		if resp.StatusCode != want {
			t.Errorf("Host %s: status %d, want %d (%s)", host, resp.StatusCode, want, body)
		}
		if want == http.StatusForbidden {
			wantErrorCode(t, body, CodeServer)
		}
	}
}

func TestBatchRequest(t *testing.T) {
	ts := startServer(t, testConfig(t))
	batch := `[
		{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"},
		{"jsonrpc":"2.0","id":"two","method":"net_version"},
		{"jsonrpc":"2.0","id":3,"method":"net_peerCount"}]`
	resp, body := post(t, ts.HTTPURL(), batch, bearer(testToken))
	var answers []rpcAnswer
	if err := json.Unmarshal(body, &answers); err != nil || resp.StatusCode != 200 {
		t.Fatalf("batch: %d %s: %v", resp.StatusCode, body, err)
	}
	want := map[string]string{`1`: wantVersion, `"two"`: `"1"`, `3`: `"0x2"`}
	if len(answers) != 3 {
		t.Fatalf("batch of 3 got %d answers: %s", len(answers), body)
	}
	for _, a := range answers {
		if w, ok := want[string(a.ID)]; !ok || string(a.Result) != w {
			t.Errorf("answer id %s = %s, want %s", a.ID, a.Result, w)
		}
		delete(want, string(a.ID))
	}
}

func TestHTTPErrorAnswers(t *testing.T) {
	ts := startServer(t, testConfig(t))
	_, body := post(t, ts.HTTPURL(), `{"jsonrpc":"2.0","id":1,"method":`, bearer(testToken))
	wantErrorCode(t, body, CodeParseError)

	_, body = post(t, ts.HTTPURL(), `{"jsonrpc":"2.0","id":1,"method":"web3_noSuchMethod"}`, bearer(testToken))
	wantErrorCode(t, body, CodeMethodNotFound)

	_, body = post(t, ts.HTTPURL(), `{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion","params":[1]}`, bearer(testToken))
	wantErrorCode(t, body, CodeInvalidParams)
}

func TestHTTPBodyLimit(t *testing.T) {
	ts := startServer(t, testConfig(t))
	big := `{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion","params":["` + strings.Repeat("x", testLimit) + `"]}`
	check := func(name string, resp *http.Response, body []byte) {
		t.Helper()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s: status %d, want 413", name, resp.StatusCode)
		}
		a := wantErrorCode(t, body, CodeInvalidRequest)
		if !strings.Contains(a.Error.Message, "too large") || !strings.Contains(a.Error.Message, "65536") {
			t.Errorf("%s: message %q does not explain the limit", name, a.Error.Message)
		}
	}
	resp, body := post(t, ts.HTTPURL(), big, bearer(testToken))
	check("with Content-Length", resp, body)

	// Without Content-Length (chunked), the limit is found while reading.
	req, _ := http.NewRequest(http.MethodPost, ts.HTTPURL(), io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, body = do(t, req)
	check("chunked", resp, body)

	if got := ts.count(methodNone, statusTooLarge); got != 2 {
		t.Errorf("too_large counted %v, want 2", got)
	}
	// Just under the limit still works.
	ok := `{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"}` + strings.Repeat(" ", testLimit-60)
	if resp, body := post(t, ts.HTTPURL(), ok, bearer(testToken)); resp.StatusCode != 200 {
		t.Errorf("body under the limit: %d %s", resp.StatusCode, body)
	}
}

// TestCurlStyleContentType: `curl -d` sends application/x-www-form-urlencoded
// (and some clients send no Content-Type). With the bearer token required
// such bodies are read as JSON; without auth they keep go-ethereum's 415,
// because a browser may send them cross-site without a preflight.
func TestCurlStyleContentType(t *testing.T) {
	const call = `{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion","params":[]}`
	for _, noAuth := range []bool{false, true} {
		cfg := testConfig(t)
		cfg.NoAuth = noAuth
		ts := startServer(t, cfg)
		for _, ct := range []string{"application/x-www-form-urlencoded", ""} {
			req, _ := http.NewRequest(http.MethodPost, ts.HTTPURL(), strings.NewReader(call))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, body := do(t, req)
			if noAuth {
				if resp.StatusCode != http.StatusUnsupportedMediaType {
					t.Fatalf("noauth, content type %q: status %d %s", ct, resp.StatusCode, body)
				}
				continue
			}
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), testVersion) {
				t.Fatalf("content type %q: status %d %s", ct, resp.StatusCode, body)
			}
		}
	}
}
