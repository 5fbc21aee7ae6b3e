package api

import (
	"context"
	"testing"
	"time"
)

// TestCallContext: a call's work context ends with its connection and with
// the server, and is independent of other connections.
func TestCallContext(t *testing.T) {
	s := &Server{conns: newConnContexts()}
	a, endA := s.conns.open("ipc", "")
	b, _ := s.conns.open("ws", "127.0.0.1:5555")
	if a == b || a != "ipc#1" || b != "ws#2 127.0.0.1:5555" {
		t.Fatalf("names %q %q", a, b)
	}
	workA, releaseA := s.conns.work(context.Background(), a)
	defer releaseA()
	workB, releaseB := s.conns.work(context.Background(), b)
	defer releaseB()
	endA()
	select {
	case <-workA.Done():
	case <-time.After(time.Second):
		t.Fatal("closing the connection did not end its call")
	}
	if workB.Err() != nil {
		t.Fatal("another connection's call ended")
	}
	s.conns.cancel() // Server.Stop
	select {
	case <-workB.Done():
	case <-time.After(time.Second):
		t.Fatal("stopping the server did not end the call")
	}
	if len(s.conns.m) != 1 {
		t.Fatalf("%d connections registered, want the one still open", len(s.conns.m))
	}
}
