// The Whisper v6 checks, run between two nodes over their shh_ JSON-RPC
// APIs (docs/PROTOCOL.md §5.11), in both directions.

package whispersuite

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"
)

// Message parameters the checks use, for tests that post their own.
const (
	MsgTimeout = 20 * time.Second // how long a message may take to arrive
	TTL        = 60               // seconds, of every envelope the checks post
	PowTarget  = 0.002            // Status's sending target (§4.4); every node here accepts 0.001
	minPoW     = 0.001
)

// statusFlavoured says whether a kind follows the Status fork's
// deterministic key-pair IDs (§5.9).
func statusFlavoured(kind string) bool { return kind == KindStatusRef || kind == KindStatusd }

// RunPair starts a node of kindA and one of kindB (named kindA-A and
// kindB-B), connects them and runs every check, each as a subtest, with A
// sending to B, then B sending to A: shh_info agrees; symmetric,
// asymmetric and signed messages arrive and read the same on both nodes;
// both compute the same PoW; a trusted peer's P2P message reaches only
// allowP2P filters; an advertised bloom filter keeps excluded topics away.
func RunPair(t *testing.T, kindA, kindB string) {
	a := StartNode(t, kindA, kindA+"-A")
	b := StartNode(t, kindB, kindB+"-B")
	for _, n := range []*Node{a, b} {
		if v := n.Str(t, "shh_version"); v != "6.0" {
			t.Fatalf("%s: shh_version = %q, want 6.0", n.Name, v)
		}
	}
	t.Run("info", func(t *testing.T) { checkInfo(t, a, b) })
	Connect(t, a, b)
	for _, d := range [][2]*Node{{a, b}, {b, a}} {
		from, to := d[0], d[1]
		t.Run(from.Name+"_to_"+to.Name, func(t *testing.T) {
			t.Run("symmetric", func(t *testing.T) { checkSymmetric(t, from, to) })
			t.Run("asymmetric", func(t *testing.T) { checkAsymmetric(t, from, to) })
			t.Run("signed", func(t *testing.T) { checkSigned(t, from, to) })
			t.Run("pow", func(t *testing.T) { checkPoW(t, from, to) })
			t.Run("p2p", func(t *testing.T) { checkP2P(t, from, to) })
			t.Run("bloom", func(t *testing.T) { checkBloom(t, from, to) })
		})
	}
}

// checkInfo: shh_info has the same fields on both nodes, and the settings
// both were started with (min PoW 0.001, max message size 1 MiB) read the
// same. memory and messages are not compared: they count each node's own
// pool and queue.
func checkInfo(t *testing.T, a, b *Node) {
	var ia, ib map[string]json.RawMessage
	a.Call(t, &ia, "shh_info")
	b.Call(t, &ib, "shh_info")
	ma, mb := Message{raw: ia}, Message{raw: ib}
	if ma.keys() != mb.keys() {
		t.Errorf("shh_info fields: %s %s, %s %s", a.Name, ma.keys(), b.Name, mb.keys())
	}
	for _, k := range []string{"minPow", "maxMessageSize"} {
		if !jsonValueEqual(ia[k], ib[k]) {
			t.Errorf("shh_info %s: %s %s, %s %s", k, a.Name, ia[k], b.Name, ib[k])
		}
	}
	if string(ia["minPow"]) != "0.001" {
		t.Errorf("%s: shh_info minPow %s, started with 0.001", a.Name, ia["minPow"])
	}
}

