package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"go.uber.org/zap"
)

// guard holds the checks that run before a request reaches the RPC server:
// bearer token, Host allow-list (vhosts) and browser origins (CORS, WS Origin).
// It is immutable after newGuard, so its methods are safe for concurrent use.
type guard struct {
	noAuth    bool
	tokenHash [sha256.Size]byte // the token itself is not kept

	vhostAny bool
	vhosts   map[string]bool

	corsEnabled bool // false when no origins are configured: no CORS headers at all
	originAny   bool
	origins     []string // lower-case rules, see originAllowed
	wsOrigins   []string // origins for the WS handshake, geth's localhost default when none are configured

	log *zap.Logger
	m   *rpcMetrics
}

func newGuard(cfg *Config, log *zap.Logger, m *rpcMetrics) *guard {
	g := &guard{noAuth: cfg.NoAuth, vhosts: make(map[string]bool), log: log, m: m}
	if !cfg.NoAuth {
		g.tokenHash = sha256.Sum256([]byte(cfg.Token))
	}
	for _, h := range cfg.VHosts {
		if h == "*" {
			g.vhostAny = true
		}
		g.vhosts[strings.ToLower(h)] = true
	}
	for _, o := range cfg.CORSDomains {
		switch o {
		case "":
		case "*":
			g.originAny = true
		default:
			g.origins = append(g.origins, strings.ToLower(o))
		}
	}
	g.corsEnabled = g.originAny || len(g.origins) > 0
	g.wsOrigins = g.origins
	if !g.corsEnabled {
		// geth's WS default: same-machine browser pages only.
		g.wsOrigins = []string{"http://localhost"}
		if host, err := os.Hostname(); err == nil {
			g.wsOrigins = append(g.wsOrigins, "http://"+strings.ToLower(host))
		}
	}
	return g
}

// authorized reports whether r carries the right bearer token. The token is
// compared as SHA-256 digests in constant time, so neither its bytes nor its
// length leak through timing.
func (g *guard) authorized(r *http.Request) bool {
	if g.noAuth {
		return true
	}
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(h[len(prefix):])))
	return subtle.ConstantTimeCompare(got[:], g.tokenHash[:]) == 1
}

// requireToken answers 401 with a JSON-RPC error body unless r is authorized.
func (g *guard) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.authorized(r) {
			g.m.refused(statusUnauthorized)
			g.log.Debug("request refused", zap.String("reason", "unauthorized"), zap.String("remote", r.RemoteAddr))
			w.Header().Set("WWW-Authenticate", `Bearer realm="statusd"`)
			writeHTTPError(w, http.StatusUnauthorized, CodeServer, ErrUnauthorized.Error())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkVHost answers 403 unless the Host header names an allowed virtual host,
// as geth does: a missing Host and a literal IP address always pass, since
// DNS rebinding needs a name.
func (g *guard) checkVHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.hostAllowed(r.Host) {
			next.ServeHTTP(w, r)
			return
		}
		g.m.refused(statusForbidden)
		g.log.Debug("request refused", zap.String("reason", "vhost"), zap.String("host", r.Host))
		writeHTTPError(w, http.StatusForbidden, CodeServer, ErrForbiddenHost.Error())
	})
}

func (g *guard) hostAllowed(hostport string) bool {
	if hostport == "" || g.vhostAny {
		return true
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport // no port
	}
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return true
	}
	return g.vhosts[strings.ToLower(host)]
}

// cors adds CORS headers for allowed origins and answers preflight requests
// itself (204, no token needed: browsers send none on a preflight). With no
// origins configured it adds nothing, so browsers keep their same-origin rule.
func (g *guard) cors(next http.Handler) http.Handler {
	if !g.corsEnabled {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		h.Add("Vary", "Origin")
		allowed := origin != "" && (g.originAny || originAllowed(g.origins, origin))
		allowOrigin := origin
		if g.originAny {
			allowOrigin = "*"
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			method := strings.ToUpper(r.Header.Get("Access-Control-Request-Method"))
			if allowed && (method == http.MethodPost || method == http.MethodGet) {
				h.Set("Access-Control-Allow-Origin", allowOrigin)
				h.Set("Access-Control-Allow-Methods", method)
				if reqHeaders := r.Header.Get("Access-Control-Request-Headers"); reqHeaders != "" {
					h.Set("Access-Control-Allow-Headers", reqHeaders)
				}
				h.Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			h.Set("Access-Control-Allow-Origin", allowOrigin)
		}
		next.ServeHTTP(w, r)
	})
}

// wsOriginAllowed is the WebSocket handshake's CheckOrigin. A request without
// Origin passes: only browsers send one, and the check protects browsers.
func (g *guard) wsOriginAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if _, present := r.Header["Origin"]; !present || g.originAny || originAllowed(g.wsOrigins, origin) {
		return true
	}
	g.log.Debug("request refused", zap.String("reason", "ws origin"), zap.String("origin", origin))
	return false
}

// originAllowed matches a browser origin against lower-case rules the way
// geth's WS server does: a rule is "scheme://host:port", and a rule that
// leaves out the scheme or the port matches any.
func originAllowed(rules []string, origin string) bool {
	bScheme, bHost, bPort, ok := splitOrigin(strings.ToLower(origin))
	if !ok {
		return false
	}
	for _, rule := range rules {
		scheme, host, port, ok := splitOrigin(rule)
		if !ok {
			continue
		}
		if (scheme == "" || scheme == bScheme) && host == bHost && (port == "" || port == bPort) {
			return true
		}
	}
	return false
}

// splitOrigin splits "scheme://host:port", "host:port" or "host".
func splitOrigin(s string) (scheme, host, port string, ok bool) {
	if !strings.Contains(s, "://") {
		s = "x-none://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return "", "", "", false
	}
	if u.Scheme != "x-none" {
		scheme = u.Scheme
	}
	return scheme, u.Hostname(), u.Port(), true
}

// ProtectConfig configures ProtectHTTP.
type ProtectConfig struct {
	// VHosts are the accepted Host names, as the RPC listeners' vhosts;
	// "*" accepts any.
	VHosts []string
	// Token, when not empty, must be sent as a bearer token.
	Token string
}

// ProtectHTTP wraps a handler served beside the RPC listeners (metrics,
// profiles) with their Host check, so that a web page cannot read it
// through DNS rebinding (403), and, with a token, their bearer-token check
// (401).
func ProtectHTTP(next http.Handler, cfg ProtectConfig, log *zap.Logger) http.Handler {
	g := newGuard(&Config{VHosts: cfg.VHosts, Token: cfg.Token, NoAuth: cfg.Token == ""}, log, nil)
	h := g.checkVHost(next)
	if cfg.Token != "" {
		h = g.checkVHost(g.requireToken(next))
	}
	return h
}
