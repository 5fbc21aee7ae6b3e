package datasync

import (
	"slices"
	"testing"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// TestRetentionBoundAndTime: a full group gives up its oldest at once;
// those are skipped when their time comes; the others go at their time,
// in order, and nothing stays behind once every one has gone.
func TestRetentionBoundAndTime(t *testing.T) {
	r := retention{max: 2}
	g1, g2 := mvds.GroupID{1}, mvds.GroupID{2}
	id := func(b byte) mvds.MessageID { return mvds.MessageID{b} }
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	var gone []mvds.MessageID
	for i := byte(1); i <= 4; i++ { // g1: 1, 2, 3, 4, one second apart
		gone = append(gone, r.add(id(i), g1, at(int(i)))...)
	}
	gone = append(gone, r.add(id(9), g2, at(2))...)
	gone = append(gone, r.add(id(3), g1, at(3))...) // again: ignored
	if !slices.Equal(gone, []mvds.MessageID{id(1), id(2)}) {
		t.Fatalf("released by the bound: %v, want 1 and 2", gone)
	}
	if due := r.due(at(2)); !slices.Equal(due, []mvds.MessageID{id(9)}) {
		t.Fatalf("due at 2 s: %v, want only 9 (1 and 2 are gone already)", due)
	}
	if due := r.due(at(10)); !slices.Equal(due, []mvds.MessageID{id(3), id(4)}) {
		t.Fatalf("due at 10 s: %v, want 3 then 4", due)
	}
	if len(r.queue) != 0 || len(r.queued) != 0 || len(r.groups) != 0 {
		t.Fatalf("left behind: %d queued, %d held, %d groups", len(r.queue), len(r.queued), len(r.groups))
	}
	// A message older than a full group's held ones is the one given up.
	for i := byte(5); i <= 6; i++ {
		r.add(id(i), g1, at(int(i)))
	}
	if gone := r.add(id(7), g1, at(1)); !slices.Equal(gone, []mvds.MessageID{id(7)}) {
		t.Fatalf("an older message added to a full group released %v, want itself", gone)
	}

}

// TestRetentionCompacts: what full groups give up does not pile up in the
// time queue until its time.
func TestRetentionCompacts(t *testing.T) {
	r := retention{max: 1}
	for i := range 10_000 {
		id := mvds.MessageID{byte(i), byte(i >> 8)}
		r.add(id, mvds.GroupID{byte(i % 3)}, t0.Add(time.Duration(i)*time.Millisecond))
	}
	if len(r.queued) != 3 || len(r.queue) > 2*3+retainSlack {
		t.Fatalf("%d held, %d queued: the given-up ones stay", len(r.queued), len(r.queue))
	}
	due := r.due(t0.Add(time.Hour))
	if len(due) != 3 || len(r.queue) != 0 || len(r.groups) != 0 {
		t.Fatalf("due %d (want the 3 held), %d left queued, %d groups", len(due), len(r.queue), len(r.groups))
	}
}
