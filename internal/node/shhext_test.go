package node

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/protocol/message"
)

// wantInvalid checks that method fails with -32602 naming field.
func wantInvalid(t *testing.T, c *rpc.Client, field, method string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.CallContext(ctx, nil, method, args...)
	var rerr rpc.Error
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32602 || !strings.Contains(err.Error(), field) {
		t.Fatalf("%s: %v, want -32602 naming %q", method, err, field)
	}
}

// TestShhextSurface: one node; the status-go shaped methods answer in
// their shapes, and bad input is -32602 naming the field.
func TestShhextSurface(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, ignoreLevelDBDrain) })
	n := startNode(t, testConfig(t))
	c := dialWS(t, n)
	var self string
	call(t, c, &self, "statusd_chatKey")

	var filters []struct {
		ChatID, SymKeyID, Topic, FilterID string
		Listen, OneToOne                  bool
	}
	peer, _ := crypto.GenerateKey()
	peerHex := message.PubKeyHex(&peer.PublicKey)
	call(t, c, &filters, "shhext_loadFilters", []map[string]any{
		{"chatId": "status"}, {"chatId": peerHex, "oneToOne": true, "identity": strings.TrimPrefix(peerHex, "0x")}})
	if len(filters) != 5 || filters[0].Topic != "0xcd423760" || filters[0].SymKeyID == "" || !filters[1].OneToOne ||
		!strings.HasSuffix(filters[2].ChatID, "-contact-code") || filters[4].Topic != "0xf8946aac" {
		t.Fatalf("loadFilters: %+v", filters)
	}
	var ok bool
	call(t, c, &ok, "shh_hasSymKey", filters[0].SymKeyID)
	if !ok {
		t.Fatal("loadFilters' symKeyId is not in the router's key store")
	}
	var chats []struct {
		ID       string
		ChatType int `json:"chatType"`
		Active   bool
	}
	call(t, c, nil, "shhext_removeFilters", []map[string]any{{"chatId": "status"}})
	call(t, c, &chats, "shhext_chats")
	if len(chats) != 2 {
		t.Fatalf("chats: %+v", chats)
	}
	for _, ch := range chats {
		if (ch.ID == "status") != (ch.ChatType == 2) || (ch.ID == "status" && ch.Active) {
			t.Fatalf("chat %+v", ch)
		}
	}
	call(t, c, nil, "shhext_saveChat", map[string]any{"id": "status", "chatType": 2, "active": true})
	var id string
	call(t, c, &id, "statusd_sendText", "status", "one")
	call(t, c, nil, "shhext_markMessagesSeen", []string{id})
	call(t, c, nil, "shhext_confirmMessagesProcessedByID", []map[string]any{{"messageId": id}})
	call(t, c, nil, "shhext_deleteMessagesByChatID", "status")
	var page struct{ Messages []any }
	call(t, c, &page, "shhext_chatMessages", "status", "", 0)
	if len(page.Messages) != 0 {
		t.Fatalf("messages after deleteMessagesByChatID: %+v", page)
	}

	call(t, c, nil, "shhext_saveContact", map[string]any{"id": peerHex, "name": "peer", "systemTags": []string{":contact/added"}})
	var contacts []struct {
		ID, Name   string
		SystemTags []string `json:"systemTags"`
	}
	call(t, c, &contacts, "shhext_contacts")
	if len(contacts) != 1 || contacts[0].Name != "peer" || contacts[0].SystemTags[0] != ":contact/added" {
		t.Fatalf("contacts: %+v", contacts)
	}
	var insts []struct {
		Identity, ID string
		Enabled      bool
	}
	call(t, c, nil, "shhext_setInstallationMetadata", n.Messenger().InstallationID(), map[string]any{"name": "laptop", "deviceType": "desktop"})
	call(t, c, &insts, "shhext_getOurInstallations")
	if len(insts) != 1 || insts[0].Identity != self || !insts[0].Enabled {
		t.Fatalf("installations: %+v", insts)
	}

	// a frontend-built sticker goes out as given (its clock kept); a clock
	// beyond the drift bound is refused naming the rule
	now := time.Now().UnixMilli()
	sticker := `["~#c4",[["^ ","~:chat-id","status","~:hash","e30101701220aa","~:pack",1,"~:text","s"],"sticker",` +
		`"~:public-group-user-message",` + strconv.FormatInt(now*100+7, 10) + `,` + strconv.FormatInt(now, 10) + `]]`
	call(t, c, &id, "shhext_sendPublicMessage", map[string]any{"chat": "status", "payload": "0x" + hexString([]byte(sticker))})
	var sent struct {
		Clock   int64
		Sticker struct{ Hash string }
	}
	call(t, c, &sent, "statusd_message", id)
	if sent.Clock != now*100+7 || sent.Sticker.Hash != "e30101701220aa" {
		t.Fatalf("sticker stored as %+v", sent)
	}
	future := strings.Replace(sticker, strconv.FormatInt(now*100+7, 10), strconv.FormatInt((now+40*24*3600*1000)*100, 10), 1)
	wantInvalid(t, c, "rule clock-drift", "shhext_sendPublicMessage", map[string]any{"chat": "status", "payload": "0x" + hexString([]byte(future))})

	wantInvalid(t, c, "chatId", "statusd_sendText", "no-such-chat", "x")
	wantInvalid(t, c, "text", "statusd_sendText", "status", "  ")
	wantInvalid(t, c, "name", "statusd_joinPublicChat", "Not A Name")
	wantInvalid(t, c, "chatKey", "statusd_startOneToOne", "0x1234")
	wantInvalid(t, c, "messageId", "statusd_deliveryState", "0xdead")
	wantInvalid(t, c, "cursor", "statusd_messages", "status", "zz", 1)
	wantInvalid(t, c, "payload", "shhext_sendPublicMessage", map[string]any{"chat": "status", "payload": "0x00"})
	wantInvalid(t, c, "pubKey", "shhext_sendDirectMessage", map[string]any{"pubKey": "0x04", "payload": "0x" + hexString([]byte(`["~#c4",["x","text/plain","~:user-message",1,1,["^ ","~:chat-id","x","~:text","x"]]]`))})
	wantInvalid(t, c, "chatType", "shhext_saveChat", map[string]any{"id": "x", "chatType": 9})
	wantInvalid(t, c, "installationID", "shhext_enableInstallation", "no-such-installation")
	ch := make(chan any)
	if _, err := c.Subscribe(context.Background(), "statusd", ch, "events", map[string]any{"types": []string{"bogus"}}); err == nil || !strings.Contains(err.Error(), "types[0]") {
		t.Fatalf("subscribe with unknown type: %v", err)
	}
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
}
