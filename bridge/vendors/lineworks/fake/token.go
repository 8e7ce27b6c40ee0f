package fake

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// JWTBearer is the grant_type of a service account's token request.
const JWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// knownScopes are the OAuth scopes the fake accepts; LINE WORKS answers
// invalid_scope for others.
var knownScopes = map[string]bool{
	"bot": true, "bot.read": true, "bot.message": true, "user": true, "user.read": true,
	"user.email.read": true, "user.profile.read": true, "directory": true, "directory.read": true,
	"orgunit": true, "orgunit.read": true, "group": true, "group.read": true,
	"calendar": true, "calendar.read": true, "contact": true, "contact.read": true,
}

// maxAssertionLifetime is the longest exp - iat LINE WORKS accepts.
const maxAssertionLifetime = time.Hour

// clockSkew is how far in the future an assertion's iat may lie.
const clockSkew = 5 * time.Minute

func (f *Fake) serveToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenRequests++
	if fail := f.tokenFailures.NextFailure(); fail != 0 {
		code := "server_error"
		if fail < 500 {
			code = "invalid_request"
		}
		oauthError(w, fail, code, "Injected failure.")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint takes POST.")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The body must be application/x-www-form-urlencoded.")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The form cannot be read.")
		return
	}
	form := r.PostForm
	for _, name := range []string{"assertion", "grant_type", "client_id", "client_secret", "scope"} {
		if form.Get(name) == "" {
			oauthError(w, http.StatusBadRequest, "invalid_request", "The parameter "+name+" is missing.")
			return
		}
	}
	if form.Get("grant_type") != JWTBearer {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant_type is not supported.")
		return
	}
	if form.Get("client_id") != DemoClientID || form.Get("client_secret") != DemoClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "The client authentication failed.")
		return
	}
	scopes := map[string]bool{}
	for _, s := range strings.FieldsFunc(form.Get("scope"), func(r rune) bool { return r == ',' || r == ' ' }) {
		if !knownScopes[s] {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "Request scope is not valid.")
			return
		}
		scopes[s] = true
	}
	if problem := f.verifyAssertion(form.Get("assertion")); problem != "" {
		oauthError(w, http.StatusBadRequest, "invalid_grant", problem)
		return
	}
	tok := randomToken()
	f.tokens[tok] = &grant{expires: f.now().Add(f.tokenTTL), scopes: scopes}
	f.tokensIssued++
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token":  tok,
		"refresh_token": randomToken(),
		"scope":         form.Get("scope"),
		"token_type":    "Bearer",
		"expires_in":    strconv.Itoa(int(f.tokenTTL / time.Second)), // a string, as LINE WORKS sends it
	})
}

// verifyAssertion checks the JWT of a token request and says what is
// wrong with it ("" when nothing).
func (f *Fake) verifyAssertion(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "The assertion is not a JWT."
	}
	var header struct{ Alg, Typ string }
	if err := decodePart(parts[0], &header); err != nil || header.Alg != "RS256" {
		return "The assertion must be signed with RS256."
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err != nil || rsa.VerifyPKCS1v15(f.pub, crypto.SHA256, sum[:], sig) != nil {
		return "The assertion's signature is invalid."
	}
	var claims struct {
		Iss, Sub string
		Iat, Exp *float64
	}
	if err := decodePart(parts[1], &claims); err != nil || claims.Iat == nil || claims.Exp == nil {
		return "The assertion must carry iss, sub, iat and exp."
	}
	iat := time.Unix(int64(*claims.Iat), 0)
	exp := time.Unix(int64(*claims.Exp), 0)
	now := f.now()
	switch {
	case claims.Iss != DemoClientID:
		return "The assertion's iss is not the client id."
	case claims.Sub != DemoServiceAccount:
		return "The assertion's sub is not the app's service account."
	case !exp.After(iat) || exp.Sub(iat) > maxAssertionLifetime:
		return "The assertion's exp must be at most 60 minutes after iat."
	case !exp.After(now):
		return "The assertion has expired."
	case iat.After(now.Add(clockSkew)):
		return "The assertion's iat is in the future."
	}
	return ""
}

func decodePart(part string, into any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

// oauthError writes OAuth's error shape, which the token endpoint uses.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "kr1AAAA" + hex.EncodeToString(b)
}