// checkSymmetric: a message encrypted with a key both derive from the same
// password reaches b, and both nodes' filters return equal JSON for it.
func checkSymmetric(t *testing.T, a, b *Node) {
	pw := RandHex(t, 16)
	ka := a.Str(t, "shh_generateSymKeyFromPassword", pw)
	kb := b.Str(t, "shh_generateSymKeyFromPassword", pw)
	if x, y := a.Str(t, "shh_getSymKey", ka), b.Str(t, "shh_getSymKey", kb); !strings.EqualFold(x, y) {
		t.Fatalf("same password, different keys: %s %s, %s %s", a.Name, x, b.Name, y)
	}
	topic := RandTopic(t)
	fa := NewFilter(t, a, map[string]any{"symKeyID": ka, "topics": []string{topic}})
	fb := NewFilter(t, b, map[string]any{"symKeyID": kb, "topics": []string{topic}})
	payload := "0x" + RandHex(t, 40)
	hash := Post(t, a, map[string]any{"symKeyID": ka, "topic": topic, "payload": payload, "ttl": TTL, "powTime": 2, "powTarget": PowTarget})
	mb := fb.Wait(t, hash)
	ma := fa.Wait(t, hash)
	checkReceived(t, b, mb, hash, topic, payload)
	if mb.Sig != "" || mb.Dst != "" {
		t.Errorf("%s: unsigned symmetric message has sig %q, recipientPublicKey %q", b.Name, mb.Sig, mb.Dst)
	}
	equalJSON(t, a, ma, b, mb)
}

// checkAsymmetric: a message to a public key reaches the holder of the
// private key. Both nodes hold the key (imported from the same bytes), so
// both read the message and their JSON must agree.
func checkAsymmetric(t *testing.T, a, b *Node) {
	priv := "0x" + RandHex(t, 32)
	ka := a.Str(t, "shh_addPrivateKey", priv)
	kb := b.Str(t, "shh_addPrivateKey", priv)
	if statusFlavoured(a.Kind) && statusFlavoured(b.Kind) && ka != kb {
		t.Errorf("deterministic key-pair IDs (§5.9) differ: %s %q, %s %q", a.Name, ka, b.Name, kb)
	}
	pub := b.Str(t, "shh_getPublicKey", kb)
	if pa := a.Str(t, "shh_getPublicKey", ka); !strings.EqualFold(pa, pub) {
		t.Fatalf("same private key, different public keys: %s %s, %s %s", a.Name, pa, b.Name, pub)
	}
	topic := RandTopic(t)
	fa := NewFilter(t, a, map[string]any{"privateKeyID": ka, "topics": []string{topic}})
	fb := NewFilter(t, b, map[string]any{"privateKeyID": kb, "topics": []string{topic}})
	payload := "0x" + RandHex(t, 33)
	hash := Post(t, a, map[string]any{"pubKey": pub, "topic": topic, "payload": payload, "ttl": TTL, "powTime": 2, "powTarget": PowTarget})
	mb := fb.Wait(t, hash)
	ma := fa.Wait(t, hash)
	checkReceived(t, b, mb, hash, topic, payload)
	if !strings.EqualFold(mb.Dst, pub) {
		t.Errorf("%s: recipientPublicKey = %q, want %s", b.Name, mb.Dst, pub)
	}
	equalJSON(t, a, ma, b, mb)
}

// checkSigned: b recovers a's signing key; a filter expecting that signer
// gets the message, a filter expecting another signer does not.
func checkSigned(t *testing.T, a, b *Node) {
	pw := RandHex(t, 16)
	ka := a.Str(t, "shh_generateSymKeyFromPassword", pw)
	kb := b.Str(t, "shh_generateSymKeyFromPassword", pw)
	signer := a.Str(t, "shh_newKeyPair")
	signerPub := a.Str(t, "shh_getPublicKey", signer)
	other := a.Str(t, "shh_newKeyPair")
	otherPub := a.Str(t, "shh_getPublicKey", other)
	topic := RandTopic(t)
	fa := NewFilter(t, a, map[string]any{"symKeyID": ka, "topics": []string{topic}})
	fSigner := NewFilter(t, b, map[string]any{"symKeyID": kb, "topics": []string{topic}, "sig": signerPub})
	fOther := NewFilter(t, b, map[string]any{"symKeyID": kb, "topics": []string{topic}, "sig": otherPub})

	payload := "0x" + RandHex(t, 21)
	hash := Post(t, a, map[string]any{"symKeyID": ka, "sig": signer, "topic": topic, "payload": payload, "ttl": TTL, "powTime": 2, "powTarget": PowTarget})
	mb := fSigner.Wait(t, hash)
	ma := fa.Wait(t, hash)
	checkReceived(t, b, mb, hash, topic, payload)
	for _, m := range []Message{ma, mb} {
		if !strings.EqualFold(m.Sig, signerPub) {
			t.Errorf("%s: sig = %q, want the signer %s", m.from, m.Sig, signerPub)
		}
	}
	equalJSON(t, a, ma, b, mb)

	// Barrier: a message signed by the other key reaches fOther after the
	// first was matched against it.
	barrier := Post(t, a, map[string]any{"symKeyID": ka, "sig": other, "topic": topic, "payload": "0x01", "ttl": TTL, "powTime": 2, "powTarget": PowTarget})
	fOther.Wait(t, barrier)
	fSigner.Poll(t)
	if fOther.Has(hash) {
		t.Errorf("%s: a filter expecting signer %s got a message signed by %s", b.Name, otherPub, signerPub)
	}
	if fSigner.Has(barrier) {
		t.Errorf("%s: a filter expecting signer %s got a message signed by %s", b.Name, signerPub, otherPub)
	}
}

