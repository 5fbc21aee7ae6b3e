package message

import (
	"fmt"

	"github.com/statusnode/statusd/protocol/transit"
)

// Builders for the content of every c4 kind a 2019 client sent (§1.4,
// §1.5). Each writes its keys in the order status-react built the content
// map at the commit that pins status-go v0.35.1 (chat/models/input.cljs,
// chat/commands/sending.cljs, transport/message/transit.cljs), so that
// Encode produces that client's bytes. That build also appended what
// shhext_prepareContent returned (parsed-text, line-count,
// should-collapse?, rtl?) to every content map; receivers recompute those
// (status-go v0.35 runs PrepareContent on every message it receives). The
// builders leave them out (they need the markdown parser); SetPrepared
// adds them as that client did.

// StickerFallbackText is the text status-react put in a sticker's content
// for readers that cannot show stickers.
const StickerFallbackText = "Update to latest version to see a nice sticker here!"

// Command names of the two 2019 transaction commands (command-path's first
// element) and the scope both were registered for.
const (
	CommandSend    = "send"
	CommandRequest = "request"
	CommandScope   = "personal-chats"
)

// TextContent is the content of a text/plain or emoji message: chat-id and
// text, in that order (plain-text-message-fx).
func TextContent(chatID, text string) Content {
	return Content{ChatID: chatID, Text: text, KeyOrder: kwKeys("chat-id", "text")}
}

// StickerContent is a sticker's content: chat-id, hash, pack and the
// fallback text, in that order (send-sticker-fx). pack is kept as given
// (status-react sent the pack's numeric id).
func StickerContent(chatID, hash string, pack any) Content {
	return Content{ChatID: chatID, Hash: hash, Pack: pack, Text: StickerFallbackText,
		KeyOrder: kwKeys("chat-id", "hash", "pack", "text")}
}

// SetReply makes c a reply to message id. It writes response-to, the key
// the v0.35.1-era status-react wrote (with a §1.10 message ID: status-go
// v0.35 read only response-to); readers also take response-to-v2, which
// builds of mid-2019 wrote instead.
func (c *Content) SetReply(id string) {
	c.ResponseTo = id
	c.KeyOrder = appendKey(c.KeyOrder, "response-to")
}

// SetName puts the sender's ENS name in c (status-react added it after
// response-to when the user chose to show it).
func (c *Content) SetName(name string) {
	c.Name = name
	c.KeyOrder = appendKey(c.KeyOrder, "name")
}

// CommandParams are the parameters of a 2019 transaction command.
// status-react built them as {asset amount} from the input (request) or
// {address asset amount tx-hash} from the signed transaction (send), then
// added network, coin, fiat-amount and currency; coin and the prices are
// wallet display data every receiver recomputed
// (enhance-receive-parameters), written only when Display is set. Empty
// string fields are left out.
type CommandParams struct {
	Asset   string // token symbol, "ETH", "SNT", …
	Amount  string // decimal amount as typed ("0.1", "1,5")
	Network string // chain name the sender was on ("mainnet", "testnet", …)
	Address string // send: the recipient address the transaction went to
	TxHash  string // send: the transaction hash
	// Display, when set, adds coin, fiat-amount and currency after network,
	// as status-react's sender did (always, coin null for unknown tokens).
	Display *CommandDisplay
}

// CommandDisplay is the wallet display data status-react added to command
// params: the token record (a Transit map, as tokens.cljs held it without
// its icon), the amount in fiat and the fiat currency ("USD").
type CommandDisplay struct {
	Coin       any
	FiatAmount string
	Currency   string
}

// CommandContent is the content and content type of a transaction command
// as status-react wrote it: {chat-id command-path params}, merged for
// ≤ 0.9.25 readers with the legacy keys of the transit writer
// (new->legacy-command-data); a request goes out as "command-request". name
// is CommandSend or CommandRequest.
func CommandContent(chatID, name string, p CommandParams) (Content, ContentType, error) {
	params := &transit.Map{}
	put := func(k, v string) {
		if v != "" {
			params.Entries = append(params.Entries, transit.Entry{Key: transit.Keyword(k), Value: v})
		}
	}
	var ct ContentType
	var legacy []transit.Entry
	switch name {
	case CommandSend:
		put("address", p.Address)
		put("asset", p.Asset)
		put("amount", p.Amount)
		put("tx-hash", p.TxHash)
		ct, legacy = ContentCommand, legacySend()
	case CommandRequest:
		put("asset", p.Asset)
		put("amount", p.Amount)
		ct, legacy = ContentCommandRequest, legacyRequest(p.Asset, p.Amount)
	default:
		return Content{}, "", reject(RuleCommand, "unknown command %.32q", name)
	}
	put("network", p.Network)
	if d := p.Display; d != nil {
		params.Entries = append(params.Entries,
			transit.Entry{Key: transit.Keyword("coin"), Value: d.Coin},
			transit.Entry{Key: transit.Keyword("fiat-amount"), Value: orNil(d.FiatAmount)},
			transit.Entry{Key: transit.Keyword("currency"), Value: orNil(d.Currency)})
	}
	c := Content{ChatID: chatID, CommandPath: CommandPath(name), Params: params, Extra: legacy,
		KeyOrder: kwKeys("chat-id", "command-path", "params")}
	for _, e := range legacy {
		c.KeyOrder = append(c.KeyOrder, e.Key)
	}
	if len(c.KeyOrder) > cljsArrayMapMax {
		c.KeyOrder = cljsHashOrder(c.KeyOrder)
	}
	return c, ct, nil
}

