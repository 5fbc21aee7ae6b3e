package message

import (
	"github.com/statusnode/statusd/protocol/transit"
)

// Membership event types (docs/PROTOCOL.md §1.9.3).
const (
	EventChatCreated   = "chat-created"
	EventNameChanged   = "name-changed"
	EventMembersAdded  = "members-added"
	EventMemberJoined  = "member-joined"
	EventAdminsAdded   = "admins-added"
	EventMemberRemoved = "member-removed"
	EventAdminRemoved  = "admin-removed"
)

// MembershipUpdateMessage is g5 [chat-id, ["~#list", [update…]], message]
// (§1.9.3). Message is an optional c4 sent along with the update.
type MembershipUpdateMessage struct {
	ChatID  string
	Updates []MembershipUpdate
	Message *ChatMessage
}

// TransitTag implements Payload.
func (*MembershipUpdateMessage) TransitTag() string { return TagMembershipUpdate }

// MembershipUpdate is one signed batch of events from one author.
// Signature is 130 hex digits without 0x (§1.9.3). KeyOrder (from Decode)
// keeps the wire key order; nil means chat-id, events, signature.
type MembershipUpdate struct {
	ChatID    string
	Events    []MembershipEvent
	Signature string
	KeyOrder  []string
}

// MembershipEvent is one event. Fields are present iff non-zero. KeyOrder
// (from Decode) keeps the wire key order; nil means type, name,
// clock-value, member, members (which reproduces status-react's events).
type MembershipEvent struct {
	Type       string
	ClockValue int64
	Name       string
	Member     string
	Members    []string // a Transit set on the wire
	KeyOrder   []string
}

var (
	defaultUpdateOrder = []string{"chat-id", "events", "signature"}
	defaultEventOrder  = []string{"type", "name", "clock-value", "member", "members"}
)

func decodeMembership(rep any, depth int) (*MembershipUpdateMessage, error) {
	arr, ok := rep.([]any)
	if !ok || len(arr) < 2 || len(arr) > 3 {
		return nil, reject(RuleShape, "g5: want 2 or 3 elements")
	}
	if len(arr) == 2 {
		// status-protocol-go leaves the message element out when there is
		// none; status-react writes null (docs/PROTOCOL.md §1.9.3).
		arr = append(arr, nil)
	}
	m := &MembershipUpdateMessage{}
	if m.ChatID, ok = str(arr[0]); !ok {
		return nil, reject(RuleChatID, "g5: chat-id is %T", arr[0])
	}
	updates, ok := seq(arr[1])
	if !ok && arr[1] != nil {
		return nil, reject(RuleShape, "g5: updates is %T", arr[1])
	}
	for _, u := range updates {
		mu, err := decodeUpdate(u)
		if err != nil {
			return nil, err
		}
		m.Updates = append(m.Updates, mu)
	}
	if arr[2] != nil {
		p, err := fromTransit(arr[2], depth+1)
		if err != nil {
			return nil, err
		}
		cm, ok := p.(*ChatMessage)
		if !ok {
			return nil, reject(RuleShape, "g5: message is a %s", p.TransitTag())
		}
		m.Message = cm
	}
	return m, nil
}

func decodeUpdate(v any) (MembershipUpdate, error) {
	var u MembershipUpdate
	m, ok := v.(*transit.Map)
	if !ok {
		return u, reject(RuleShape, "g5: update is %T", v)
	}
	for _, e := range m.Entries {
		name := keywordName(e.Key)
		u.KeyOrder = append(u.KeyOrder, name)
		switch name {
		case "chat-id":
			if u.ChatID, ok = str(e.Value); !ok {
				return u, reject(RuleChatID, "g5: update chat-id is %T", e.Value)
			}
		case "signature":
			if u.Signature, ok = str(e.Value); !ok {
				return u, reject(RuleSignature, "g5: signature is %T", e.Value)
			}
		case "events":
			evs, ok := seq(e.Value)
			if !ok {
				return u, reject(RuleEvent, "g5: events is %T", e.Value)
			}
			for _, ev := range evs {
				me, err := decodeEvent(ev)
				if err != nil {
					return u, err
				}
				u.Events = append(u.Events, me)
			}
		}
	}
	return u, nil
}

func decodeEvent(v any) (MembershipEvent, error) {
	var ev MembershipEvent
	m, ok := v.(*transit.Map)
	if !ok {
		return ev, reject(RuleEvent, "event is %T", v)
	}
	for _, e := range m.Entries {
		name := keywordName(e.Key)
		ev.KeyOrder = append(ev.KeyOrder, name)
		switch name {
		case "type":
			ev.Type, ok = str(e.Value)
		case "clock-value":
			ev.ClockValue, ok = integer(e.Value)
		case "name":
			ev.Name, ok = str(e.Value)
		case "member":
			ev.Member, ok = str(e.Value)
		case "members":
			ev.Members, ok = stringsOf(e.Value)
		}
		if !ok {
			return ev, reject(RuleEvent, "event %v is %T", e.Key, e.Value)
		}
	}
	return ev, nil
}

func (m *MembershipUpdateMessage) toTransit() any {
	updates := make([]any, len(m.Updates))
	for i := range m.Updates {
		updates[i] = m.Updates[i].toMap()
	}
	var msg any
	if m.Message != nil {
		msg = m.Message.toTransit()
	}
	return transit.Tagged{Tag: TagMembershipUpdate, Rep: []any{m.ChatID, transit.List(updates), msg}}
}

func (u *MembershipUpdate) toMap() *transit.Map {
	events := make([]any, len(u.Events))
	for i := range u.Events {
		events[i] = u.Events[i].toMap()
	}
	fields := map[string]any{"chat-id": u.ChatID, "events": events, "signature": u.Signature}
	return orderedMap(u.KeyOrder, defaultUpdateOrder, func(name string) (any, bool) {
		v, ok := fields[name]
		return v, ok && (name == "events" || v != "")
	})
}

func (e *MembershipEvent) toMap() *transit.Map {
	return orderedMap(e.KeyOrder, defaultEventOrder, func(name string) (any, bool) {
		switch name {
		case "type":
			return e.Type, e.Type != ""
		case "clock-value":
			return e.ClockValue, e.ClockValue != 0
		case "name":
			return e.Name, e.Name != ""
		case "member":
			return e.Member, e.Member != ""
		case "members":
			return transit.Set(stringSlice(e.Members)), len(e.Members) > 0
		}
		return nil, false
	})
}

// orderedMap emits present fields in order, then the rest in defaults order.
func orderedMap(order, defaults []string, get func(string) (any, bool)) *transit.Map {
	m := &transit.Map{Entries: make([]transit.Entry, 0, len(defaults))}
	done := make(map[string]bool, len(defaults))
	for _, list := range [][]string{order, defaults} {
		for _, name := range list {
			if v, ok := get(name); ok && !done[name] {
				m.Entries = append(m.Entries, transit.Entry{Key: transit.Keyword(name), Value: v})
				done[name] = true
			}
		}
	}
	return m
}
