package shhext_test

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"

	"github.com/statusnode/statusd/protocol/message"
)

// This file fills a replay session's variables and builds its signed
// group payloads (see replay_test.go).

var (
	clockRef = regexp.MustCompile(`\$clock:([A-Za-z0-9]+)`)
	varRef   = regexp.MustCompile(`\$([A-Za-z][A-Za-z0-9]*)`)
)

// fill replaces the variables in v (see the session's $comment): a string
// that is one variable becomes its value, of any type; variables inside a
// longer string are written as text; {"$transit": text} becomes the hex
// payload of text.
func (r *replayer) fill(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.fill(e)
		}
		return out
	case map[string]any:
		if tr, ok := x["$transit"].(string); ok && len(x) == 1 {
			return "0x" + hex.EncodeToString([]byte(r.text(tr)))
		}
		if g5, ok := x["$g5"].(map[string]any); ok && len(x) == 1 {
			return r.g5(g5)
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = r.fill(e)
		}
		return out
	case string:
		if m := clockRef.FindStringSubmatch(x); m != nil && m[0] == x {
			return r.clock(m[1])
		}
		if m := varRef.FindStringSubmatch(x); m != nil && m[0] == x {
			if v, ok := r.value(m[1]); ok {
				return v
			}
		}
		return r.text(x)
	}
	return v
}

// text writes the variables inside s as text.
func (r *replayer) text(s string) string {
	s = clockRef.ReplaceAllStringFunc(s, func(m string) string {
		return strconv.FormatInt(r.clock(m[len("$clock:"):]), 10)
	})
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := r.value(m[1:])
		if !ok {
			r.t.Fatalf("unknown variable %s", m)
		}
		if str, ok := v.(string); ok {
			return str
		}
		b, _ := json.Marshal(v)
		return string(b)
	})
}

// value is a variable: a saved one or a time.
func (r *replayer) value(name string) (any, bool) {
	now := time.Now()
	switch name {
	case "now":
		return now.UnixMilli(), true
	case "nowSec":
		return now.Unix(), true
	case "dayAgoSec":
		return now.Add(-24 * time.Hour).Unix(), true
	}
	v, ok := r.vars[name]
	return v, ok
}

// clock is status-react's clock-value for name (utils.clocks/send: the
// time in ms × 100, above the last one), the same for every use of name.
func (r *replayer) clock(name string) int64 {
	if c, ok := r.clocks[name]; ok {
		return c
	}
	c := max(time.Now().UnixMilli()*100, r.last+1)
	r.clocks[name], r.last = c, c
	return c
}

// decode reads JSON with numbers as float64, as the comparisons expect.
func decode(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return v
}

// normal makes a filled expectation comparable with decoded JSON.
func normal(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// pathValue follows a dotted path (object keys, array indexes) in v.
func pathValue(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[p]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// accountKey decrypts the account key in a datadir's keystore, as the
// frontend holding the account could.
func accountKey(t *testing.T, datadir, password string) *ecdsa.PrivateKey {
	t.Helper()
	dir := filepath.Join(datadir, "keystore")
	files, err := os.ReadDir(dir)
	if err != nil || len(files) != 1 {
		t.Fatalf("keystore of %s: %v %v", datadir, files, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, files[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	k, err := keystore.DecryptKey(data, password)
	if err != nil {
		t.Fatal(err)
	}
	return k.PrivateKey
}

// sign signs one membership update (see replayStep.Sign).
func (r *replayer) sign(t *testing.T, sg replaySign) {
	var evs []replayEvent
	raw, _ := json.Marshal(r.fill(sg.Events))
	if err := json.Unmarshal(raw, &evs); err != nil {
		t.Fatalf("sign %s: %v", sg.Name, err)
	}
	u := message.MembershipUpdate{ChatID: r.text(sg.Chat)}
	for _, e := range evs {
		u.Events = append(u.Events, message.MembershipEvent{Type: e.Type, Name: e.Name, Member: e.Member,
			Members: e.Members, ClockValue: e.ClockValue})
	}
	if err := u.Sign(r.keys[sg.Signer]); err != nil {
		t.Fatalf("sign %s: %v", sg.Name, err)
	}
	r.signed[sg.Name] = u
}

// g5 builds a {"$g5": {chat, signer, updates, message}} payload: the
// named signed updates and, when message is set, the c4 of that Transit
// text, in a g5 wrapped and signed by signer, as status-react's
// wrap-group-message and send-membership-update sent them.
func (r *replayer) g5(spec map[string]any) string {
	m := &message.MembershipUpdateMessage{ChatID: r.text(spec["chat"].(string))}
	for _, name := range spec["updates"].([]any) {
		u, ok := r.signed[name.(string)]
		if !ok {
			r.t.Fatalf("$g5: no signed update %v", name)
		}
		m.Updates = append(m.Updates, u)
	}
	if text, ok := spec["message"].(string); ok {
		p, err := message.Decode([]byte(r.text(text)))
		cm, isChat := p.(*message.ChatMessage)
		if err != nil || !isChat {
			r.t.Fatalf("$g5 message: %v (%T)", err, p)
		}
		m.Message = cm
	}
	raw, err := message.Encode(m)
	if err == nil {
		raw, err = message.Wrap(raw, r.keys[spec["signer"].(string)])
	}
	if err != nil {
		r.t.Fatalf("$g5: %v", err)
	}
	return "0x" + hex.EncodeToString(raw)
}
