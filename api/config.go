package api

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Config of the RPC endpoints. Zero values are not defaults; the daemon fills
// every field (its defaults live with the rest of the node configuration).
type Config struct {
	HTTPEnabled  bool
	HTTPAddr     string // e.g. "127.0.0.1"
	HTTPPort     int    // 0 = pick a free port (tests)
	WSEnabled    bool
	WSAddr       string
	WSPort       int
	IPCPath      string   // "" = IPC disabled
	Modules      []string // namespaces exposed over HTTP and WS; IPC exposes every registered namespace, as geth does
	NoAuth       bool     // true = no bearer token needed
	Token        string   // bearer token required on HTTP and WS unless NoAuth
	CORSDomains  []string // allowed browser origins for HTTP CORS, and for WS Origin checks ("*" = any)
	VHosts       []string // allowed Host header names for HTTP ("*" = any)
	MaxBodyBytes int      // HTTP request body limit; also the largest WS and IPC message
	// TLS, when not nil, makes the HTTP and WS listeners serve TLS only
	// (https://, wss://); a plain HTTP request on them fails. Its
	// GetCertificate may change the certificate while serving.
	TLS *tls.Config
}

// Limits and timeouts that are not configurable. The HTTP timeouts are geth's
// (node/defaults.go), the batch limits geth's defaults.
const (
	readHeaderTimeout  = 10 * time.Second
	readTimeout        = 30 * time.Second
	writeTimeout       = 30 * time.Second
	idleTimeout        = 120 * time.Second
	shutdownTimeout    = 5 * time.Second
	batchItemLimit     = 1000
	batchResponseLimit = 25 * 1024 * 1024
	maxUnixPathLen     = len(syscall.RawSockaddrUnix{}.Path) - 1 // room for the NUL
)

// errConfig is wrapped by every validation error.
var errConfig = errors.New("api: invalid config")

// validate reports the first problem with c. It does not touch the network or
// the file system.
func (c *Config) validate() error {
	if !c.NoAuth && c.Token == "" {
		return fmt.Errorf("%w: a token is required unless NoAuth is set", errConfig)
	}
	if strings.ContainsAny(c.Token, " \t\r\n") {
		return fmt.Errorf("%w: token contains white space", errConfig)
	}
	if c.MaxBodyBytes <= 0 {
		return fmt.Errorf("%w: MaxBodyBytes must be positive, got %d", errConfig, c.MaxBodyBytes)
	}
	if c.HTTPEnabled {
		if err := validateEndpoint("HTTP", c.HTTPAddr, c.HTTPPort); err != nil {
			return err
		}
	}
	if c.WSEnabled {
		if err := validateEndpoint("WS", c.WSAddr, c.WSPort); err != nil {
			return err
		}
	}
	if len(c.IPCPath) > maxUnixPathLen {
		return fmt.Errorf("%w: IPC path is %d bytes, the limit is %d: %s", errConfig, len(c.IPCPath), maxUnixPathLen, c.IPCPath)
	}
	for _, m := range c.Modules {
		if m == "" || strings.ContainsAny(m, " _,") {
			return fmt.Errorf("%w: bad module name %q", errConfig, m)
		}
	}
	return nil
}

func validateEndpoint(name, addr string, port int) error {
	if addr == "" {
		return fmt.Errorf("%w: %s address is empty", errConfig, name)
	}
	if port < 0 || port > 65535 {
		return fmt.Errorf("%w: %s port %d out of range", errConfig, name, port)
	}
	return nil
}

// sharedPort reports whether HTTP and WS are served by one listener, as geth
// does when both are configured on the same address and a fixed port.
func (c *Config) sharedPort() bool {
	return c.HTTPEnabled && c.WSEnabled && c.HTTPPort != 0 &&
		c.HTTPPort == c.WSPort && c.HTTPAddr == c.WSAddr
}

func (c *Config) httpEndpoint() string {
	return net.JoinHostPort(c.HTTPAddr, strconv.Itoa(c.HTTPPort))
}

func (c *Config) wsEndpoint() string {
	return net.JoinHostPort(c.WSAddr, strconv.Itoa(c.WSPort))
}

// moduleAllowed reports whether namespace is exposed over HTTP and WS.
func (c *Config) moduleAllowed(namespace string) bool {
	for _, m := range c.Modules {
		if m == namespace {
			return true
		}
	}
	return false
}

// isLoopback reports whether addr is a loopback address or "localhost".
func isLoopback(addr string) bool {
	if addr == "localhost" {
		return true
	}
	ip := net.ParseIP(addr)
	return ip != nil && ip.IsLoopback()
}
