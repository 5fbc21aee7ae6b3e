package api

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"
)

const wantVersion = `"` + testVersion + `"`

func TestClientVersionOverEveryTransport(t *testing.T) {
	ts := startServer(t, testConfig(t))
	for name, c := range map[string]*rpc.Client{
		"http": mustDial(t, ts.HTTPURL(), testToken),
		"ws":   mustDial(t, ts.WSURL(), testToken),
		"ipc":  mustDialIPC(t, ts.IPCPath()),
	} {
		got, err := call(t, c, "web3_clientVersion")
		if err != nil || got != wantVersion {
			t.Errorf("%s: web3_clientVersion = %s, %v; want %s", name, got, err, wantVersion)
		}
	}
	if !strings.HasPrefix(ts.HTTPURL(), "http://127.0.0.1:") || strings.HasSuffix(ts.HTTPURL(), ":0") {
		t.Errorf("HTTPURL = %q, want the bound loopback port", ts.HTTPURL())
	}
	if !strings.HasPrefix(ts.WSURL(), "ws://127.0.0.1:") || strings.HasSuffix(ts.WSURL(), ":0") {
		t.Errorf("WSURL = %q, want the bound loopback port", ts.WSURL())
	}
}

func TestHTTPRefusesMissingOrWrongToken(t *testing.T) {
	ts := startServer(t, testConfig(t))
	const req = `{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"}`
	for name, hdr := range map[string]map[string]string{
		"missing":      nil,
		"wrong":        bearer("not-the-token"),
		"prefix":       bearer(testToken[:4]),
		"longer":       bearer(testToken + "x"),
		"basic scheme": {"Authorization": "Basic " + testToken},
	} {
		resp, body := post(t, ts.HTTPURL(), req, hdr)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s token: status %d, want 401 (body %s)", name, resp.StatusCode, body)
			continue
		}
		a := wantErrorCode(t, body, CodeServer)
		if !strings.Contains(a.Error.Message, "unauthorized") || strings.Contains(string(body), testToken) {
			t.Errorf("%s token: body %s", name, body)
		}
	}
	resp, body := post(t, ts.HTTPURL(), req, map[string]string{"Authorization": "bearer " + testToken})
	if resp.StatusCode != http.StatusOK || decodeAnswer(t, body).Error != nil {
		t.Errorf("lower-case scheme with the right token: %d %s", resp.StatusCode, body)
	}
	if got := ts.count(methodNone, statusUnauthorized); got != 5 {
		t.Errorf("unauthorized requests counted %v, want 5", got)
	}
}

func TestWSHandshakeRefusesMissingOrWrongToken(t *testing.T) {
	ts := startServer(t, testConfig(t))
	for name, token := range map[string]string{"missing": "", "wrong": "nope"} {
		c, err := dial(t, ts.WSURL(), token)
		if err == nil {
			c.Close()
			t.Errorf("%s token: WS dial succeeded", name)
			continue
		}
		if !strings.Contains(err.Error(), "401") {
			t.Errorf("%s token: dial error %v, want HTTP 401", name, err)
		}
	}
}

func TestNoAuthNeedsNoToken(t *testing.T) {
	cfg := testConfig(t)
	cfg.NoAuth, cfg.Token = true, ""
	ts := startServer(t, cfg)
	for _, url := range []string{ts.HTTPURL(), ts.WSURL()} {
		if got, err := call(t, mustDial(t, url, ""), "web3_clientVersion"); err != nil || got != wantVersion {
			t.Errorf("%s without token: %s, %v", url, got, err)
		}
	}
}

func TestModuleAllowList(t *testing.T) {
	cfg := testConfig(t)
	cfg.Modules = []string{"web3"}
	ts := startServer(t, cfg)

	_, err := call(t, mustDial(t, ts.HTTPURL(), testToken), "net_version")
	var rpcErr rpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.ErrorCode() != CodeMethodNotFound {
		t.Errorf("net_version over HTTP: err %v, want method not found", err)
	}
	_, err = call(t, mustDial(t, ts.WSURL(), testToken), "admin_nodeInfo")
	if !errors.As(err, &rpcErr) || rpcErr.ErrorCode() != CodeMethodNotFound {
		t.Errorf("admin_nodeInfo over WS: err %v, want method not found", err)
	}
	if got, err := call(t, mustDialIPC(t, ts.IPCPath()), "net_version"); err != nil || got != `"1"` {
		t.Errorf("net_version over IPC = %s, %v; want \"1\"", got, err)
	}
}

func TestHTTPAndWSShareAPort(t *testing.T) {
	cfg := testConfig(t)
	cfg.HTTPPort = freePort(t)
	cfg.WSPort = cfg.HTTPPort
	ts := startServer(t, cfg)
	if strings.TrimPrefix(ts.HTTPURL(), "http://") != strings.TrimPrefix(ts.WSURL(), "ws://") {
		t.Fatalf("HTTPURL %s and WSURL %s differ", ts.HTTPURL(), ts.WSURL())
	}
	for _, url := range []string{ts.HTTPURL(), ts.WSURL()} {
		if got, err := call(t, mustDial(t, url, testToken), "web3_clientVersion"); err != nil || got != wantVersion {
			t.Errorf("%s: %s, %v", url, got, err)
		}
	}
}