// CommandPath is the command-path of a 2019 command: [name #{:personal-chats}].
func CommandPath(name string) any {
	return []any{name, transit.Set{transit.Keyword(CommandScope)}}
}

// CommandName returns the command-path's name ("send", "request"), or "".
func (c *Content) CommandName() string {
	xs, ok := seq(c.CommandPath)
	if !ok || len(xs) == 0 {
		return ""
	}
	s, _ := xs[0].(string)
	return s
}

func legacyRef(name string) []any {
	return []any{"transactor", transit.Keyword("command"), int64(83), name}
}

func legacySend() []transit.Entry {
	return []transit.Entry{
		{Key: transit.Keyword("command-ref"), Value: legacyRef(CommandSend)},
		{Key: transit.Keyword("command"), Value: CommandSend},
		{Key: transit.Keyword("bot"), Value: "transactor"},
		{Key: transit.Keyword("command-scope-bitmask"), Value: int64(83)},
	}
}

func legacyRequest(asset, amount string) []transit.Entry {
	return []transit.Entry{
		{Key: transit.Keyword("command-ref"), Value: legacyRef(CommandRequest)},
		{Key: transit.Keyword("request-command-ref"), Value: legacyRef(CommandSend)},
		{Key: transit.Keyword("command"), Value: CommandRequest},
		{Key: transit.Keyword("request-command"), Value: CommandSend},
		{Key: transit.Keyword("bot"), Value: "transactor"},
		{Key: transit.Keyword("command-scope-bitmask"), Value: int64(83)},
		{Key: transit.Keyword("prefill"), Value: []any{orNil(asset), orNil(amount)}},
	}
}

func kwKeys(names ...string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = transit.Keyword(n)
	}
	return out
}

func appendKey(order []any, name string) []any {
	for _, k := range order {
		if keywordName(k) == name {
			return order
		}
	}
	return append(order, transit.Keyword(name))
}

// EncodeContent writes a content map alone as Transit-JSON (in KeyOrder,
// as Encode would inside a c4), for storing it. DecodeContent reads it
// back; the pair keeps every key, known or not, and its order.
func EncodeContent(c Content) ([]byte, error) {
	b, err := transit.Encode(c.toMap())
	if err != nil {
		return nil, fmt.Errorf("message: encode content: %w", err)
	}
	return b, nil
}

// ContentMap returns c as the Transit map EncodeContent writes: every key
// in KeyOrder, then the known fields not listed there, then the unknown
// keys. The map shares c's values; the caller must not change them.
func ContentMap(c *Content) *transit.Map { return c.toMap() }

// DecodeContent reads what EncodeContent wrote. Errors are *RuleError.
func DecodeContent(data []byte, ct ContentType) (Content, error) {
	v, err := transit.DecodeLimits(data, transit.Limits{MaxBytes: MaxPayloadBytes, MaxDepth: transit.DefaultMaxDepth})
	if err != nil {
		return Content{}, rejectCause(RuleTransit, err, "content")
	}
	return decodeContent(v, ct)
}

// SetPrepared adds what shhext_prepareContent returned for c, as the
// status-react build pinned to status-go v0.35.1 appended it to the
// content before sending: parsed-text (the markdown AST), line-count,
// should-collapse? and rtl?. A map that grows past eight keys is written
// in ClojureScript hash-map order, as that client's was (cljsorder.go).
func (c *Content) SetPrepared(parsedText any, lineCount int64, collapse, rtl bool) {
	for _, e := range []transit.Entry{
		{Key: transit.Keyword("parsed-text"), Value: parsedText},
		{Key: transit.Keyword("line-count"), Value: lineCount},
		{Key: transit.Keyword("should-collapse?"), Value: collapse},
		{Key: transit.Keyword("rtl?"), Value: rtl},
	} {
		c.Extra = append(c.Extra, e)
		c.KeyOrder = append(c.KeyOrder, e.Key)
	}
	if len(c.KeyOrder) > cljsArrayMapMax {
		c.KeyOrder = cljsHashOrder(c.KeyOrder)
	}
}
