package shhext

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/api/internal/rpctest"
	mailapi "github.com/statusnode/statusd/api/mailserver"
)

// fakeHistory is a MailRequester that is also a HistoryRequester; it
// records the parameters it got.
type fakeHistory struct {
	fakeMail
	mu       sync.Mutex
	initiate []mailapi.InitiateHistoryRequestParams
	syncs    []mailapi.SyncMessagesRequest
}

func (f *fakeHistory) InitiateHistoryRequests(_ context.Context, p mailapi.InitiateHistoryRequestParams) ([]hexutil.Bytes, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.initiate = append(f.initiate, p)
	out := []hexutil.Bytes{}
	for i := range p.Requests {
		if i == 0 {
			out = append(out, common.FromHex("0x6f1c4c4b3e2f0a9d8c7b6a5948372615f4e3d2c1b0a99887766554433221100f"))
		} else {
			out = append(out, common.Hash{31: 0xff}.Bytes())
		}
	}
	return out, nil
}

func (f *fakeHistory) CompleteRequest(_ context.Context, id string) error {
	if len(id) != 66 {
		return rpcError(invalid("id", errors.New("not pending")))
	}
	return nil
}

func (f *fakeHistory) SyncMessages(_ context.Context, r mailapi.SyncMessagesRequest) (mailapi.SyncMessagesResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncs = append(f.syncs, r)
	if r.Limit == 1 {
		return mailapi.SyncMessagesResponse{Cursor: "6553f100" + strings.Repeat("00", 31) + "01"}, nil
	}
	return mailapi.SyncMessagesResponse{}, nil
}

var historySchemas = map[string]string{
	"shhext_initiateHistoryRequests": "initiateHistoryRequests.json",
	"shhext_completeRequest":         "completeRequest.json",
	"shhext_syncMessages":            "syncMessages.json",
}

// TestHistoryTranscript replays testdata/history/history.js: the three
// methods take status-go v0.35.1's parameter shapes (checked on the fake)
// and every result matches its schema.
func TestHistoryTranscript(t *testing.T) {
	f := &fakeHistory{}
	svc := New(newFakeMessenger(), &fakeKeys{}, &fakePoster{})
	svc.SetMailserver(f)
	srv := rpc.NewServer()
	if err := srv.RegisterName("shhext", svc.ShhExt()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	rpctest.Replay(t, srv, "testdata/history/history.js", nil)

	want := mailapi.InitiateHistoryRequestParams{Peer: "enode://x", Timeout: 10 * time.Second, Requests: []mailapi.TopicRequest{
		{Topic: "0xcd423760", Duration: 24 * time.Hour}, {Topic: "0x5c6c9b56", Duration: time.Hour}}}
	if !reflect.DeepEqual(f.initiate[0], want) {
		t.Errorf("initiate params %+v", f.initiate[0])
	}
	wantSync := mailapi.SyncMessagesRequest{MailServerPeer: "enode://x", From: 1700000000, To: 1700086400, Limit: 1000,
		FollowCursor: true, Topics: []string{"0xcd423760"}}
	if !reflect.DeepEqual(f.syncs[0], wantSync) {
		t.Errorf("sync params %+v", f.syncs[0])
	}
	checkTranscriptSchemas(t, "testdata/history/history.js", historySchemas)
}

// checkTranscriptSchemas checks each successful answer in the transcript
// of a method in schemas against its schema, and that each answered.
func checkTranscriptSchemas(t *testing.T, path string, schemas map[string]string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]string{}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		var msg struct {
			ID     json.RawMessage
			Method string
			Result json.RawMessage
		}
		if len(line) < 4 || json.Unmarshal([]byte(line[4:]), &msg) != nil {
			continue
		}
		switch id := string(msg.ID); {
		case strings.HasPrefix(line, "--> "):
			methods[id] = msg.Method
		case strings.HasPrefix(line, "<-- "):
			name := schemas[methods[id]]
			if msg.Result == nil || name == "" {
				continue
			}
			seen[methods[id]] = true
			if errs := loadSchema(t, name).Validate(msg.Result); len(errs) > 0 {
				t.Errorf("%s (%s): %s", methods[id], name, strings.Join(errs, "; "))
			}
		}
	}
	for m := range schemas {
		if !seen[m] {
			t.Errorf("no answer of %s in %s", m, path)
		}
	}
}

// TestHistoryWithoutRequester: a MailRequester without the history
// methods makes them -32000, like no mailserver client at all.
func TestHistoryWithoutRequester(t *testing.T) {
	for _, mail := range []MailRequester{fakeMail{}, nil} {
		svc := New(newFakeMessenger(), &fakeKeys{}, &fakePoster{})
		svc.SetMailserver(mail)
		a := svc.ShhExt()
		var rerr rpc.Error
		if _, err := a.InitiateHistoryRequests(context.Background(), mailapi.InitiateHistoryRequestParams{}); !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 {
			t.Errorf("initiate: %v", err)
		}
		if err := a.CompleteRequest(context.Background(), "0x01"); !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 {
			t.Errorf("complete: %v", err)
		}
		if _, err := a.SyncMessages(context.Background(), mailapi.SyncMessagesRequest{}); !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 {
			t.Errorf("sync: %v", err)
		}
	}
}
