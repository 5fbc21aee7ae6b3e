package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/gorilla/websocket"
)

// dial connects over IPC, or to --rpc with the bearer token.
func (s *session) dial() (*rpc.Client, error) {
	o := s.o
	if o.url == "" {
		path := o.ipc
		if path == "" {
			path = filepath.Join(o.datadir, "statusd.ipc")
		}
		s.endpoint = path
		c, err := rpc.DialIPC(s.ctx, path)
		if err != nil {
			return nil, fmt.Errorf("cannot connect to statusd at %s: %w (is statusd running? point at it with --datadir DIR, --ipc PATH or --rpc URL)", path, err)
		}
		return c, nil
	}
	s.endpoint = o.url
	var opts []rpc.ClientOption
	tokenFile := o.token
	if tokenFile == "" {
		tokenFile = filepath.Join(o.datadir, "rpc.token")
	}
	data, err := os.ReadFile(tokenFile)
	switch {
	case err == nil:
		opts = append(opts, rpc.WithHeader("Authorization", "Bearer "+strings.TrimSpace(string(data))))
	case o.token != "":
		return nil, fmt.Errorf("token file %s: %w (--token names the node's <datadir>/rpc.token, or a copy of it)", o.token, err)
	default:
		// Try without: the node may run with --rpc.noauth. A refusal is
		// explained by explain.
		s.tokenMissing = tokenFile
	}
	if o.cacert != "" {
		tc, err := trust(o.cacert)
		if err != nil {
			return nil, err
		}
		opts = append(opts, rpc.WithHTTPClient(&http.Client{Transport: &http.Transport{TLSClientConfig: tc}}),
			rpc.WithWebsocketDialer(websocket.Dialer{TLSClientConfig: tc}))
	}
	c, err := rpc.DialOptions(s.ctx, o.url, opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to statusd at %s: %w", o.url, err)
	}
	return c, nil
}

// trust returns a TLS client configuration that trusts the PEM
// certificates in file (and nothing else).
func trust(file string) (*tls.Config, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--cacert: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--cacert %s holds no PEM certificate", file)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// argNumber finds go-ethereum's 0-based parameter numbers in its messages
// ("invalid argument 0: …", "missing value for required argument 1").
var argNumber = regexp.MustCompile(`(invalid argument|required argument) (\d+)`)

// explain turns an error into what a person can act on: a lost
// connection says so, a refusal without a token says where the token was
// looked for, and parameters are numbered from 1 as the docs number them.
func (s *session) explain(err error) string {
	switch {
	case connectionLost(err):
		return fmt.Sprintf("lost the connection to statusd at %s: the node stopped or restarted (%v)", s.endpoint, err)
	case s.tokenMissing != "" && refused(err):
		return fmt.Sprintf("statusd at %s refused the request (%s): no token was sent, since %s does not exist; "+
			"pass --token FILE with the node's <datadir>/rpc.token, or --datadir DIR of the node", s.endpoint, refusal(err), s.tokenMissing)
	}
	msg := err.Error()
	var rpcErr rpc.Error
	if errors.As(err, &rpcErr) {
		msg = argNumber.ReplaceAllStringFunc(msg, func(m string) string {
			sub := argNumber.FindStringSubmatch(m)
			n, _ := strconv.Atoi(sub[2])
			return fmt.Sprintf("%s %d", sub[1], n+1) + " (counting from 1)"
		})
	}
	return msg
}

// connectionLost reports errors that mean the node went away.
func connectionLost(err error) bool {
	var netErr *net.OpError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, rpc.ErrClientQuit) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		(errors.As(err, &netErr) && netErr.Op == "read")
}

// refusal is the HTTP status of a refused request, or the error.
func refusal(err error) string {
	var httpErr rpc.HTTPError
	if errors.As(err, &httpErr) {
		return httpErr.Status
	}
	return err.Error()
}

// refused reports a failure of the request itself (an HTTP status, a
// failed WebSocket handshake) rather than an answer from a method.
func refused(err error) bool {
	var httpErr rpc.HTTPError
	if errors.As(err, &httpErr) {
		return httpErr.StatusCode == http.StatusUnauthorized
	}
	var rpcErr rpc.Error
	return !errors.As(err, &rpcErr)
}
