package whisper

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPoolIndexModel checks poolIndex against a map over random inserts,
// lookups and removals, with keys from a small range so that home slots
// collide, runs wrap around the table's end, and equal keys carry
// different bytes; the table grows and shrinks on the way.
func TestPoolIndexModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x poolIndex
	model := map[string]*entry{}
	var live []*entry
	mk := func() *entry {
		raw := []byte(fmt.Sprint(rng.Uint64()))
		// Home slots at both ends of the smallest table, so runs wrap;
		// high bits vary, and equal keys are common.
		key := uint64(rng.IntN(4))<<40 | uint64(minIndexSlots-32+rng.IntN(64))
		return &entry{raw: raw, key: key}
	}
	check := func(step int) {
		if x.n != len(model) {
			t.Fatalf("step %d: n %d, model %d", step, x.n, len(model))
		}
		for _, e := range live {
			if got := x.find(e.key, e.raw); got != e {
				t.Fatalf("step %d: lost %q", step, e.raw)
			}
		}
		if 2*x.n > len(x.slots) {
			t.Fatalf("step %d: %d entries in %d slots", step, x.n, len(x.slots))
		}
	}
	for step := 0; step < 20000; step++ {
		grow := step < 5000 || (step >= 10000 && step < 12000)
		if len(live) > 0 && (!grow || rng.IntN(3) == 0) {
			k := rng.IntN(len(live))
			e := live[k]
			x.remove(e)
			delete(model, string(e.raw))
			live[k] = live[len(live)-1]
			live = live[:len(live)-1]
			if x.find(e.key, e.raw) != nil {
				t.Fatalf("step %d: removed entry still found", step)
			}
		} else {
			e := mk()
			if _, dup := model[string(e.raw)]; dup {
				continue
			}
			if x.find(e.key, e.raw) != nil {
				t.Fatalf("step %d: found before insert", step)
			}
			x.insert(e)
			model[string(e.raw)] = e
			live = append(live, e)
		}
		if step%97 == 0 {
			check(step)
		}
	}
	for len(live) > 0 {
		x.remove(live[len(live)-1])
		live = live[:len(live)-1]
	}
	if x.n != 0 || len(x.slots) != minIndexSlots {
		t.Fatalf("emptied: n %d, %d slots", x.n, len(x.slots))
	}
	for _, s := range x.slots {
		if s.e != nil {
			t.Fatal("emptied table keeps an entry")
		}
	}
}
