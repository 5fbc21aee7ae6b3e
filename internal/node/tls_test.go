package node

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/gorilla/websocket"

	"github.com/statusnode/statusd/internal/identity"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key to
// dir and returns the file names and the certificate.
func selfSigned(t *testing.T, dir, name string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile, cert
}

func pinned(cert *x509.Certificate) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// TestRPCOverTLS: with --http.tls.cert/--http.tls.key, a client pinning the
// self-signed certificate calls methods over HTTPS and WSS with the token;
// plain HTTP on the port fails; a client that does not trust the
// certificate fails; ReloadTLS (SIGHUP) serves a new certificate to new
// connections.
func TestRPCOverTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, cert := selfSigned(t, dir, "one")
	c := testConfig(t)
	c.HTTP.TLSCert, c.HTTP.TLSKey = certFile, keyFile
	n := startNode(t, c)
	httpURL, wsURL := n.RPC().HTTPURL(), n.RPC().WSURL()
	if !strings.HasPrefix(httpURL, "https://") || !strings.HasPrefix(wsURL, "wss://") {
		t.Fatalf("URLs %s %s", httpURL, wsURL)
	}
	tok, _, err := identity.LoadOrCreateToken(n.TokenPath())
	if err != nil {
		t.Fatal(err)
	}
	auth := rpc.WithHeader("Authorization", "Bearer "+tok)
	call := func(url string, tc *tls.Config) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cl, err := rpc.DialOptions(ctx, url, auth,
			rpc.WithHTTPClient(&http.Client{Transport: &http.Transport{TLSClientConfig: tc}}),
			rpc.WithWebsocketDialer(websocket.Dialer{TLSClientConfig: tc}))
		if err != nil {
			return "", err
		}
		defer cl.Close()
		var v string
		err = cl.CallContext(ctx, &v, "net_version")
		return v, err
	}
	for _, url := range []string{httpURL, wsURL} {
		if v, err := call(url, pinned(cert)); err != nil || v != "1" {
			t.Fatalf("%s with the pinned certificate: %q %v", url, v, err)
		}
		if _, err := call(url, &tls.Config{MinVersion: tls.VersionTLS12}); err == nil {
			t.Fatalf("%s: a client that does not trust the certificate got through", url)
		}
	}
	plain := "http://" + strings.TrimPrefix(httpURL, "https://")
	resp, err := http.Post(plain, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"net_version","params":[]}`))
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP answered on the TLS port")
		}
	}

	// A new certificate in the same files, then SIGHUP's reload.
	newCert, newKey, cert2 := selfSigned(t, dir, "two")
	for from, to := range map[string]string{newCert: certFile, newKey: keyFile} {
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.ReloadTLS(); err != nil {
		t.Fatal(err)
	}
	if v, err := call(httpURL, pinned(cert2)); err != nil || v != "1" {
		t.Fatalf("after reload, with the new certificate: %q %v", v, err)
	}
	if _, err := call(httpURL, pinned(cert)); err == nil {
		t.Fatal("after reload the old certificate is still served")
	}
	os.WriteFile(certFile, []byte("garbage"), 0o600)
	if err := n.ReloadTLS(); err == nil || !strings.Contains(err.Error(), certFile) {
		t.Fatalf("reload of a bad file: %v", err)
	}
	if v, err := call(httpURL, pinned(cert2)); err != nil || v != "1" {
		t.Fatalf("a failed reload dropped the certificate: %q %v", v, err)
	}
}
