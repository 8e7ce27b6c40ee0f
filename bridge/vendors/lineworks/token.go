package lineworks

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// jwtBearer is the grant_type of a service account's token request.
const jwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// parsePrivateKey reads the app's RSA key from PEM: PKCS #8 as the
// Developer Console hands it out, or PKCS #1. A key pasted into an
// environment variable often has literal "\n" for its line breaks; those
// are accepted too. Errors never quote the key.
func parsePrivateKey(s string) (*rsa.PrivateKey, error) {
	if !strings.Contains(s, "\n") {
		s = strings.ReplaceAll(s, `\n`, "\n")
	}
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil, errors.New("not a PEM block (-----BEGIN PRIVATE KEY-----)")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not an RSA private key in PKCS #8 or PKCS #1 (%s)", block.Type)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an RSA key: LINE WORKS signs with RS256", k)
	}
	return rk, nil
}

// signJWT returns an RS256 JWT of claims (RFC 7515 compact form).
func signJWT(key *rsa.PrivateKey, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

// claims are the assertion's claims: iss is the client id, sub the
// service account, exp at most 60 minutes after iat.
type claims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
}

// tokens fetches access tokens and caches one. Concurrent callers that
// find no usable token share a single request (so 100 parallel calls make
// one token request), and a token is renewed refreshMargin before it
// expires, so that calls do not race its expiry.
type tokens struct {
	c    *Config
	key  *rsa.PrivateKey
	http *http.Client
	now  func() time.Time

	mu        sync.Mutex
	token     string
	refreshAt time.Time
	fetches   vendorkit.Flight[fetched] // one token request at a time
}

// fetched is the answer of one token request.
type fetched struct {
	token string
	err   error
}

// get returns a usable token.
func (t *tokens) get(ctx context.Context) (string, error) {
	t.mu.Lock()
	if t.token != "" && t.now().Before(t.refreshAt) {
		tok := t.token
		t.mu.Unlock()
		return tok, nil
	}
	t.mu.Unlock()
	// The request outlives the caller that started it: the others wait
	// for it, so it must not die with the first one's context.
	f, err := t.fetches.Do(ctx, "token", t.fetch)
	if err != nil {
		return "", err
	}
	return f.token, f.err
}

// current returns the cached token ("" when none), for scrubbing.
func (t *tokens) current() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.token
}

// drop forgets tok after the API refused it, unless another caller has
// already replaced it.
func (t *tokens) drop(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == tok {
		t.token = ""
	}
}

func (t *tokens) fetch(ctx context.Context) fetched {
	t.mu.Lock()
	if t.token != "" && t.now().Before(t.refreshAt) { // renewed by the flight just ended
		defer t.mu.Unlock()
		return fetched{token: t.token}
	}
	t.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, t.c.Timeout.D())
	defer cancel()
	tok, ttl, err := t.request(ctx)
	if err != nil {
		return fetched{err: err}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.token = tok
	// Renew refreshMargin early, or at half-life when the token lives
	// shorter than the margin.
	early := t.c.RefreshMargin.D()
	if early >= ttl {
		early = ttl / 2
	}
	t.refreshAt = t.now().Add(ttl - early)
	return fetched{token: tok}
}

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	AccessToken      string  `json:"access_token"`
	ExpiresIn        seconds `json:"expires_in"`
	Error            string  `json:"error"`
	ErrorDescription string  `json:"error_description"`
}

// seconds reads expires_in, which LINE WORKS sends as a string ("86400");
// a number is accepted too.
type seconds int64

func (s *seconds) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseInt(strings.Trim(string(b), `"`), 10, 64)
	if err != nil {
		return fmt.Errorf("expires_in is not a number of seconds: %s", vendorkit.Truncate(string(b), 40))
	}
	*s = seconds(v)
	return nil
}

// request asks the token endpoint for a token and its lifetime.
func (t *tokens) request(ctx context.Context) (string, time.Duration, error) {
	now := t.now()
	assertion, err := signJWT(t.key, claims{Iss: t.c.ClientID, Sub: t.c.ServiceAccount,
		Iat: now.Unix(), Exp: now.Add(t.c.AssertionLifetime.D()).Unix()})
	if err != nil {
		return "", 0, &failed{fanout.Result{Status: fanout.Permanent, Message: "signing the token assertion: " + err.Error()}}
	}
	form := url.Values{
		"assertion":     {assertion},
		"grant_type":    {jwtBearer},
		"client_id":     {t.c.ClientID},
		"client_secret": {t.c.ClientSecret.Value()},
		"scope":         {t.c.Scope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.c.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, &failed{fanout.Result{Status: fanout.Permanent, Message: "token request: " + err.Error()}}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := t.http.Do(req)
	if err != nil {
		res := vendorkit.FromError(err, t.c.ClientSecret.Value(), assertion)
		res.Message = "token request: " + res.Message
		return "", 0, &failed{res}
	}
	body := vendorkit.ReadBody(resp)
	var tr tokenResponse
	jerr := json.Unmarshal(body, &tr)
	if resp.StatusCode != http.StatusOK {
		msg := fmt.Sprintf("token request: %d %s", resp.StatusCode, strings.TrimSpace(tr.Error+": "+tr.ErrorDescription))
		if tr.Error == "" {
			msg = fmt.Sprintf("token request: %d %s", resp.StatusCode, vendorkit.Truncate(string(body), 200))
		}
		return "", 0, &failed{vendorkit.Failure(resp, vendorkit.Scrub(msg, t.c.ClientSecret.Value(), assertion), t.now())}
	}
	switch {
	case jerr != nil:
		return "", 0, &failed{fanout.Result{Status: fanout.Retryable, VendorStatus: resp.StatusCode,
			Message: "token request: the answer is not a token: " + vendorkit.Scrub(jerr.Error(), t.c.ClientSecret.Value())}}
	case tr.AccessToken == "" || tr.ExpiresIn <= 0:
		return "", 0, &failed{fanout.Result{Status: fanout.Retryable, VendorStatus: resp.StatusCode,
			Message: "token request: the answer lacks access_token or a positive expires_in"}}
	}
	return tr.AccessToken, time.Duration(tr.ExpiresIn) * time.Second, nil
}
