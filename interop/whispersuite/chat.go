// A Status public chat between statusd's messenger and a bare reference Whisper node that
// speaks the chat the way status-react did over shh_ (docs/PROTOCOL.md
// §1.4 c4 payload, §4.1 topic, §4.2 key, §8 public chat send).

package whispersuite

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// Crypto is the hashing and secp256k1 public-key recovery PublicChat
// needs, supplied by the caller from its own go-ethereum so that this
// module depends on none. Each field has the contract of the go-ethereum
// crypto function of the same name, which can be assigned to it as is;
// all three must be set.
type Crypto struct {
	// Keccak256 is the legacy Keccak-256 of the concatenated data.
	Keccak256 func(data ...[]byte) []byte
	// SigToPub recovers the public key that made the 65-byte [R ‖ S ‖ V]
	// signature sig of the 32-byte hash.
	SigToPub func(hash, sig []byte) (*ecdsa.PublicKey, error)
	// FromECDSAPub is the 65-byte uncompressed encoding of pub.
	FromECDSAPub func(pub *ecdsa.PublicKey) []byte
}

// chatTopic is topic(name) = keccak256(name)[0:4] (§4.1).
func (c Crypto) chatTopic(name string) string {
	return "0x" + hex.EncodeToString(c.Keccak256([]byte(name))[:4])
}

// c4Text is a status-react text c4 for a public chat (§1.4 layout (a)),
// with clock-value = timestamp × 100 (§1.6).
func c4Text(chat, text string, timestamp int64) string {
	q := func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	}
	return fmt.Sprintf(`["~#c4",[%s,"text/plain","~:public-group-user-message",%d,%d,["^ ","~:chat-id",%s,"~:text",%s]]]`,
		q(text), timestamp*100, timestamp, q(chat), q(text))
}

// statusdMessage is a message as statusd_messages returns it.
type statusdMessage struct {
	ID          string `json:"id"`
	ChatID      string `json:"chat_id"`
	From        string `json:"from"`
	Text        string `json:"text"`
	ContentType string `json:"content_type"`
	MessageType string `json:"message_type"`
	Clock       int64  `json:"clock"`
	Timestamp   int64  `json:"timestamp"`
}

// unwrapV1 splits a v1 wrapper (StatusProtocolMessage: signature = 4001,
// payload = 4002, both length-delimited; §1.2). ok is false when data is
// not one (a bare Transit payload starts with '[').
func unwrapV1(data []byte) (sig, payload []byte, ok bool, err error) {
	if len(data) == 0 || data[0] == '[' {
		return nil, nil, false, nil
	}
	uvarint := func() (uint64, error) {
		var v uint64
		for i := 0; i < 10; i++ {
			if len(data) == 0 {
				return 0, errors.New("truncated varint")
			}
			b := data[0]
			data = data[1:]
			v |= uint64(b&0x7f) << (7 * i)
			if b < 0x80 {
				return v, nil
			}
		}
		return 0, errors.New("varint too long")
	}
	for len(data) > 0 {
		tag, err := uvarint()
		if err != nil {
			return nil, nil, true, err
		}
		if tag&7 != 2 {
			return nil, nil, true, fmt.Errorf("field %d has wire type %d, want 2", tag>>3, tag&7)
		}
		n, err := uvarint()
		if err != nil || n > uint64(len(data)) {
			return nil, nil, true, fmt.Errorf("field %d: bad length %d (%v)", tag>>3, n, err)
		}
		v := data[:n]
		data = data[n:]
		switch tag >> 3 {
		case 4001:
			sig = v
		case 4002:
			payload = v
		default:
			return nil, nil, true, fmt.Errorf("unexpected field %d", tag>>3)
		}
	}
	return sig, payload, true, nil
}

// parseC4 decodes a layout (a) text c4 with plain JSON, as a 2019 reader
// with no Transit library would see it: text, content type, message type,
// clock, timestamp and the content map (keys in the cache-free form
// statusd and status-react write for these short maps; values as raw
// JSON, since the 1.0 client's parsed-text is a nested structure).
func parseC4(raw []byte) (text, contentType, messageType string, clock, timestamp int64, content map[string]json.RawMessage, err error) {
	var top []json.RawMessage
	if err = json.Unmarshal(raw, &top); err != nil || len(top) != 2 {
		return "", "", "", 0, 0, nil, fmt.Errorf("not a tagged value: %v", err)
	}
	var tag string
	if err = json.Unmarshal(top[0], &tag); err != nil || tag != "~#c4" {
		return "", "", "", 0, 0, nil, fmt.Errorf("tag %s, want ~#c4", top[0])
	}
	var rec []json.RawMessage
	if err = json.Unmarshal(top[1], &rec); err != nil || len(rec) != 6 {
		return "", "", "", 0, 0, nil, fmt.Errorf("c4 body %s is not a 6-element array (%v)", top[1], err)
	}
	var m []json.RawMessage
	for i, dst := range []any{&text, &contentType, &messageType, &clock, &timestamp, &m} {
		if err = json.Unmarshal(rec[i], dst); err != nil {
			return "", "", "", 0, 0, nil, fmt.Errorf("c4 element %d %s: %v", i, rec[i], err)
		}
	}
	if len(m)%2 != 1 || string(m[0]) != `"^ "` {
		return "", "", "", 0, 0, nil, fmt.Errorf("content %s is not a Transit map", rec[5])
	}
	content = map[string]json.RawMessage{}
	for i := 1; i < len(m); i += 2 {
		var key string
		if err = json.Unmarshal(m[i], &key); err != nil {
			return "", "", "", 0, 0, nil, fmt.Errorf("content key %s: %v", m[i], err)
		}
		content[key] = m[i+1]
	}
	return text, contentType, messageType, clock, timestamp, content, nil
}

