package message

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

// FuzzDecodeWrapper: DecodeWrapper never panics, what it accepts is
// protobuf (proto.Unmarshal takes it, every field unknown), and it
// re-encodes to bytes that decode to the same fields.
func FuzzDecodeWrapper(f *testing.F) {
	alice, _ := crypto.HexToECDSA(aliceKey)
	w, _ := Wrap([]byte(`["~#c5",[]]`), alice)
	for _, s := range [][]byte{w, {0x92, 0xfa, 0x01, 0x02, 'h', 'i'}, []byte(`["~#c4"]`), {0x08, 0x01, 0x92, 0xfa, 0x01, 0x00},
		// A payload beside a field numbered 2²⁹, past protobuf's range.
		{0x92, 0xfa, 0x01, 0x02, 'h', 'i', 0x82, 0x80, 0x80, 0x80, 0x10, 0x00}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := DecodeWrapper(data)
		if err != nil {
			return
		}
		if err := proto.Unmarshal(data, &emptypb.Empty{}); err != nil {
			t.Fatalf("DecodeWrapper accepted what protobuf rejects: %v", err)
		}
		w2, err := DecodeWrapper(EncodeWrapper(w))
		if err != nil || string(w2.Payload) != string(w.Payload) || string(w2.Signature) != string(w.Signature) {
			t.Fatalf("wrapper round trip: %v", err)
		}
		_, _ = w.RecoverAuthor()
	})
}

// FuzzReceive: the whole receive path (bytes → validated message) never
// panics and every rejection carries a rule.
func FuzzReceive(f *testing.F) {
	alice, _ := crypto.HexToECDSA(aliceKey)
	for _, v := range loadMsgVectors(f) {
		f.Add([]byte(v.Input))
		if w, err := Wrap([]byte(v.Input), alice); err == nil {
			f.Add(w)
		}
	}
	ctx := Context{Now: testNow, Self: &alice.PublicKey}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Receive(data, &alice.PublicKey, ctx)
		if err != nil {
			if RuleOf(err) == RuleNone {
				t.Fatalf("rejection without rule: %v", err)
			}
			return
		}
		if _, err := Encode(r.Payload); err != nil {
			t.Fatalf("accepted payload does not encode: %v", err)
		}
	})
}

// FuzzDecodeContent: the stored-content decoder never panics, and what it
// accepts encodes back to bytes that decode to the same content.
func FuzzDecodeContent(f *testing.F) {
	for _, s := range []string{`["^ ","~:chat-id","status","~:text","hi"]`, `["^ "]`, `"plain"`, `[1,2]`,
		`["^ ","~:command-path",["send",["~#set",["~:personal-chats"]]],"~:params",["^ ","~:amount","1"],"~:bot","transactor"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeContent(data, ContentSticker)
		if err != nil {
			if RuleOf(err) == RuleNone {
				t.Fatalf("rejection without a rule: %v", err)
			}
			return
		}
		raw, err := EncodeContent(c)
		if err != nil {
			t.Fatalf("decoded content does not encode: %v", err)
		}
		back, err := DecodeContent(raw, ContentSticker)
		if err != nil {
			t.Fatalf("re-encoded content does not decode: %v", err)
		}
		if again, _ := EncodeContent(back); string(again) != string(raw) {
			t.Fatalf("content round trip\n %s\n %s", raw, again)
		}
	})
}
