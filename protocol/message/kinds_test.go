package message

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/statusnode/statusd/protocol/transit"
)

// kindVector is one entry of testdata/kinds.json: the bytes the
// status-react build pinned to status-go v0.35.1 wrote for one message
// kind (input), what the decoder must read (expect), and the builder call
// that must produce the same bytes (build).
type kindVector struct {
	Name   string         `json:"name"`
	Input  string         `json:"input"`
	Expect map[string]any `json:"expect"`
	Build  struct {
		Kind        string `json:"kind"`
		Command     string `json:"command"`
		MessageType string `json:"message_type"`
		ChatID      string `json:"chat_id"`
		Text        string `json:"text"`
		ReplyTo     string `json:"reply_to"`
		Name        string `json:"name"`
		Hash        string `json:"hash"`
		Pack        int64  `json:"pack"`
		Params      struct {
			Asset, Amount, Network, Address string
			TxHash                          string `json:"tx_hash"`
		} `json:"params"`
		Display *struct {
			Coin       string `json:"coin"`
			FiatAmount string `json:"fiat_amount"`
			Currency   string `json:"currency"`
		} `json:"display"`
		Clock     int64 `json:"clock"`
		Timestamp int64 `json:"timestamp"`
	} `json:"build"`
}

// ethMainnet is tokens.cljs's mainnet native currency without its icon,
// the coin status-react put in ETH command params.
func ethMainnet() *transit.Map {
	return transit.NewMap(transit.Keyword("name"), "Ether", transit.Keyword("symbol"), transit.Keyword("ETH"),
		transit.Keyword("decimals"), int64(18))
}

func (v *kindVector) build(t *testing.T, prepared *ChatMessage) *ChatMessage {
	b := v.Build
	m := &ChatMessage{MessageType: MessageType(b.MessageType), Clock: b.Clock, Timestamp: b.Timestamp}
	switch b.Kind {
	case "text", "emoji":
		m.ContentType = ContentText
		if b.Kind == "emoji" {
			m.ContentType = ContentEmoji
		}
		m.Content = TextContent(b.ChatID, b.Text)
		if b.ReplyTo != "" {
			m.Content.SetReply(b.ReplyTo)
		}
		if b.Name != "" {
			m.Content.SetName(b.Name)
		}
	case "sticker":
		m.ContentType, m.Content = ContentSticker, StickerContent(b.ChatID, b.Hash, b.Pack)
	case "command":
		p := CommandParams{Asset: b.Params.Asset, Amount: b.Params.Amount, Network: b.Params.Network,
			Address: b.Params.Address, TxHash: b.Params.TxHash}
		if d := b.Display; d != nil {
			p.Display = &CommandDisplay{Coin: ethMainnet(), FiatAmount: d.FiatAmount, Currency: d.Currency}
		}
		var err error
		if m.Content, m.ContentType, err = CommandContent(b.ChatID, b.Command, p); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown kind %q", b.Kind)
	}
	// The prepareContent result comes from status-go's markdown parser:
	// take the recorded one.
	var parsed any
	for _, e := range prepared.Content.Extra {
		if keywordName(e.Key) == "parsed-text" {
			parsed = e.Value
		}
	}
	m.Content.SetPrepared(parsed, 0, false, false)
	return m
}

func TestKindVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/kinds.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []kindVector
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 6 {
		t.Fatalf("%d vectors", len(vs))
	}
	alice, _ := keys(t)
	for _, v := range vs {
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
			cm := p.(*ChatMessage)
			if _, err := Validate(cm, Context{Now: time.UnixMilli(v.Build.Timestamp), Author: &alice.PublicKey}); err != nil {
				t.Errorf("vector does not validate: %v", err)
			}
			out, err := Encode(v.build(t, cm))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != v.Input {
				t.Errorf("builder wrote\n %s\nwant\n %s", out, v.Input)
			}
			// stored content round trip keeps every key in order
			stored, err := EncodeContent(cm.Content)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeContent(stored, cm.ContentType)
			if err != nil {
				t.Fatal(err)
			}
			cm.Content = back
			if again, _ := Encode(cm); string(again) != v.Input {
				t.Errorf("content round trip wrote\n %s", again)
			}
		})
	}
}

// TestCljsKeywordHash: cljs.core/hash of :a is -2123407586 (the value
// Clojure and ClojureScript share for keywords).
func TestCljsKeywordHash(t *testing.T) {
	if got := int32(cljsKeywordHash("a")); got != -2123407586 {
		t.Fatalf("hash :a = %d", got)
	}
	small := kwKeys("chat-id", "text")
	if got := cljsHashOrder(small); fmt.Sprint(got) != "[chat-id text]" && fmt.Sprint(got) != "[text chat-id]" {
		t.Fatalf("order %v", got)
	}
}

func TestValidAmount(t *testing.T) {
	for _, a := range []string{"0.1", "1,5", "10", "0", ".5", "1e3", "0.000001"} {
		if !ValidAmount(a) {
			t.Errorf("%q refused (status-react sent it)", a)
		}
	}
	for _, a := range []string{"ten", "0x10", "01", "1.", "1,", "1.2.3", "1,2,3", "1.5,2", "--1", "0b1"} {
		if ValidAmount(a) {
			t.Errorf("%q accepted (status-react refused it)", a)
		}
	}
}

func TestCommandContentUnknown(t *testing.T) {
	if _, _, err := CommandContent("x", "pay", CommandParams{Amount: "1"}); RuleOf(err) != RuleCommand {
		t.Fatalf("err = %v", err)
	}
}