// checkPoW: for an envelope sealed with real work, both nodes compute the
// same PoW (§5.4), and it reflects the work asked for.
func checkPoW(t *testing.T, a, b *Node) {
	pw := RandHex(t, 16)
	ka := a.Str(t, "shh_generateSymKeyFromPassword", pw)
	kb := b.Str(t, "shh_generateSymKeyFromPassword", pw)
	topic := RandTopic(t)
	fa := NewFilter(t, a, map[string]any{"symKeyID": ka, "topics": []string{topic}})
	fb := NewFilter(t, b, map[string]any{"symKeyID": kb, "topics": []string{topic}, "minPow": 0.1})
	const target = 0.5
	hash := Post(t, a, map[string]any{"symKeyID": ka, "topic": topic, "payload": "0x" + RandHex(t, 300), "ttl": TTL, "powTime": 5, "powTarget": target})
	mb := fb.Wait(t, hash)
	ma := fa.Wait(t, hash)
	if !powEqual(ma.PoW, mb.PoW) {
		t.Errorf("PoW differs: %s %v, %s %v", a.Name, ma.PoW, b.Name, mb.PoW)
	}
	// Sealing stops once ceil(log2(target×size×TTL)) bits are reached,
	// with size = 20+len(Data) while PoW divides by the slightly larger
	// RLP length: the result is at least about the target.
	if mb.PoW < target/2 {
		t.Errorf("%s: PoW %v for an envelope sealed to %v", b.Name, mb.PoW, target)
	}
	equalJSON(t, a, ma, b, mb)
}

// checkP2P: a trusted peer's direct message (code 127) reaches only the
// filters that allow P2P, on the node it was sent to.
func checkP2P(t *testing.T, a, b *Node) {
	WaitFor(t, MsgTimeout, b.Name+" marking "+a.Name+" trusted", func() (bool, error) {
		res, err := b.CallErr("shh_markTrustedPeer", a.Enode)
		return err == nil && string(res) == "true", err
	})
	pw := RandHex(t, 16)
	ka := a.Str(t, "shh_generateSymKeyFromPassword", pw)
	kb := b.Str(t, "shh_generateSymKeyFromPassword", pw)
	topic := RandTopic(t)
	fP2P := NewFilter(t, b, map[string]any{"symKeyID": kb, "topics": []string{topic}, "allowP2P": true})
	fNoP2P := NewFilter(t, b, map[string]any{"symKeyID": kb, "topics": []string{topic}})
	payload := "0x" + RandHex(t, 17)
	// PoW target 0: a P2P message skips the PoW checks on both ends
	// (§4.6, §5.11), so this envelope is usually below the 0.001 minimum.
	hash := Post(t, a, map[string]any{"symKeyID": ka, "topic": topic, "payload": payload, "ttl": TTL, "powTime": 1, "powTarget": 0, "targetPeer": b.Enode})
	m := fP2P.Wait(t, hash)
	checkReceivedP2P(t, b, m, hash, topic, payload)
	// The sender keeps no copy of a P2P envelope, so there is no second
	// view to compare with: check the shape both references give instead.
	// In particular no "bool" key: status-im/whisper v1.6.2 sets
	// Message.P2P (json:"bool") but its generated MarshalJSON predates the
	// field, so the flag never reaches JSON-RPC (§5.11 says otherwise).
	if keys := m.keys(); keys != "hash,padding,payload,pow,timestamp,topic,ttl" {
		t.Errorf("%s: P2P message fields %s, the references give hash,padding,payload,pow,timestamp,topic,ttl: %s", b.Name, keys, m.json())
	}
	// Barrier: a broadcast message on the same topic reaches fNoP2P after
	// the P2P one was matched against it.
	barrier := Post(t, a, map[string]any{"symKeyID": ka, "topic": topic, "payload": "0x02", "ttl": TTL, "powTime": 1, "powTarget": PowTarget})
	fNoP2P.Wait(t, barrier)
	if fNoP2P.Has(hash) {
		t.Errorf("%s: a filter without allowP2P got a P2P message", b.Name)
	}
}