// PublicChat checks that statusd and a reference node of kind refKind,
// connected, share a public chat. The reference posts a status-react
// style c4 with shh_post (key from shh_generateSymKeyFromPassword(name),
// topic keccak256(name)[:4], signed with its own key pair); statusd shows
// it in the chat with that text and the signer as author. statusd_sendText's message is then
// decrypted by an shh filter on the reference node, and its payload —
// after the v1 wrapper statusd puts around public messages, whose
// signature must recover statusd's chat key — is the same c4. It fails t
// if c lacks a function.
func PublicChat(t *testing.T, refKind string, c Crypto) {
	if c.Keccak256 == nil || c.SigToPub == nil || c.FromECDSAPub == nil {
		t.Fatal("whispersuite.PublicChat: Crypto needs Keccak256, SigToPub and FromECDSAPub")
	}
	if got := c.chatTopic("status"); got != "0xcd423760" { // §4.1 vector
		t.Fatalf("topic(status) = %s, want 0xcd423760", got)
	}
	s := StartNode(t, KindStatusd, "statusd")
	ref := StartNode(t, refKind, refKind+"-ref")
	Connect(t, s, ref)
	chat := "interop-" + RandHex(t, 4)
	topic := c.chatTopic(chat)
	s.Call(t, nil, "statusd_joinPublicChat", chat)
	statusdKey := s.Str(t, "statusd_chatKey")

	key := ref.Str(t, "shh_generateSymKeyFromPassword", chat)
	signer := ref.Str(t, "shh_newKeyPair")
	signerPub := ref.Str(t, "shh_getPublicKey", signer)
	f := NewFilter(t, ref, map[string]any{"symKeyID": key, "topics": []string{topic}})

	// Reference → statusd.
	ts := time.Now().UnixMilli()
	const refText = "hello from the reference node"
	Post(t, ref, map[string]any{"symKeyID": key, "sig": signer, "topic": topic, "ttl": TTL, "powTime": 2, "powTarget": PowTarget,
		"payload": "0x" + hex.EncodeToString([]byte(c4Text(chat, refText, ts)))})
	var got statusdMessage
	WaitFor(t, MsgTimeout, "the reference's message in statusd's chat", func() (bool, error) {
		res, err := s.CallErr("statusd_messages", chat, "", 50)
		if err != nil {
			return false, err
		}
		var page struct{ Messages []statusdMessage }
		if err := json.Unmarshal(res, &page); err != nil {
			return false, err
		}
		for _, m := range page.Messages {
			if m.Text == refText {
				got = m
				return true, nil
			}
		}
		return false, nil
	})
	if !strings.EqualFold(got.From, signerPub) || got.ChatID != chat || got.ContentType != "text/plain" ||
		got.MessageType != "public-group-user-message" || got.Clock != ts*100 || got.Timestamp != ts {
		t.Errorf("statusd shows %+v; sent by %s in %s with clock %d, timestamp %d", got, signerPub, chat, ts*100, ts)
	}

	// statusd → reference.
	const ourText = "hello from statusd"
	s.Str(t, "statusd_sendText", chat, ourText)
	var m Message
	WaitFor(t, MsgTimeout, "statusd's message on the reference node", func() (bool, error) {
		err := f.Poll(t)
		for _, x := range f.got {
			if strings.EqualFold(x.Sig, statusdKey) {
				m = x
				return true, err
			}
		}
		return false, err
	})
	data, err := hex.DecodeString(strings.TrimPrefix(m.Payload, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	sig, raw, wrapped, err := unwrapV1(data)
	if err != nil {
		t.Fatalf("payload %x: v1 wrapper: %v", data, err)
	}
	if wrapped {
		t.Logf("statusd sends public messages in the v1 wrapper (signature %t)", sig != nil)
		if sig != nil {
			pub, err := c.SigToPub(c.Keccak256(raw), sig)
			if err != nil {
				t.Fatalf("wrapper signature %x: %v", sig, err)
			}
			if k := "0x" + hex.EncodeToString(c.FromECDSAPub(pub)); !strings.EqualFold(k, statusdKey) {
				t.Errorf("wrapper signed by %s, statusd's chat key is %s", k, statusdKey)
			}
		}
	} else {
		raw = data
		t.Log("statusd sends public messages as bare Transit")
	}
	text, ctype, mtype, clock, stamp, content, err := parseC4(raw)
	if err != nil {
		t.Fatalf("payload %q: %v", raw, err)
	}
	// The content: chat-id and text, and what status-react 1.0 added from
	// prepareContent (parsed-text, line-count, should-collapse?, rtl?).
	str := func(k string) string {
		var v string
		_ = json.Unmarshal(content[k], &v)
		return v
	}
	var keys []string
	for k := range content {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	wantKeys := []string{"~:chat-id", "~:line-count", "~:parsed-text", "~:rtl?", "~:should-collapse?", "~:text"}
	if text != ourText || ctype != "text/plain" || mtype != "~:public-group-user-message" ||
		str("~:chat-id") != chat || str("~:text") != ourText || fmt.Sprint(keys) != fmt.Sprint(wantKeys) {
		t.Errorf("c4 %q: text %q, content type %q, message type %q, content keys %v; want %q, text/plain, ~:public-group-user-message, chat-id %q, keys %v",
			raw, text, ctype, mtype, keys, ourText, chat, wantKeys)
	}
	// The clock follows the reference's message it has seen (§1.6).
	if now := time.Now().UnixMilli(); stamp < now-60000 || stamp > now || clock <= ts*100 {
		t.Errorf("c4 %q: clock %d, timestamp %d, now %d; the reference's message had clock %d", raw, clock, stamp, now, ts*100)
	}
}
