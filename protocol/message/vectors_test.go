package message

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

type msgVector struct {
	Name     string         `json:"name"`
	Section  string         `json:"section"`
	Source   string         `json:"source"`
	Input    string         `json:"input"`
	Reencode *bool          `json:"reencode"`
	Expect   map[string]any `json:"expect"`
}

func loadMsgVectors(t testing.TB) []msgVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []msgVector
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// summary flattens a payload into the vocabulary of the vector files.
func summary(p Payload) map[string]any {
	s := map[string]any{"tag": p.TransitTag()}
	switch m := p.(type) {
	case *ChatMessage:
		s["content_type"], s["message_type"] = string(m.ContentType), string(m.MessageType)
		s["clock"], s["timestamp"], s["layout6"] = m.Clock, m.Timestamp, m.Layout6
		s["chat_id"], s["text"], s["name"] = m.Content.ChatID, m.Content.Text, m.Content.Name
		s["reply_to"], s["hash"] = m.Content.ReplyTo(), m.Content.Hash
	case *Contact:
		s["name"], s["address"], s["fcm_token"], s["devices"] = m.Name, m.Address, m.FCMToken, len(m.DeviceInfo)
	case *MessagesSeen:
		s["ids"] = len(m.IDs)
	case *PairInstallation:
		s["installation_id"], s["device_type"], s["name"] = m.InstallationID, m.DeviceType, m.Name
	case *SyncInstallation:
		s["chat_id"] = m.ChatID()
	case *NewContactKey:
		s["nested"] = m.Message.TransitTag()
	case *MembershipUpdateMessage:
		s["chat_id"], s["updates"] = m.ChatID, len(m.Updates)
		n := 0
		for _, u := range m.Updates {
			n += len(u.Events)
		}
		s["events"] = n
		if len(m.Updates) > 0 {
			u := m.Updates[0]
			s["signing_keccak"] = hex.EncodeToString(crypto.Keccak256(SigningString(u.ChatID, u.Events)))
			if pub, err := u.RecoverAuthor(); err == nil {
				s["author"] = PubKeyHex(pub)
			}
		}
	case *Unsupported:
		s["unsupported"] = true
	}
	return s
}

func TestVectors(t *testing.T) {
	for _, v := range loadMsgVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			p, err := Decode([]byte(v.Input))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			got := summary(p)
			for k, want := range v.Expect {
				if fmt.Sprint(got[k]) != fmt.Sprint(want) {
					t.Errorf("%s = %v, want %v", k, got[k], want)
				}
			}
			out, err := Encode(p)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if v.Reencode == nil || *v.Reencode {
				if string(out) != v.Input {
					t.Errorf("re-encoded\n got %s\nwant %s", out, v.Input)
				}
			}
			if _, err := Decode(out); err != nil {
				t.Errorf("re-encoding does not decode: %v", err)
			}
		})
	}
}

// TestMembershipRealVector: the §1.9.3 signature recovers the chat ID's key
// suffix, and the whole message validates.
func TestMembershipRealVector(t *testing.T) {
	v := loadMsgVectors(t)
	var in string
	for _, x := range v {
		if x.Name == "g5 membership update (real)" {
			in = x.Input
		}
	}
	p, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	g := p.(*MembershipUpdateMessage)
	pub, err := g.Updates[0].RecoverAuthor()
	if err != nil || PubKeyHex(pub) != GroupCreator(g.ChatID) {
		t.Fatalf("recovered %v, %v; want creator %s", pub, err, GroupCreator(g.ChatID))
	}
	now := time.UnixMilli(1568973739985)
	if id, err := Validate(p, Context{Now: now, Author: pub}); err != nil || id != g.ChatID {
		t.Fatalf("Validate = %q, %v", id, err)
	}
	// re-signing with Alice must change the author and break the creator rule
	alice, _ := crypto.HexToECDSA(aliceKey)
	g.Updates[0].Sign(alice)
	if _, err := Validate(p, Context{Now: now, Author: pub}); RuleOf(err) != RuleGroupCreator {
		t.Fatalf("re-signed by Alice: %v", err)
	}
}

const (
	aliceKey = "838fbdd1b670209a258b90af25653a018bc582c44c56e6290a973eebbeb15732"
	alicePub = "0x04745e0d27132e2e8915096b08739bf2dc1165642b81bdffb8a9d5e4a9849c6a2a433e343f7a6597568dd0d1e978311c15626a6cbfc11236502ad7f98493481928"
	bobKey   = "0b0ed3f2a4e4e7f4ba0b3bb0d1ad7e0e9e4c3a6f4f7aa7c5a3e5c9e5b0f1a2b3"
)

// TestMessageIDVector is §1.10's computed vector.
func TestMessageIDVector(t *testing.T) {
	key, _ := crypto.HexToECDSA(aliceKey)
	if got := PubKeyHex(&key.PublicKey); got != alicePub {
		t.Fatalf("alice pub %s", got)
	}
	want := "0x4712c24adcea4f2ebe4abee75cf8b9cb60088d070bf2097c57ee7a0b268ade38"
	if got := ID(&key.PublicKey, []byte("hello")); got != want {
		t.Fatalf("ID = %s, want %s", got, want)
	}
}

// TestWrapperVector is §1.2's wire example and a sign/verify round trip.
func TestWrapperVector(t *testing.T) {
	if got := hex.EncodeToString(EncodeWrapper(Wrapper{Payload: []byte("hi")})); got != "92fa01026869" {
		t.Fatalf("wrapper = %s", got)
	}
	key, _ := crypto.HexToECDSA(aliceKey)
	payload := []byte(`["~#c5",[]]`)
	wrapped, err := Wrap(payload, key)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(wrapped[:3]) != "8afa01" {
		t.Errorf("signature tag %x", wrapped[:3])
	}
	u, err := Unwrap(wrapped)
	if err != nil || !u.Wrapped || string(u.Payload) != string(payload) || PubKeyHex(u.Author) != alicePub {
		t.Fatalf("Unwrap = %+v, %v", u, err)
	}
	bare, err := Unwrap(payload)
	if err != nil || bare.Wrapped || string(bare.Payload) != string(payload) {
		t.Fatalf("bare Unwrap = %+v, %v", bare, err)
	}
}
