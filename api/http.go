package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"
)

// httpRPC serves JSON-RPC over HTTP from an rpc.Server: it enforces the body
// limit (413), then counts every call of the request and its answer. It runs
// behind the guard's vhost, CORS and token checks.
type httpRPC struct {
	rpc   *rpc.Server
	limit int64
	m     *rpcMetrics
	log   *zap.Logger
	// formAsJSON reads bodies sent with no Content-Type or as an HTML form
	// (what `curl -d` sends) as JSON. It is safe only behind the bearer
	// token: browsers may send such "simple" requests cross-site without a
	// CORS preflight, but never with an Authorization header. Without a
	// token go-ethereum's 415 answer stands.
	formAsJSON bool
}

func (h *httpRPC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > h.limit {
		h.tooLarge(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.tooLarge(w, r)
			return
		}
		h.m.refused(statusRejected)
		h.log.Debug("request body read failed", zap.String("remote", r.RemoteAddr), zap.Error(err))
		writeHTTPError(w, http.StatusBadRequest, CodeInvalidRequest, "cannot read request body")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if h.formAsJSON && r.Method == http.MethodPost {
		if ct := r.Header.Get("Content-Type"); ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			r.Header.Set("Content-Type", "application/json")
		}
	}

	calls := newCallTracker(h.m)
	calls.requests(body)
	rec := &recorder{ResponseWriter: w, calls: calls}
	h.rpc.ServeHTTP(rec, r)
	if rec.status >= http.StatusBadRequest && !calls.countedAny() {
		h.m.refused(statusRejected) // e.g. 415 for a wrong Content-Type
	}
}

func (h *httpRPC) tooLarge(w http.ResponseWriter, r *http.Request) {
	h.m.refused(statusTooLarge)
	h.log.Debug("request refused", zap.String("reason", "body too large"), zap.String("remote", r.RemoteAddr))
	msg := fmt.Sprintf("%s: the body limit is %d bytes", ErrBodyTooLarge, h.limit)
	writeHTTPError(w, http.StatusRequestEntityTooLarge, CodeInvalidRequest, msg)
}

// recorder passes a response through and counts the answers in it before
// the client can see them. go-ethereum writes each answer (one message or a
// whole batch) in a single Write.
type recorder struct {
	http.ResponseWriter
	calls  *callTracker
	status int
}

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status == http.StatusOK {
		rec.calls.responses(p)
	}
	return rec.ResponseWriter.Write(p)
}

// Flush lets go-ethereum flush error answers early, as it does unwrapped.
func (rec *recorder) Flush() {
	if f, ok := rec.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// writeHTTPError answers with an HTTP status and a JSON-RPC error body
// ("id": null, since the request was not read as JSON-RPC).
func writeHTTPError(w http.ResponseWriter, status, code int, msg string) {
	quoted, _ := json.Marshal(msg) // a string always marshals
	body := fmt.Appendf(nil, `{"jsonrpc":"2.0","id":null,"error":{"code":%d,"message":%s}}`+"\n", code, quoted)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client may be gone; nothing to do about it
}

// isWebsocket reports whether r asks for a WebSocket upgrade.
func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade")
}

// newHTTPServer returns an http.Server with statusd's timeouts. The WS
// handler hijacks its connections, so these timeouts do not apply to open
// WebSocket sessions.
func newHTTPServer(h http.Handler, log *zap.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          zap.NewStdLog(log.Named("http")),
	}
}
