package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/internal/config"
)

// TestRemoteOverTLS: statusctl reaches a node serving TLS with a
// self-signed certificate when --cacert pins it, over HTTPS and WSS with
// the token, and not without.
func TestRemoteOverTLS(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "statusd"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)

	n, data := startNode(t, func(c *config.Config) {
		c.WS.Enabled, c.WS.Port = true, 0
		c.HTTP.TLSCert, c.HTTP.TLSKey = certFile, keyFile
	})
	token := filepath.Join(data, "rpc.token")
	for _, url := range []string{n.RPC().HTTPURL(), n.RPC().WSURL()} {
		out := mustCtl(t, "--rpc", url, "--cacert", certFile, "--token", token, "info")
		if !strings.Contains(out, "chat key:     0x04") {
			t.Fatalf("info over %s:\n%s", url, out)
		}
		if code, _, errs := ctl(t, "--rpc", url, "--token", token, "info"); code != 1 || !strings.Contains(errs, "certificate") {
			t.Fatalf("%s without --cacert: %d %s", url, code, errs)
		}
	}
}
