package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/statusnode/statusd/lib/metrics"
)

// Status label values of rpc_requests_total.
const (
	statusOK           = "ok"           // answered with a result
	statusError        = "error"        // answered with a JSON-RPC error
	statusUnauthorized = "unauthorized" // refused: missing or wrong token (HTTP 401)
	statusForbidden    = "forbidden"    // refused: Host not allowed (HTTP 403)
	statusTooLarge     = "too_large"    // refused: body or message over the limit
	statusRejected     = "rejected"     // refused by the HTTP layer for another reason
)

// Method label values for requests that have no usable method name. Real
// method names are used only for calls the server knows, so a client cannot
// grow the label set by inventing names.
const (
	methodNone         = "(none)"         // refused before parsing, or unparsable
	methodUnknown      = "(unknown)"      // answered with "method not found"
	methodNotification = "(notification)" // a call without id gets no answer
)

// maxPending bounds the calls one connection may have unanswered before the
// tracker stops remembering their names (their answers count as methodNone).
const maxPending = 4 * batchItemLimit

// rpcMetrics holds the server's metric families.
type rpcMetrics struct {
	requests *metrics.CounterVec
}

// newRPCMetrics registers the server's metrics in reg. reg must not already
// hold them (metrics.Registry panics on duplicates): one Server per registry.
func newRPCMetrics(reg *metrics.Registry) *rpcMetrics {
	return &rpcMetrics{
		requests: reg.Counter("rpc_requests_total",
			"JSON-RPC requests by method and status (ok, error, unauthorized, forbidden, too_large, rejected).",
			"method", "status"),
	}
}

// refused counts a request refused before it reached the RPC server.
// A nil *rpcMetrics counts nothing (the metrics listener's guard).
func (m *rpcMetrics) refused(status string) {
	if m != nil {
		m.requests.Inc(methodNone, status)
	}
}

// callTracker pairs the requests read from one connection (or one HTTP
// request) with the answers written to it, and counts each answered call by
// method and status. It is safe for concurrent use: go-ethereum reads and
// writes a connection on different goroutines.
type callTracker struct {
	m *rpcMetrics

	mu       sync.Mutex
	pending  map[string][]string // raw JSON id -> method names awaiting an answer, oldest first
	npending int
	counted  int
}

func newCallTracker(m *rpcMetrics) *callTracker {
	return &callTracker{m: m, pending: make(map[string][]string)}
}

// wireMsg is the part of a JSON-RPC message the tracker looks at.
type wireMsg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Error  *struct {
		Code int `json:"code"`
	} `json:"error"`
}

// decodeWire parses one message or a batch. It returns nil for input that is
// not JSON-RPC; go-ethereum answers that itself.
func decodeWire(raw []byte) []wireMsg {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var batch []wireMsg
		if json.Unmarshal(raw, &batch) != nil {
			return nil
		}
		return batch
	}
	var msg wireMsg
	if json.Unmarshal(raw, &msg) != nil {
		return nil
	}
	return []wireMsg{msg}
}

// hasID reports whether a message carries an id (null counts as none).
func (w *wireMsg) hasID() bool {
	return len(w.ID) > 0 && !bytes.Equal(w.ID, []byte("null"))
}

// requests records the calls in raw, one message or a batch read from the
// client. Notifications are counted at once: they get no answer.
func (t *callTracker) requests(raw []byte) {
	msgs := decodeWire(raw)
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range msgs {
		msg := &msgs[i]
		switch {
		case msg.Method == "":
			// Not a call; the server answers it with an error counted then.
		case !msg.hasID():
			t.countLocked(methodNotification, statusOK)
		case t.npending < maxPending:
			key := string(msg.ID)
			t.pending[key] = append(t.pending[key], msg.Method)
			t.npending++
		}
	}
}

// notificationPrefix opens every subscription notification go-ethereum's
// rpc package writes (its message struct encodes jsonrpc, then method, and
// a notification has no id).
var notificationPrefix = []byte(`{"jsonrpc":"2.0","method":`)

