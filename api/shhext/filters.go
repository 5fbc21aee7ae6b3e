package shhext

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// Filter is the filter description of shhext_loadFilters, loadFilter and
// removeFilters (status-go's Chat filter, §7.1). For a public chat pass
// {chatId: "<name>"}; for a 1:1 chat {chatId, oneToOne: true, identity:
// "<hex pub without 0x>"}. Results fill symKeyId, topic, filterId and
// listen.
type Filter struct {
	ChatID     string `json:"chatId"`
	SymKeyID   string `json:"symKeyId"`
	OneToOne   bool   `json:"oneToOne"`
	Listen     bool   `json:"listen"`
	FilterID   string `json:"filterId"`
	Identity   string `json:"identity"`
	Topic      string `json:"topic"` // 0x + 4 bytes
	Discovery  bool   `json:"discovery"`
	Negotiated bool   `json:"negotiated"`
}

// symKeys remembers the router key ID of each PBKDF2 key name, so that
// loading a filter twice does not add the key twice.
type symKeys struct {
	mu  sync.Mutex
	ids map[string]string
}

func (c *core) symKeyID(name string) (string, error) {
	c.syms.mu.Lock()
	defer c.syms.mu.Unlock()
	if id, ok := c.syms.ids[name]; ok && c.keys.HasSymKey(id) {
		return id, nil
	}
	id, err := c.keys.AddSymKeyFromPassword(name)
	if err != nil {
		return "", err
	}
	if c.syms.ids == nil {
		c.syms.ids = make(map[string]string)
	}
	c.syms.ids[name] = id
	return id, nil
}

// LoadFilters is shhext_loadFilters. Smaller than status-go: the messenger
// owns its Whisper filters and delivers messages itself (chatMessages and
// statusd_subscribe), so "loading" a filter means joining the public chat
// or opening the 1:1 chat. The result lists the given chats followed by
// the filters the messenger always has (our contact code, our partitioned
// topic, the discovery topic), with topic and — for symmetric ones — a
// symKeyId in the router's key store (usable with shh_ methods). filterId
// is the chat ID, not a shh_ filter ID.
func (a *ShhExtAPI) LoadFilters(chats []Filter) ([]Filter, error) {
	out := make([]Filter, 0, len(chats)+3)
	for i, f := range chats {
		loaded, err := a.load(f)
		if err != nil {
			return nil, rpcError(invalid(fmt.Sprintf("chats[%d]", i), err))
		}
		out = append(out, loaded)
	}
	own, err := a.ownFilters()
	if err != nil {
		return nil, rpcError(err)
	}
	return append(out, own...), nil
}

// LoadFilter is shhext_loadFilter: LoadFilters for one chat, without the
// default filters.
func (a *ShhExtAPI) LoadFilter(chat Filter) (Filter, error) {
	f, err := a.load(chat)
	if err != nil {
		return Filter{}, rpcError(invalid("chat", err))
	}
	return f, nil
}

// RemoveFilters is shhext_removeFilters: it leaves each given public chat
// (its messages stay until deleteChat). For 1:1 chats it does nothing: the
// messenger keeps listening to its contacts, as status-go kept the
// partitioned filter.
func (a *ShhExtAPI) RemoveFilters(chats []Filter) error {
	for i, f := range chats {
		if f.OneToOne {
			continue
		}
		if err := a.c.m.LeavePublic(f.ChatID); err != nil {
			return fail(fmt.Sprintf("chats[%d].chatId", i), err)
		}
	}
	return nil
}

func (a *ShhExtAPI) load(f Filter) (Filter, error) {
	if f.OneToOne {
		pub, err := parsePubHex(f.Identity)
		if err != nil {
			return f, fmt.Errorf("identity: %w", err)
		}
		c, err := a.c.m.StartOneToOne(message.PubKeyHex(pub))
		if err != nil {
			return f, err
		}
		if f.ChatID == "" {
			f.ChatID = c.ID
		}
		f.Identity = strings.TrimPrefix(c.ID, "0x")
		f.Topic = topicHex(wproto.TopicFromName(encryption.PartitionedTopicName(pub)))
		f.FilterID, f.Listen = c.ID, true
		return f, nil
	}
	if _, err := a.c.m.JoinPublic(f.ChatID); err != nil {
		return f, err
	}
	id, err := a.c.symKeyID(f.ChatID)
	if err != nil {
		return f, err
	}
	f.SymKeyID, f.Topic, f.FilterID, f.Listen = id, topicHex(wproto.TopicFromName(f.ChatID)), f.ChatID, true
	return f, nil
}

// ownFilters describes the topics the messenger always listens on (§4.3).
func (a *ShhExtAPI) ownFilters() ([]Filter, error) {
	self, err := parsePubHex(a.c.m.ChatKey())
	if err != nil {
		return nil, err
	}
	code := encryption.ContactCodeTopicName(self)
	id, err := a.c.symKeyID(code)
	if err != nil {
		return nil, err
	}
	part := encryption.PartitionedTopicName(self)
	return []Filter{
		{ChatID: code, SymKeyID: id, Topic: topicHex(wproto.TopicFromName(code)), FilterID: code, Listen: true},
		{ChatID: part, Topic: topicHex(wproto.TopicFromName(part)), FilterID: part, Listen: true, Discovery: true,
			Identity: strings.TrimPrefix(a.c.m.ChatKey(), "0x")},
		{ChatID: encryption.DiscoveryTopicName, Topic: topicHex(encryption.DiscoveryTopic()),
			FilterID: encryption.DiscoveryTopicName, Listen: true, Discovery: true},
	}, nil
}

func topicHex(t [4]byte) string { return hexutil.Encode(t[:]) }
