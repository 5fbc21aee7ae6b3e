// Package memsizeui is a no-op stand-in for github.com/fjl/memsize/memsizeui:
// the API go-ethereum v1.9.20's internal/debug uses (Handler, Add,
// ServeHTTP), with no heap scanning. See the parent package's comment.
package memsizeui

import "net/http"

// Handler is the memsize web UI; this one only answers 404.
type Handler struct{}

// Add registers a root to scan; the stub ignores it.
func (h *Handler) Add(name string, v interface{}) {}

// ServeHTTP answers every request with 404 Not Found.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "memsize is stubbed out in the interop harness", http.StatusNotFound)
}
