package message

import "github.com/statusnode/statusd/protocol/transit"

// PairInstallation is p2 [installation-id, device-type, name, fcm-token]
// (docs/PROTOCOL.md §1.9.2). Only accepted from our own identity key.
// Encode writes 4 elements, nil for absent fields (status-react).
type PairInstallation struct {
	InstallationID string
	DeviceType     string // ios, android or desktop
	Name           string
	FCMToken       string
}

// TransitTag implements Payload.
func (*PairInstallation) TransitTag() string { return TagPairInstallation }

func decodePair(rep any) (*PairInstallation, error) {
	arr, ok := rep.([]any)
	if !ok || len(arr) < 3 || len(arr) > 4 {
		return nil, reject(RuleShape, "p2: want 3 or 4 elements")
	}
	p := &PairInstallation{}
	dst := []*string{&p.InstallationID, &p.DeviceType, &p.Name, &p.FCMToken}
	for i, v := range arr {
		if *dst[i], ok = str(v); !ok {
			return nil, reject(RuleShape, "p2: element %d is %T", i, v)
		}
	}
	return p, nil
}

func (p *PairInstallation) toTransit() any {
	return transit.Tagged{Tag: TagPairInstallation, Rep: []any{
		orNil(p.InstallationID), orNil(p.DeviceType), orNil(p.Name), orNil(p.FCMToken),
	}}
}

// SyncInstallation is p1 [contacts, account, chat] (§1.9.2), sent between
// our own devices. The three maps are kept as Transit maps (their schema
// evolved through 2019); accessors read the documented keys.
//   - Contacts: public key (string) → {name, photo-path, last-updated,
//     device-info, pending?, system-tags}
//   - Account: {name, photo-path, last-updated}
//   - Chat: {public?, chat-id}, a public chat to join
type SyncInstallation struct {
	Contacts *transit.Map
	Account  *transit.Map
	Chat     *transit.Map
}

// TransitTag implements Payload.
func (*SyncInstallation) TransitTag() string { return TagSyncInstallation }

func decodeSync(rep any) (*SyncInstallation, error) {
	arr, ok := rep.([]any)
	if !ok || len(arr) != 3 {
		return nil, reject(RuleShape, "p1: want 3 elements")
	}
	var maps [3]*transit.Map
	for i, v := range arr {
		if v == nil {
			continue
		}
		if maps[i], ok = v.(*transit.Map); !ok {
			return nil, reject(RuleShape, "p1: element %d is %T", i, v)
		}
	}
	s := &SyncInstallation{Contacts: maps[0], Account: maps[1], Chat: maps[2]}
	if s.Contacts != nil {
		for _, e := range s.Contacts.Entries {
			if _, ok := e.Key.(string); !ok {
				return nil, reject(RuleShape, "p1: contact key is %T", e.Key)
			}
			if _, ok := e.Value.(*transit.Map); !ok {
				return nil, reject(RuleShape, "p1: contact value is %T", e.Value)
			}
		}
	}
	return s, nil
}

// ChatID returns the public chat to join, if any.
func (s *SyncInstallation) ChatID() string {
	v, _ := s.Chat.Keyword("chat-id")
	id, _ := v.(string)
	return id
}

func (s *SyncInstallation) toTransit() any {
	rep := make([]any, 3)
	for i, m := range []*transit.Map{s.Contacts, s.Account, s.Chat} {
		if m != nil {
			rep[i] = m
		}
	}
	return transit.Tagged{Tag: TagSyncInstallation, Rep: rep}
}