// checkBloom: once b advertises a bloom filter (shh_setBloomFilter, code
// 3) that excludes a topic, envelopes on that topic from a do not reach
// it, while those on included topics do, and the peers stay connected.
// b's bloom is reset to a full node's at the end.
func checkBloom(t *testing.T, a, b *Node) {
	pw := RandHex(t, 16)
	ka := a.Str(t, "shh_generateSymKeyFromPassword", pw)
	kb := b.Str(t, "shh_generateSymKeyFromPassword", pw)
	tIn, tBar := quirkTopic(t), RandTopic(t)
	allowed := orBloom(topicBloom(tIn), topicBloom(tBar))
	tOut := RandTopic(t)
	for bloomMatch(allowed, topicBloom(tOut)) {
		tOut = RandTopic(t)
	}
	// Filters first: installing a filter may widen a node's bloom.
	fIn := NewFilter(t, b, map[string]any{"symKeyID": kb, "topics": []string{tIn}})
	fOut := NewFilter(t, b, map[string]any{"symKeyID": kb, "topics": []string{tOut}})
	fBar := NewFilter(t, a, map[string]any{"symKeyID": ka, "topics": []string{tBar}})
	b.Call(t, nil, "shh_setBloomFilter", "0x"+hex.EncodeToString(allowed))
	defer b.CallErr("shh_setBloomFilter", "0x"+strings.Repeat("ff", 64))

	// Barrier: b's bloom packet goes out before b's next envelopes, so
	// once a has b's message, a knows b's bloom.
	fBar.Wait(t, Post(t, b, map[string]any{"symKeyID": kb, "topic": tBar, "payload": "0x03", "ttl": TTL, "powTime": 1, "powTarget": PowTarget}))

	out := Post(t, a, map[string]any{"symKeyID": ka, "topic": tOut, "payload": "0x04", "ttl": TTL, "powTime": 1, "powTarget": PowTarget})
	in := Post(t, a, map[string]any{"symKeyID": ka, "topic": tIn, "payload": "0x05", "ttl": TTL, "powTime": 1, "powTarget": PowTarget})
	fIn.Wait(t, in)
	// Barrier: one more forwarding round after the excluded envelope.
	fIn.Wait(t, Post(t, a, map[string]any{"symKeyID": ka, "topic": tIn, "payload": "0x06", "ttl": TTL, "powTime": 1, "powTarget": PowTarget}))
	fOut.Poll(t)
	if fOut.Has(out) {
		t.Errorf("%s received an envelope on topic %s, which its bloom excludes", b.Name, tOut)
	}
	for _, p := range [][2]*Node{{a, b}, {b, a}} {
		if ok, err := p[0].HasShhPeer(p[1].Enode); !ok || err != nil {
			t.Errorf("%s lost %s as a peer during the bloom check (%v)", p[0].Name, p[1].Name, err)
		}
	}
}

// checkReceived checks what the sender chose against what b reports, and
// that b accepted no broadcast envelope below the minimum PoW.
func checkReceived(t *testing.T, b *Node, m Message, hash, topic, payload string) {
	t.Helper()
	checkReceivedP2P(t, b, m, hash, topic, payload)
	if m.PoW < minPoW {
		t.Errorf("%s: accepted an envelope with PoW %v below the minimum %v", b.Name, m.PoW, minPoW)
	}
}

