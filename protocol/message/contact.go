package message

import (
	"strings"

	"github.com/statusnode/statusd/protocol/transit"
)

// Contact is a c2 ContactRequest, c3 ContactRequestConfirmed or c6
// ContactUpdate (docs/PROTOCOL.md §1.9.1); the three are handled identically.
// Wire layout [name, profile-image, address, fcm-token, device-info]; Decode
// accepts 3 to 5 elements (older writers), Encode writes Arity elements (5
// when 0, as status-react's writer does, with nil for absent fields).
type Contact struct {
	Tag          string // TagContactRequest, TagContactConfirmed or TagContactUpdate
	Name         string // deprecated self-chosen name
	ProfileImage string // base64 data URI
	Address      string // Ethereum address
	FCMToken     string // deprecated
	DeviceInfo   []DeviceInfo
	Arity        int
}

// DeviceInfo describes one paired installation of a contact.
type DeviceInfo struct {
	ID       string // installation ID
	FCMToken string
}

// TransitTag implements Payload.
func (c *Contact) TransitTag() string { return c.Tag }

func decodeContact(tag string, rep any) (*Contact, error) {
	arr, ok := rep.([]any)
	if !ok || len(arr) < 3 || len(arr) > 5 {
		return nil, reject(RuleShape, "%s: want 3 to 5 elements", tag)
	}
	c := &Contact{Tag: tag, Arity: len(arr)}
	dst := []*string{&c.Name, &c.ProfileImage, &c.Address, &c.FCMToken}
	for i := 0; i < len(arr) && i < 4; i++ {
		if *dst[i], ok = str(arr[i]); !ok {
			return nil, reject(RuleShape, "%s: element %d is %T", tag, i, arr[i])
		}
	}
	if len(arr) == 5 && arr[4] != nil {
		infos, ok := seq(arr[4])
		if !ok {
			return nil, reject(RuleShape, "%s: device-info is %T", tag, arr[4])
		}
		for _, v := range infos {
			m, ok := v.(*transit.Map)
			if !ok {
				return nil, reject(RuleShape, "%s: device-info entry is %T", tag, v)
			}
			var d DeviceInfo
			id, _ := m.Keyword("id")
			tok, _ := m.Keyword("fcm-token")
			d.ID, ok = str(id)
			if !ok {
				return nil, reject(RuleShape, "%s: device id is %T", tag, id)
			}
			if d.FCMToken, ok = str(tok); !ok {
				return nil, reject(RuleShape, "%s: fcm-token is %T", tag, tok)
			}
			c.DeviceInfo = append(c.DeviceInfo, d)
		}
	}
	return c, nil
}

func (c *Contact) toTransit() any {
	arity := c.Arity
	if arity < 3 || arity > 5 {
		arity = 5
	}
	var devices any
	if len(c.DeviceInfo) > 0 {
		ds := make([]any, len(c.DeviceInfo))
		for i, d := range c.DeviceInfo {
			ds[i] = transit.NewMap(transit.Keyword("id"), d.ID, transit.Keyword("fcm-token"), orNil(d.FCMToken))
		}
		devices = ds
	}
	all := []any{orNil(c.Name), orNil(c.ProfileImage), orNil(c.Address), orNil(c.FCMToken), devices}
	return transit.Tagged{Tag: c.Tag, Rep: all[:arity]}
}

// CheckProfileImage applies RuleProfileImage to the profile-image of a
// contact message (§1.9.1): "" (no image) is accepted; otherwise it must be
// a base64 image data URI ("data:image/…;base64,…") of at most
// MaxProfileImageBytes bytes. The messenger applies it to its own profile
// before sending and Validate to every received c2/c3/c6.
func CheckProfileImage(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxProfileImageBytes {
		return reject(RuleProfileImage, "%d bytes, limit %d", len(s), MaxProfileImageBytes)
	}
	head, data, ok := strings.Cut(s, ",")
	if !ok || !strings.HasPrefix(head, "data:image/") || !strings.HasSuffix(head, ";base64") || data == "" {
		return reject(RuleProfileImage, "not a base64 image data URI")
	}
	return nil
}

// MessagesSeen is c5: the IDs of messages the sender has seen. 2019 readers
// ignore it (§1.9); it decodes so that it is not counted as unsupported.
type MessagesSeen struct {
	IDs []string
}

// TransitTag implements Payload.
func (*MessagesSeen) TransitTag() string { return TagMessagesSeen }

func decodeSeen(rep any) (*MessagesSeen, error) {
	ids, ok := stringsOf(rep)
	if !ok {
		return nil, reject(RuleShape, "c5: want a sequence of strings")
	}
	return &MessagesSeen{IDs: ids}, nil
}

func (m *MessagesSeen) toTransit() any {
	return transit.Tagged{Tag: TagMessagesSeen, Rep: stringSlice(m.IDs)}
}

// NewContactKey is the legacy 2018 c1 [sym-key, topic, message]. 2019
// readers no longer act on it; Validate rejects it as RuleUnsupported.
type NewContactKey struct {
	SymKey  string
	Topic   string
	Message Payload // nested record (a contact request in practice), or nil
}

// TransitTag implements Payload.
func (*NewContactKey) TransitTag() string { return TagNewContactKey }

func decodeNewContactKey(rep any, depth int) (*NewContactKey, error) {
	arr, ok := rep.([]any)
	if !ok || len(arr) != 3 {
		return nil, reject(RuleShape, "c1: want 3 elements")
	}
	k := &NewContactKey{}
	if k.SymKey, ok = str(arr[0]); !ok {
		return nil, reject(RuleShape, "c1: sym-key is %T", arr[0])
	}
	if k.Topic, ok = str(arr[1]); !ok {
		return nil, reject(RuleShape, "c1: topic is %T", arr[1])
	}
	if arr[2] != nil {
		p, err := fromTransit(arr[2], depth+1)
		if err != nil {
			return nil, err
		}
		k.Message = p
	}
	return k, nil
}

func (k *NewContactKey) toTransit() any {
	var msg any
	if k.Message != nil {
		msg = k.Message.toTransit()
	}
	return transit.Tagged{Tag: TagNewContactKey, Rep: []any{orNil(k.SymKey), orNil(k.Topic), msg}}
}
