package message

import (
	"crypto/ecdsa"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/transit"
)

// SigningString returns the bytes a membership update's signature covers
// (§1.9.3): JSON, no whitespace, of [[event-tuple…], chat-id] with events
// sorted by clock-value (stable), each event a list of [field, value] pairs
// sorted by field name, zero/empty fields dropped, members sorted. Strings
// are escaped as JavaScript's JSON.stringify does (status-react); this equals
// status-protocol-go's encoding/json output except for '<', '>', '&' and
// U+2028/2029, which Go escapes (UNCONFIRMED which one 2019 clients used for
// such names; we follow status-react). The update is not modified.
func SigningString(chatID string, events []MembershipEvent) []byte {
	sorted := make([]MembershipEvent, len(events))
	copy(sorted, events)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ClockValue < sorted[j].ClockValue })
	b := make([]byte, 0, 256)
	b = append(b, '[', '[')
	for i, ev := range sorted {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEventTuple(b, ev)
	}
	b = append(b, ']', ',')
	b = transit.AppendJSONString(b, chatID)
	return append(b, ']')
}

// appendEventTuple writes the pairs in field-name order:
// clock-value < member < members < name < type.
func appendEventTuple(b []byte, ev MembershipEvent) []byte {
	b = append(b, '[')
	n := 0
	pair := func(name string) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(transit.AppendJSONString(append(b, '['), name), ',')
	}
	if ev.ClockValue != 0 {
		pair("clock-value")
		b = append(strconv.AppendInt(b, ev.ClockValue, 10), ']')
	}
	if ev.Member != "" {
		pair("member")
		b = append(transit.AppendJSONString(b, ev.Member), ']')
	}
	if len(ev.Members) > 0 {
		pair("members")
		ms := append([]string(nil), ev.Members...)
		sort.Strings(ms)
		b = append(b, '[')
		for i, m := range ms {
			if i > 0 {
				b = append(b, ',')
			}
			b = transit.AppendJSONString(b, m)
		}
		b = append(b, ']', ']')
	}
	if ev.Name != "" {
		pair("name")
		b = append(transit.AppendJSONString(b, ev.Name), ']')
	}
	if ev.Type != "" {
		pair("type")
		b = append(transit.AppendJSONString(b, ev.Type), ']')
	}
	return append(b, ']')
}

// Sign sets u.Signature to the hex (no 0x) signature of SigningString by
// key: 65 bytes R‖S‖V, V ∈ {0,1}, over keccak256.
func (u *MembershipUpdate) Sign(key *ecdsa.PrivateKey) error {
	sig, err := crypto.Sign(crypto.Keccak256(SigningString(u.ChatID, u.Events)), key)
	if err != nil {
		return rejectCause(RuleSignature, err, "sign membership update")
	}
	u.Signature = hex.EncodeToString(sig)
	return nil
}

// RecoverAuthor returns the key that signed u. It accepts an optional 0x
// prefix and V ∈ {27,28} as well as {0,1}. Errors are RuleSignature.
func (u *MembershipUpdate) RecoverAuthor() (*ecdsa.PublicKey, error) {
	sig, err := hex.DecodeString(strings.TrimPrefix(u.Signature, "0x"))
	if err != nil || len(sig) != crypto.SignatureLength {
		return nil, reject(RuleSignature, "membership signature is not 65 hex bytes")
	}
	return recoverKey(crypto.Keccak256(SigningString(u.ChatID, u.Events)), sig)
}

// recoverKey recovers the signer of a 65-byte signature over hash.
func recoverKey(hash, sig []byte) (*ecdsa.PublicKey, error) {
	if len(sig) != crypto.SignatureLength {
		return nil, reject(RuleSignature, "signature is %d bytes, want 65", len(sig))
	}
	s := append([]byte(nil), sig...)
	if s[64] >= 27 {
		s[64] -= 27
	}
	pub, err := crypto.SigToPub(hash, s)
	if err != nil {
		return nil, rejectCause(RuleSignature, err, "recover")
	}
	return pub, nil
}

// PubKeyHex renders a public key as 0x04… (uncompressed, §0).
func PubKeyHex(pub *ecdsa.PublicKey) string {
	return "0x" + hex.EncodeToString(crypto.FromECDSAPub(pub))
}
