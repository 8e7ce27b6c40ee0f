package server_test

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

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/server"
)

type keyPair struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

func issue(t *testing.T, subject pkix.Name, parent *keyPair, isCA bool, usage x509.ExtKeyUsage) *keyPair {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: isCA, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	if isCA {
		tmpl.ExtKeyUsage = nil // a CA restricted to one usage could not sign the other
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &keyPair{cert: cert, der: der, key: key}
}

func writePEM(t *testing.T, path, typ string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// serveTLS serves srv on a loopback port until the test ends and returns
// its address.
func serveTLS(t *testing.T, srv *server.Server) string {
	t.Helper()
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen(plain)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return plain.Addr().String()
}

// TestTLSAndClientCertificates: HTTPS with TLS 1.2 at least, and a client
// certificate whose subject is mapped is that caller; an unmapped one is
// challenged like any caller without credentials.
func TestTLSAndClientCertificates(t *testing.T) {
	dir := t.TempDir()
	ca := issue(t, pkix.Name{CommonName: "test CA"}, nil, true, x509.ExtKeyUsageServerAuth)
	srvCert := issue(t, pkix.Name{CommonName: "bridge"}, ca, false, x509.ExtKeyUsageServerAuth)
	known := issue(t, pkix.Name{CommonName: "app1", Organization: []string{"Acme"}}, ca, false, x509.ExtKeyUsageClientAuth)
	unknown := issue(t, pkix.Name{CommonName: "app2"}, ca, false, x509.ExtKeyUsageClientAuth)
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", ca.der)
	writePEM(t, filepath.Join(dir, "cert.pem"), "CERTIFICATE", srvCert.der)
	kb, _ := x509.MarshalECPrivateKey(srvCert.key)
	writePEM(t, filepath.Join(dir, "key.pem"), "EC PRIVATE KEY", kb)

	cfg := config.Default()
	cfg.Auth.InsecureNoAuth = false
	cfg.TLS = config.TLS{CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem"),
		ClientCAFile: filepath.Join(dir, "ca.pem"), ClientSubjects: map[string]string{"CN=app1,O=Acme": "app-one"}}
	c := &capture{}
	srv, err := newServer(t, cfg, []fanout.Target{{Vendor: c, Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, srv)

	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	client := func(kp *keyPair, maxVersion uint16) *http.Client {
		tc := &tls.Config{RootCAs: roots, MaxVersion: maxVersion}
		if kp != nil {
			tc.Certificates = []tls.Certificate{{Certificate: [][]byte{kp.der}, PrivateKey: kp.key}}
		}
		return &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 10 * time.Second}
	}
	url := "https://" + addr + "/theservice/v0001/soapun"
	post := func(cl *http.Client) (int, error) {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(nilUserOOF(""))))
		req.Header.Set("Content-Type", "text/xml; charset=utf-8")
		resp, err := cl.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, err := post(client(known, 0)); err != nil || code != 200 {
		t.Fatalf("mapped client certificate: %d %v", code, err)
	}
	if u := c.calls[0].OutOfOffice.User; u.Caller != "app-one" {
		t.Errorf("caller %q, want app-one", u.Caller)
	}
	if code, err := post(client(unknown, 0)); err != nil || code != 401 {
		t.Errorf("unmapped client certificate: %d %v, want 401", code, err)
	}
	if code, err := post(client(nil, 0)); err != nil || code != 401 {
		t.Errorf("no client certificate: %d %v, want 401", code, err)
	}
	if _, err := post(client(known, tls.VersionTLS11)); err == nil {
		t.Error("a TLS 1.1 handshake succeeded")
	}
}