// checkReceivedP2P is checkReceived without the PoW minimum.
func checkReceivedP2P(t *testing.T, b *Node, m Message, hash, topic, payload string) {
	t.Helper()
	if !strings.EqualFold(m.Hash, hash) || !strings.EqualFold(m.Topic, topic) || !strings.EqualFold(m.Payload, payload) || m.TTL != TTL {
		t.Errorf("%s: got hash %s topic %s payload %s ttl %d; sent hash %s topic %s payload %s ttl %d",
			b.Name, m.Hash, m.Topic, m.Payload, m.TTL, hash, topic, payload, TTL)
	}
	if now := time.Now().Unix(); math.Abs(float64(int64(m.Timestamp)-now)) > 60 {
		t.Errorf("%s: timestamp %d, now %d", b.Name, m.Timestamp, now)
	}
	if m.PoW <= 0 {
		t.Errorf("%s: PoW %v", b.Name, m.PoW)
	}
}

// Message is one entry of shh_getFilterMessages, decoded (hex strings as
// the node wrote them), plus its raw fields for the JSON comparison.
type Message struct {
	Sig       string  `json:"sig"`
	TTL       uint32  `json:"ttl"`
	Timestamp uint32  `json:"timestamp"`
	Topic     string  `json:"topic"`
	Payload   string  `json:"payload"`
	Padding   string  `json:"padding"`
	PoW       float64 `json:"pow"`
	Hash      string  `json:"hash"`
	Dst       string  `json:"recipientPublicKey"`

	raw  map[string]json.RawMessage
	from string // node name
}

