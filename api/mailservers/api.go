package mailservers

import (
	"context"

	store "github.com/statusnode/statusd/storage/mailservers"
)

// AddMailserver is mailservers_addMailserver(mailserver): store a
// mailserver, replacing the one with the same id. Answers null.
//
// Example: Remember a mailserver of the eth.beta fleet
//
//	params: [{"id":"mail-01","name":"my mailserver","address":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30504","password":"status-offline-inbox","fleet":"eth.beta"}]
//	result: null
func (a *API) AddMailserver(ctx context.Context, m Mailserver) error {
	return fail("mailserver", a.s.st.AddMailserver(store.Mailserver(m)))
}

// GetMailservers is mailservers_getMailservers(): every stored mailserver,
// by id; null when there is none (as status-go).
//
// Example: The mailservers stored
//
//	params: []
//	result: [{"id":"mail-01","name":"my mailserver","address":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30504","password":"status-offline-inbox","fleet":"eth.beta"}]
func (a *API) GetMailservers(ctx context.Context) ([]Mailserver, error) {
	ms, err := a.s.st.Mailservers()
	if err != nil {
		return nil, rpcError(err)
	}
	return convert(ms, func(m store.Mailserver) Mailserver { return Mailserver(m) }), nil
}

// DeleteMailserver is mailservers_deleteMailserver(id): forget the
// mailserver id. Deleting an unknown id is not an error. Answers null.
func (a *API) DeleteMailserver(ctx context.Context, id string) error {
	return rpcError(a.s.st.DeleteMailserver(id))
}

// AddMailserverRequestGaps is mailservers_addMailserverRequestGaps(gaps):
// store every gap at once, each replacing the gap with the same id. Answers
// null.
//
// Example: Record a gap in the history of #status
//
//	params: [[{"id":"gap-1","chatId":"status","from":1567693421,"to":1567693576}]]
//	result: null
func (a *API) AddMailserverRequestGaps(ctx context.Context, gaps []MailserverRequestGap) error {
	return fail("gaps", a.s.st.AddGaps(convert(gaps, func(g MailserverRequestGap) store.Gap { return store.Gap(g) })))
}

// GetMailserverRequestGaps is mailservers_getMailserverRequestGaps(chatId):
// the gaps of one chat, by id; null when there is none.
//
// Example: The gaps of #status
//
//	params: ["status"]
//	result: [{"id":"gap-1","chatId":"status","from":1567693421,"to":1567693576}]
func (a *API) GetMailserverRequestGaps(ctx context.Context, chatID string) ([]MailserverRequestGap, error) {
	gs, err := a.s.st.Gaps(chatID)
	if err != nil {
		return nil, rpcError(err)
	}
	return convert(gs, func(g store.Gap) MailserverRequestGap { return MailserverRequestGap(g) }), nil
}

// DeleteMailserverRequestGaps is mailservers_deleteMailserverRequestGaps(ids):
// remove the gaps with these ids; unknown ids are skipped. Answers null.
func (a *API) DeleteMailserverRequestGaps(ctx context.Context, ids []string) error {
	return rpcError(a.s.st.DeleteGaps(ids))
}

// DeleteMailserverRequestGapsByChatID is
// mailservers_deleteMailserverRequestGapsByChatID(chatId): remove every gap
// of one chat. Answers null.
func (a *API) DeleteMailserverRequestGapsByChatID(ctx context.Context, chatID string) error {
	return rpcError(a.s.st.DeleteChatGaps(chatID))
}

// AddMailserverTopic is mailservers_addMailserverTopic(topic): store the
// request bookkeeping of a topic, replacing the record of the same topic.
// Members other than "topic", "chat-ids" and "last-request" (status-react
// sends more) are ignored. Answers null.
//
// Example: Record that #status's topic was requested up to a time
//
//	params: [{"topic":"0xf8946aac","chat-ids":["status"],"last-request":1567693576}]
//	result: null
func (a *API) AddMailserverTopic(ctx context.Context, topic MailserverTopic) error {
	return fail("topic", a.s.st.AddTopic(store.Topic{Topic: topic.Topic, ChatIDs: topic.ChatIDs, LastRequest: int64(topic.LastRequest)}))
}

// GetMailserverTopics is mailservers_getMailserverTopics(): every stored
// topic record, by topic; null when there is none.
//
// Example: The topic records
//
//	params: []
//	result: [{"topic":"0xf8946aac","chat-ids":["status"],"last-request":1567693576}]
func (a *API) GetMailserverTopics(ctx context.Context) ([]MailserverTopic, error) {
	ts, err := a.s.st.Topics()
	if err != nil {
		return nil, rpcError(err)
	}
	return convert(ts, func(t store.Topic) MailserverTopic {
		return MailserverTopic{Topic: t.Topic, ChatIDs: t.ChatIDs, LastRequest: int(t.LastRequest)}
	}), nil
}

// DeleteMailserverTopic is mailservers_deleteMailserverTopic(topic): remove
// the record of a topic. Answers null.
func (a *API) DeleteMailserverTopic(ctx context.Context, topic string) error {
	return rpcError(a.s.st.DeleteTopic(topic))
}

// AddChatRequestRange is mailservers_addChatRequestRange(range): store the
// span of a chat's history already requested, replacing the chat's
// previous one. Answers null.
//
// Example: Record what of #status was requested
//
//	params: [{"chat-id":"status","lowest-request-from":1567693421,"highest-request-to":1567693576}]
//	result: null
func (a *API) AddChatRequestRange(ctx context.Context, chatRange ChatRequestRange) error {
	return fail("range", a.s.st.AddRange(store.Range{ChatID: chatRange.ChatID, LowestRequestFrom: int64(chatRange.LowestRequestFrom), HighestRequestTo: int64(chatRange.HighestRequestTo)}))
}

// GetChatRequestRanges is mailservers_getChatRequestRanges(): every stored
// chat request range, by chat id; null when there is none.
//
// Example: The chat request ranges
//
//	params: []
//	result: [{"chat-id":"status","lowest-request-from":1567693421,"highest-request-to":1567693576}]
func (a *API) GetChatRequestRanges(ctx context.Context) ([]ChatRequestRange, error) {
	rs, err := a.s.st.Ranges()
	if err != nil {
		return nil, rpcError(err)
	}
	return convert(rs, func(r store.Range) ChatRequestRange {
		return ChatRequestRange{ChatID: r.ChatID, LowestRequestFrom: int(r.LowestRequestFrom), HighestRequestTo: int(r.HighestRequestTo)}
	}), nil
}

// DeleteChatRequestRange is mailservers_deleteChatRequestRange(chatId):
// remove a chat's request range. Answers null.
func (a *API) DeleteChatRequestRange(ctx context.Context, chatID string) error {
	return rpcError(a.s.st.DeleteRange(chatID))
}

// convert maps a list, keeping nil as nil (null in JSON).
func convert[F, T any](in []F, fn func(F) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = fn(v)
	}
	return out
}
