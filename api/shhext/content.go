package shhext

import (
	"encoding/json"
	"errors"

	"github.com/statusnode/statusd/api"
	"github.com/statusnode/statusd/protocol/markdown"
)

// Content is the content of a chat message as status-go v0.35's
// shhext_prepareContent took and returned it (its protocol/v1.Content):
// the frontend's message content before sending, with the text's parsed
// form added.
type Content struct {
	// ChatID is kept as given (status-react sent "chat-id", which this
	// member does not read, so it usually comes back empty, as in
	// status-go).
	ChatID string `json:"chat_id"`
	// Text is the message text, markdown.
	Text string `json:"text"`
	// ResponseTo is the ID of the message replied to, kept as given.
	ResponseTo string `json:"response-to"`
	// Name is the sender's ENS name, kept as given.
	Name string `json:"name"`
	// ParsedText is the markdown syntax tree of Text: an array of nodes,
	// each {"type", "literal", "children", …} as status-go encoded it.
	// Ignored on input.
	ParsedText json.RawMessage `json:"parsedText"`
	// LineCount is the number of "\n" in Text.
	LineCount int `json:"lineCount"`
	// RTL is whether Text starts with a Hebrew or Arabic letter or the
	// right-to-left mark.
	RTL bool `json:"rtl"`
}

// PrepareContent is shhext_prepareContent(content): the content with
// parsedText, lineCount and rtl computed from its text, the other members
// as given (members status-go's Content did not have are dropped). The
// same as status-go v0.35.1, whose markdown parser it uses
// (protocol/markdown); it needs neither the messenger nor the network.
// A text over 64 KiB is refused with -32602.
//
// Example: Prepare a message with bold text and a #status tag
//
//	params: [{"text":"**hi** #status"}]
//	result: {"chat_id":"","text":"**hi** #status","response-to":"","name":"","parsedText":[{"type":"paragraph","children":[{"type":"strong","literal":"hi"},{"literal":" "},{"type":"status-tag","literal":"status"}]}],"lineCount":0,"rtl":false}
func (a *ShhExtAPI) PrepareContent(content Content) (Content, error) {
	tree, err := markdown.Parse(content.Text)
	if errors.Is(err, markdown.ErrTooLong) {
		return Content{}, rpcError(invalid("text", err))
	}
	if err != nil {
		return Content{}, api.RPCError(err)
	}
	content.ParsedText = tree
	content.LineCount = markdown.LineCount(content.Text)
	content.RTL = markdown.IsRTL(content.Text)
	return content, nil
}
