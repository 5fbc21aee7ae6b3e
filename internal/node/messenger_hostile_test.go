package node

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/testutil"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/datasync/datasynctest"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/sessions"
	"github.com/statusnode/statusd/transport/whisper"
)

// rawShhPeer connects a raw devp2p peer speaking shh/6 to victim, completes
// the Whisper handshake and returns the peer's writer once the victim
// counts it as a Whisper peer. Unlike hostile, the peer stays connected
// until the test ends; everything the victim sends it is discarded. Only
// the calling goroutine may write to the returned writer.
func rawShhPeer(t *testing.T, victim *Node) p2p.MsgWriter {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan p2p.MsgWriter, 1)
	proto := p2p.Protocol{Name: "shh", Version: 6, Length: 128, Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		st := wproto.EncodeStatus(&wproto.Status{Version: 6, Bloom: wproto.FullBloom()})
		sent := make(chan error, 1)
		go func() { sent <- sendRaw(rw, 0, st) }()
		msg, err := rw.ReadMsg()
		if err != nil || msg.Code != 0 {
			return fmt.Errorf("no status: %v", err)
		}
		msg.Discard()
		if err := <-sent; err != nil {
			return err
		}
		ready <- rw
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
		}
	}}
	srv := &p2p.Server{Config: p2p.Config{PrivateKey: key, MaxPeers: 1, NoDiscovery: true, Name: "raw-shh", Protocols: []p2p.Protocol{proto}}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	srv.AddPeer(victim.P2P().Self())
	var w p2p.MsgWriter
	select {
	case w = <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("raw shh peer: no handshake")
	}
	testutil.WaitFor(t, 10*time.Second, "victim counts the raw peer", func() bool { return victim.Whisper().PeerCount() == 1 })
	return w
}