// keys lists the message's JSON field names, sorted, comma-separated.
func (m Message) keys() string {
	var ks []string
	for k := range m.raw {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func (m Message) json() string {
	data, _ := json.Marshal(m.raw)
	return string(data)
}

// Inbox collects what one polled filter on one node returns across
// polls. It is not safe for concurrent use.
type Inbox struct {
	node *Node
	id   string
	got  []Message
}

// NewFilter installs a polled filter with the given criteria
// (shh_newMessageFilter) on n and returns its Inbox, empty. It fails t if
// the node refuses the filter.
func NewFilter(t *testing.T, n *Node, crit map[string]any) *Inbox {
	t.Helper()
	return &Inbox{node: n, id: n.Str(t, "shh_newMessageFilter", crit)}
}

// Node returns the node the filter is on.
func (f *Inbox) Node() *Node { return f.node }

// Poll fetches (shh_getFilterMessages) and keeps the messages received
// since the last poll. A failed call is returned; a result that does not
// decode fails t.
func (f *Inbox) Poll(t *testing.T) error {
	t.Helper()
	res, err := f.node.CallErr("shh_getFilterMessages", f.id)
	if err != nil {
		return err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(res, &raws); err != nil {
		t.Fatalf("%s: shh_getFilterMessages: %s: %v", f.node.Name, res, err)
	}
	for _, r := range raws {
		m := Message{from: f.node.Name}
		if err := json.Unmarshal(r, &m); err != nil {
			t.Fatalf("%s: message %s: %v", f.node.Name, r, err)
		}
		if err := json.Unmarshal(r, &m.raw); err != nil {
			t.Fatal(err)
		}
		f.got = append(f.got, m)
	}
	return nil
}

func (f *Inbox) find(hash string) (Message, bool) {
	for _, m := range f.got {
		if strings.EqualFold(m.Hash, hash) {
			return m, true
		}
	}
	return Message{}, false
}

// Has reports whether a poll so far has returned the message with the
// given envelope hash (hex, any case).
func (f *Inbox) Has(hash string) bool {
	_, ok := f.find(hash)
	return ok
}

// Wait polls until the message with the given envelope hash has arrived
// and returns it; it fails t after MsgTimeout.
func (f *Inbox) Wait(t *testing.T, hash string) Message {
	t.Helper()
	WaitFor(t, MsgTimeout, fmt.Sprintf("message %.10s… on %s", hash, f.node.Name), func() (bool, error) {
		err := f.Poll(t)
		return f.Has(hash), err
	})
	m, _ := f.find(hash)
	return m
}

// Post calls shh_post on n with msg and returns the envelope hash; it
// fails t if the call fails or does not return a 32-byte hex hash.
func Post(t *testing.T, n *Node, msg map[string]any) string {
	t.Helper()
	h := n.Str(t, "shh_post", msg)
	if len(h) != 66 || !strings.HasPrefix(h, "0x") {
		t.Fatalf("%s: shh_post returned %q, want a 32-byte hex hash", n.Name, h)
	}
	return h
}

// equalJSON compares the same message as two nodes return it, field by
// field: same keys, same values (hex case-blind), PoW within float
// tolerance.
func equalJSON(t *testing.T, a *Node, ma Message, b *Node, mb Message) {
	t.Helper()
	keys := map[string]bool{}
	for k := range ma.raw {
		keys[k] = true
	}
	for k := range mb.raw {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		x, xok := ma.raw[k]
		y, yok := mb.raw[k]
		switch {
		case !xok || !yok:
			t.Errorf("field %q: %s has %s, %s has %s", k, a.Name, orAbsent(x, xok), b.Name, orAbsent(y, yok))
		case k == "pow":
			if !powEqual(ma.PoW, mb.PoW) {
				t.Errorf("field pow: %s %v, %s %v", a.Name, ma.PoW, b.Name, mb.PoW)
			}
		case !jsonValueEqual(x, y):
			t.Errorf("field %q: %s %s, %s %s", k, a.Name, x, b.Name, y)
		}
	}
	if t.Failed() {
		t.Logf("%s: %s\n%s: %s", a.Name, ma.json(), b.Name, mb.json())
	}
}

func orAbsent(v json.RawMessage, ok bool) string {
	if !ok {
		return "no such field"
	}
	return string(v)
}

// jsonValueEqual compares two JSON values; hex strings compare case-blind.
func jsonValueEqual(x, y json.RawMessage) bool {
	var vx, vy any
	if json.Unmarshal(x, &vx) != nil || json.Unmarshal(y, &vy) != nil {
		return bytes.Equal(x, y)
	}
	sx, okx := vx.(string)
	sy, oky := vy.(string)
	if okx && oky {
		return strings.EqualFold(sx, sy)
	}
	return fmt.Sprint(vx) == fmt.Sprint(vy)
}

func powEqual(x, y float64) bool {
	return math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
}

// RandHex returns n random bytes in hex, without 0x.
func RandHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// RandTopic returns a random 4-byte topic as 0x-prefixed hex.
func RandTopic(t *testing.T) string { return "0x" + RandHex(t, 4) }

// quirkTopic returns a random topic two of whose three bloom bits fall in
// the same byte, so that only the reference's assignment (not OR) of bits
// within a byte (§5.7) gives the bloom the nodes agree on.
func quirkTopic(t *testing.T) string {
	b, _ := hex.DecodeString(RandHex(t, 4))
	b[1] = b[0] ^ 1 // same byte as b[0], the other bit
	b[3] &^= 0b11   // the same +256 (none) for indices 0 and 1
	return "0x" + hex.EncodeToString(b)
}

// topicBloom is go-ethereum's TopicToBloom, quirk included (§5.7).
func topicBloom(topic string) []byte {
	tb, _ := hex.DecodeString(strings.TrimPrefix(topic, "0x"))
	b := make([]byte, 64)
	for j := 0; j < 3; j++ {
		idx := int(tb[j])
		if tb[3]&(1<<j) != 0 {
			idx += 256
		}
		b[idx/8] = 1 << (idx % 8)
	}
	return b
}

func orBloom(x, y []byte) []byte {
	out := make([]byte, len(x))
	for i := range x {
		out[i] = x[i] | y[i]
	}
	return out
}

// bloomMatch: does node bloom n admit envelope bloom e (§5.7)?
func bloomMatch(n, e []byte) bool {
	for i := range n {
		if n[i]|e[i] != n[i] {
			return false
		}
	}
	return true
}
