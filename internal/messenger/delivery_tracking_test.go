package messenger

import (
	"testing"
	"time"
)

// deliveries: an envelope's registration outlives any number of later
// posts until its expiry is applied — under a burst its events arrive
// late, and must still find it — and is forgotten then; a registration
// whose expiry never came (a Transport that lost it) is forgotten once it
// is staleAfter old and maxTracked envelopes are registered.
func TestDeliveriesRegistrationLastsUntilExpiry(t *testing.T) {
	r, b := deliveryRig(t)
	now := time.Unix(1570000000, 0)
	r.c.dl.now = func() time.Time { return now }
	first, _, err := b.storeDraft("status", Draft{Text: "first of a burst"})
	if err != nil {
		t.Fatal(err)
	}
	h := func(i int) EnvelopeHash { return EnvelopeHash{byte(i), byte(i >> 8), byte(i >> 16), 1} }
	r.c.dl.envelopePosted(h(0), []string{first.id})
	const burst = maxTracked + 100
	for i := 1; i <= burst; i++ {
		r.c.dl.envelopePosted(h(i), []string{"not-stored"})
	}
	r.c.dl.onEnvelope(EnvelopeEvent{Hash: h(0), Kind: EnvelopeSent})
	if d, err := r.c.dl.state(first.id); err != nil || d.State != DeliverySent {
		t.Fatalf("first message after %d later posts: %+v, %v", burst, d, err)
	}

	evs := make([]EnvelopeEvent, 0, burst+1)
	for i := 0; i <= burst; i++ {
		evs = append(evs, EnvelopeEvent{Hash: h(i), Kind: EnvelopeExpired})
	}
	r.c.dl.onEnvelopes(evs)
	if n := len(r.c.dl.byHash); n != 0 {
		t.Fatalf("%d registrations after every expiry", n)
	}
	r.c.dl.envelopePosted(h(burst+1), nil)
	if n := len(r.c.dl.order); n > maxTracked {
		t.Fatalf("%d registrations kept in order, want at most %d", n, maxTracked)
	}

	// Expiries lost: the registrations stay while young, go once stale.
	for i := range maxTracked {
		r.c.dl.envelopePosted(h(burst+2+i), nil)
	}
	if n := len(r.c.dl.byHash); n != maxTracked+1 {
		t.Fatalf("%d registrations, want %d (none stale yet)", n, maxTracked+1)
	}
	now = now.Add(staleAfter + time.Second)
	r.c.dl.envelopePosted(h(0), nil)
	if n := len(r.c.dl.byHash); n > maxTracked || len(r.c.dl.order) > maxTracked {
		t.Fatalf("%d registrations (order %d) after they went stale", n, len(r.c.dl.order))
	}
}