// sealFor wraps payload in a Whisper envelope as Status would send it
// (TTL 10 s, PoW 0.002, §4.4), signed by src (nil: unsigned) and encrypted
// with symKey or, if nil, to dst. Build it just before sending it.
func sealFor(t *testing.T, topic wproto.Topic, symKey *wproto.SymKey, dst *ecdsa.PublicKey, src *ecdsa.PrivateKey, payload []byte) *wproto.Envelope {
	t.Helper()
	e, err := wproto.Wrap(&wproto.MessageParams{TTL: 10, Src: src, KeySym: symKey, Dst: dst, Topic: topic, Payload: payload}, time.Now(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// The oversized case needs about 2^11 hashes of 66 kB: allow for a
	// loaded machine.
	if err := whisper.Seal(context.Background(), e, 0.002, time.Minute); err != nil {
		t.Fatal(err)
	}
	return e
}

// chatC4 encodes a text c4 (bare Transit) of the given message type.
func chatC4(t *testing.T, typ message.MessageType, chatID, text string) []byte {
	t.Helper()
	now := time.Now()
	raw, err := message.Encode(&message.ChatMessage{ContentType: message.ContentText, MessageType: typ,
		Clock: now.UnixMilli() * message.ClockScale, Timestamp: now.UnixMilli(),
		Content: message.Content{ChatID: chatID, Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// nonMemberGroupMessage builds what a real peer that is not in group
// chatID sends to victim for a group message: a wrapped, signed c4 as an
// MVDS message of the pair's group, encrypted into a ProtocolMessage by
// mallory's own session manager (no bundle of victim known: the DH-only
// form of §8) and sealed asymmetrically on the topic the manager routes
// it to.
func nonMemberGroupMessage(t *testing.T, mallory *ecdsa.PrivateKey, victim *ecdsa.PublicKey, chatID string) *wproto.Envelope {
	t.Helper()
	body, err := message.Wrap(chatC4(t, message.TypePrivateGrp, chatID, "from a non-member"), mallory)
	if err != nil {
		t.Fatal(err)
	}
	me, err := mvds.ParsePeerID(crypto.FromECDSAPub(&mallory.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	them, err := mvds.ParsePeerID(crypto.FromECDSAPub(victim))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	pt, err := datasynctest.MessagePayload(me, them, now.Unix(), body)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sessions.Open(storage.NewMemory(), []byte("mallory"), sessions.Options{KDFIterations: 1})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := encryption.NewInstallationID(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := encryption.NewManager(encryption.Config{Identity: mallory, InstallationID: inst}, st)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := mgr.SendDirect(now, rand.Reader, victim, pt)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].Route.Kind == encryption.TopicNegotiated {
		t.Fatalf("mallory's manager built %d messages, route %+v", len(outs), outs[0].Route)
	}
	return sealFor(t, wproto.Topic(outs[0].Route.Topic), nil, victim, mallory, outs[0].Payload)
}

// waitDroppedEvents reads c's events until a message.dropped event has
// arrived for each of reasons.
func waitDroppedEvents(c *chatter, reasons []string) {
	c.t.Helper()
	missing := map[string]bool{}
	for _, r := range reasons {
		missing[r] = true
	}
	deadline := time.After(30 * time.Second)
	for len(missing) > 0 {
		select {
		case ev := <-c.events:
			if ev.Type != "message.dropped" {
				continue
			}
			var d struct{ Reason string }
			if err := json.Unmarshal(ev.Event, &d); err != nil {
				c.t.Fatal(err)
			}
			delete(missing, d.Reason)
		case <-deadline:
			c.t.Fatalf("no message.dropped event for %v", missing)
		}
	}
}

// TestHostilePayloadsOverNetwork: a raw devp2p peer speaking shh/6 sends
// the node properly sealed, signed Whisper envelopes on the topic and key
// of a public chat the node joined (and, for the group case, to the node's
// key) whose payloads are invalid Status messages. None is shown (over
// statusd_messages and shhext_chatMessages), each is counted by its reason
// in statusd_messenger_dropped_total and published as a message.dropped
// event, and a valid message from the same peer sent afterwards is shown.
func TestHostilePayloadsOverNetwork(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) })
	node := newChatter(t)
	const chat = "hostile-test"
	var c messenger.Chat
	node.call(&c, "statusd_joinPublicChat", chat)
	outsider, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var group messenger.Chat
	node.call(&group, "statusd_createGroup", "members only", []string{message.PubKeyHex(&outsider.PublicKey)})
	nodeKey, err := crypto.UnmarshalPubkey(hexutil.MustDecode(node.key))
	if err != nil {
		t.Fatal(err)
	}

	mallory, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	symKey, err := wproto.SymKeyFromPassword(chat)
	if err != nil {
		t.Fatal(err)
	}
	topic := wproto.TopicFromName(chat)
	public := func(src *ecdsa.PrivateKey, payload []byte) *wproto.Envelope {
		return sealFor(t, topic, &symKey, nil, src, payload)
	}
	forged, err := message.Wrap(chatC4(t, message.TypePublicGroup, chat, "forged"), mallory)
	if err != nil {
		t.Fatal(err)
	}
	w, err := message.DecodeWrapper(forged)
	if err != nil {
		t.Fatal(err)
	}
	w.Signature[64] = 9 // no such recovery id
	cases := []struct {
		reason string
		env    func() *wproto.Envelope
	}{
		{message.RuleTransit.String(), func() *wproto.Envelope { return public(mallory, []byte(`["~#c4",["unterminated"`)) }},
		{message.RuleSignature.String(), func() *wproto.Envelope { return public(mallory, message.EncodeWrapper(w)) }},
		{messenger.ReasonWrongChat, func() *wproto.Envelope {
			return public(mallory, chatC4(t, message.TypePublicGroup, "another-chat", "misrouted"))
		}},
		{message.RuleTextTooLong.String(), func() *wproto.Envelope {
			return public(mallory, chatC4(t, message.TypePublicGroup, chat, strings.Repeat("x", message.MaxTextBytes+1)))
		}},
		{messenger.ReasonUnsigned, func() *wproto.Envelope { return public(nil, chatC4(t, message.TypePublicGroup, chat, "anonymous")) }},
		{messenger.ReasonNotMember, func() *wproto.Envelope { return nonMemberGroupMessage(t, mallory, nodeKey, group.ID) }},
	}
	peer := rawShhPeer(t, node.n)
	var reasons []string
	for _, tc := range cases {
		if err := sendRaw(peer, 1, wproto.EncodeEnvelopes([]*wproto.Envelope{tc.env()})); err != nil {
			t.Fatalf("%s: %v", tc.reason, err)
		}
		reasons = append(reasons, tc.reason)
	}
	waitDroppedEvents(node, reasons)
	metric := func() string {
		var b strings.Builder
		node.n.Metrics().WriteText(&b)
		return b.String()
	}
	for _, r := range reasons {
		want := fmt.Sprintf("statusd_messenger_dropped_total{reason=%q} 1\n", r)
		testutil.WaitFor(t, 10*time.Second, want, func() bool { return strings.Contains(metric(), want) })
	}

	// A valid message from the same peer afterwards is shown, from mallory.
	if err := sendRaw(peer, 1, wproto.EncodeEnvelopes([]*wproto.Envelope{
		public(mallory, chatC4(t, message.TypePublicGroup, chat, "a valid one")),
	})); err != nil {
		t.Fatal(err)
	}
	if got := node.waitText(chat, "a valid one"); got.From != message.PubKeyHex(&mallory.PublicKey) {
		t.Fatalf("valid message shown from %s, sent by %s", got.From, message.PubKeyHex(&mallory.PublicKey))
	}
	for _, id := range []string{chat, group.ID} {
		var page messenger.Page
		node.call(&page, "statusd_messages", id, "", 50)
		var ext struct{ Messages []struct{ Content string } }
		node.call(&ext, "shhext_chatMessages", id, "", 50)
		var texts []string
		for _, m := range page.Messages {
			texts = append(texts, m.Text)
		}
		var extTexts []string
		for _, m := range ext.Messages {
			extTexts = append(extTexts, contentText(t, m.Content))
		}
		want := ""
		if id == chat {
			want = "a valid one"
		}
		if strings.Join(texts, "|") != want || strings.Join(extTexts, "|") != want {
			t.Errorf("chat %.20s shows %q (statusd_messages), %q (shhext_chatMessages); want only %q", id, texts, extTexts, want)
		}
	}
	text := metric()
	for _, r := range reasons {
		if want := fmt.Sprintf("statusd_messenger_dropped_total{reason=%q} 1\n", r); !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", text)
	}
	if err := node.n.Stop(); err != nil {
		t.Fatal(err)
	}
}
