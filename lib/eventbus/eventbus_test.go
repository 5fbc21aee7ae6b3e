package eventbus

import "testing"

func TestBus(t *testing.T) {
	b := New[int](2)
	a, c := b.Subscribe(0), b.Subscribe(1)
	for i := range 3 {
		b.Publish(i) // never blocks, full subscriptions drop
	}
	if got := []int{<-a.C(), <-a.C()}; got[0] != 0 || got[1] != 1 || a.Dropped() != 1 {
		t.Fatalf("a got %v, dropped %d", got, a.Dropped())
	}
	if <-c.C() != 0 || c.Dropped() != 2 {
		t.Fatalf("c dropped %d", c.Dropped())
	}
	a.Unsubscribe()
	a.Unsubscribe() // idempotent
	if _, ok := <-a.C(); ok {
		t.Fatal("a not closed")
	}
	b.Close()
	if _, ok := <-c.C(); ok {
		t.Fatal("c not closed by Close")
	}
	b.Publish(9)
	if _, ok := <-b.Subscribe(1).C(); ok {
		t.Fatal("subscription after Close is open")
	}
}