// responses counts the answers in raw, one message or a batch written to the
// client. Server-sent notifications (subscriptions) are not answers; they
// are recognised by their first bytes and never decoded, since a busy
// subscription writes one per event.
func (t *callTracker) responses(raw []byte) {
	if bytes.HasPrefix(raw, notificationPrefix) {
		return
	}
	if id, isErr, code, ok := answerHead(raw); ok {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.countAnswerLocked(id, isErr, code)
		return
	}
	msgs := decodeWire(raw)
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range msgs {
		msg := &msgs[i]
		if msg.Method != "" {
			continue
		}
		code := 0
		if msg.Error != nil {
			code = msg.Error.Code
		}
		t.countAnswerLocked(msg.ID, msg.Error != nil, code)
	}
}

// countAnswerLocked counts the answer to the call with this raw id: an
// error answer when isErr, with its code.
func (t *callTracker) countAnswerLocked(id []byte, isErr bool, code int) {
	method := t.popLocked(string(id))
	status := statusOK
	if isErr {
		status = statusError
		if code == CodeMethodNotFound {
			method = methodUnknown
		}
	}
	t.countLocked(method, status)
}

// answerPrefix opens every single answer go-ethereum's rpc package writes:
// its message struct encodes jsonrpc, then id, then (answers have no
// method or params) error or result, and an error's code comes first.
var answerPrefix = []byte(`{"jsonrpc":"2.0","id":`)

// answerHead reads the head of one answer in the layout go-ethereum writes
// (answerPrefix, then "result" or "error":{"code":N,…): the raw id, whether
// it is an error and the error's code, exactly what a full decode of a
// well-formed answer gives, without reading (or checking) the rest, which
// may be large. ok is false for anything else (a batch, another field
// order, a malformed head); the caller then decodes the whole message.
func answerHead(raw []byte) (id []byte, isErr bool, code int, ok bool) {
	rest, found := bytes.CutPrefix(raw, answerPrefix)
	if !found {
		return nil, false, 0, false
	}
	n := scalarLen(rest)
	if n == 0 {
		return nil, false, 0, false
	}
	id, rest = rest[:n], rest[n:]
	if rest, found = bytes.CutPrefix(rest, []byte(`,"result":`)); found {
		return id, false, 0, len(rest) > 0
	}
	if rest, found = bytes.CutPrefix(rest, []byte(`,"error":{"code":`)); !found {
		return nil, false, 0, false
	}
	i := 0
	if i < len(rest) && rest[i] == '-' {
		i++
	}
	start := i
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' && i-start < 10 {
		i++
	}
	if i == start || i >= len(rest) || (rest[i] != ',' && rest[i] != '}') {
		return nil, false, 0, false
	}
	c, err := strconv.Atoi(string(rest[:i]))
	if err != nil {
		return nil, false, 0, false
	}
	return id, true, c, true
}

// scalarLen is the length of the JSON id at the start of b: a string, a
// number or null, as go-ethereum echoes ids (it answers no object or
// array id). It returns 0 when b starts with anything else.
func scalarLen(b []byte) int {
	switch {
	case len(b) == 0:
		return 0
	case b[0] == '"':
		for i := 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return 0
	case bytes.HasPrefix(b, []byte("null")):
		return 4
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		i := 1
		for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == '.' || b[i] == 'e' || b[i] == 'E' || b[i] == '+' || b[i] == '-') {
			i++
		}
		return i
	}
	return 0
}

// popLocked returns the oldest method awaiting an answer with this id.
func (t *callTracker) popLocked(id string) string {
	names := t.pending[id]
	if len(names) == 0 {
		return methodNone
	}
	if len(names) == 1 {
		delete(t.pending, id)
	} else {
		t.pending[id] = names[1:]
	}
	t.npending--
	return names[0]
}

func (t *callTracker) countLocked(method, status string) {
	t.m.requests.Inc(method, status)
	t.counted++
}

// countedAny reports whether anything was counted yet.
func (t *callTracker) countedAny() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counted > 0
}
