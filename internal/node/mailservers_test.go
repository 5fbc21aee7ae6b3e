package node

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
)

// TestMailserversNamespace: a node serves status-go v0.35's mailservers_
// namespace over HTTP with the default modules, keeps its records across
// a restart, and pings a mailserver address on loopback with the node's
// TCP pinger.
func TestMailserversNamespace(t *testing.T) {
	c := testConfig(t)
	n := startNode(t, c)
	rc := dialHTTP(t, n)
	var none json.RawMessage
	call(t, rc, &none, "mailservers_getMailservers")
	if string(none) != "null" {
		t.Fatalf("no mailserver: %s, want null", none)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	enode := n.P2P().Self().URLv4() // a valid key; the address is replaced below
	enode = enode[:strings.LastIndex(enode, "@")+1] + ln.Addr().String()
	call(t, rc, nil, "mailservers_addMailserver", map[string]any{"id": "m1", "name": "local", "address": enode, "fleet": "eth.beta"})
	call(t, rc, nil, "mailservers_addMailserverTopic", map[string]any{"topic": "0xcd423760", "chat-ids": []string{"status"}, "last-request": 7})
	var pings []map[string]any
	call(t, rc, &pings, "mailservers_ping", map[string]any{"addresses": []string{enode}, "timeoutMs": 5000})
	if len(pings) != 1 || pings[0]["address"] != enode || pings[0]["error"] != nil {
		t.Fatalf("ping: %v", pings)
	}

	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	n = startNode(t, c)
	rc = dialHTTP(t, n)
	var topics json.RawMessage
	call(t, rc, &topics, "mailservers_getMailserverTopics")
	if want := `[{"topic":"0xcd423760","chat-ids":["status"],"last-request":7}]`; string(topics) != want {
		t.Fatalf("topics after restart: %s, want %s", topics, want)
	}
	var ms []map[string]any
	call(t, rc, &ms, "mailservers_getMailservers")
	if len(ms) != 1 || ms[0]["address"] != enode {
		t.Fatalf("mailservers after restart: %v", ms)
	}
}
