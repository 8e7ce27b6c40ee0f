// Package auth decides who is calling: HTTP Basic, or a WS-Security
// UsernameToken (PasswordText, or PasswordDigest with nonce and created
// time, replays refused). Callers are configured with password hashes
// (bcrypt or argon2id). An unknown user and a wrong password take the same
// path and the same time, and get the same answer, so a caller cannot tell
// which names exist.
package auth

import (
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
)

// ErrFailed is the one error every failed check returns; its text is what
// the caller sees, whatever went wrong.
var ErrFailed = errors.New("the security token could not be authenticated or authorized")

// Authenticator checks credentials against the configured callers.
type Authenticator struct {
	callers map[string]*caller
	dummy   hasher // verifies unknown users, so they cost what known ones do
	window  time.Duration
	now     func() time.Time
	nonces  nonceCache
	shared  NonceStore // replaces nonces when replicas share a store
}

// NonceStore remembers WS-Security nonces for every replica of a bridge,
// so that a request replayed to another replica is refused too.
type NonceStore interface {
	// SeenNonce records nonce until expires and reports whether it was
	// recorded already (a replay).
	SeenNonce(ctx context.Context, nonce string, expires time.Time) (replay bool, err error)
}

// ShareNonces makes s the replay cache instead of this process's memory.
func (a *Authenticator) ShareNonces(s NonceStore) { a.shared = s }

type caller struct {
	name   string
	hash   hasher
	digest string // the password, for PasswordDigest only
}

// New builds an Authenticator; it returns nil when auth is off.
func New(c config.Auth) (*Authenticator, error) {
	if c.InsecureNoAuth {
		return nil, nil
	}
	a := &Authenticator{callers: map[string]*caller{}, window: c.ReplayWindow.D(), now: time.Now}
	a.nonces.entries = map[string]time.Time{}
	for i, cl := range c.Callers {
		h, err := parseHash(cl.PasswordHash)
		if err != nil {
			return nil, fmt.Errorf("auth.callers[%d].password_hash: %v", i, err)
		}
		a.callers[strings.ToLower(cl.Name)] = &caller{name: cl.Name, hash: h, digest: cl.DigestSecret.Value()}
		if a.dummy == nil {
			a.dummy = h.dummy()
		}
	}
	return a, nil
}

// SetClock replaces the clock (tests).
func (a *Authenticator) SetClock(now func() time.Time) { a.now = now }

// Password checks a user name and password (HTTP Basic, PasswordText) and
// returns the caller's configured name.
func (a *Authenticator) Password(user, password string) (string, error) {
	c, ok := a.callers[strings.ToLower(user)]
	if !ok {
		a.dummy.verify(password) // same work as a known user
		return "", ErrFailed
	}
	if !c.hash.verify(password) {
		return "", ErrFailed
	}
	return c.name, nil
}

// Token checks a WS-Security UsernameToken.
func (a *Authenticator) Token(t *soap.UsernameToken) (string, error) {
	if !t.Digest() {
		return a.Password(t.Username, t.Password)
	}
	created, err := time.Parse(time.RFC3339Nano, t.Created)
	if err != nil || t.Nonce == "" {
		return "", ErrFailed
	}
	now := a.now()
	if created.After(now.Add(a.window)) || created.Before(now.Add(-a.window)) {
		return "", ErrFailed
	}
	nonce, err := base64.StdEncoding.DecodeString(t.Nonce)
	if err != nil {
		return "", ErrFailed
	}
	c, ok := a.callers[strings.ToLower(t.Username)]
	secret := ""
	if ok {
		secret = c.digest
	}
	// Password_Digest = Base64(SHA-1(nonce + created + password)).
	sum := sha1.Sum(append(append(nonce, t.Created...), secret...))
	want := base64.StdEncoding.EncodeToString(sum[:])
	match := subtle.ConstantTimeCompare([]byte(want), []byte(strings.TrimSpace(t.Password))) == 1
	if !ok || secret == "" || !match {
		return "", ErrFailed
	}
	if a.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if replay, err := a.shared.SeenNonce(ctx, t.Nonce, now.Add(a.window)); replay || err != nil {
			return "", ErrFailed // a replay, or one that cannot be ruled out
		}
	} else if !a.nonces.add(t.Nonce, now.Add(a.window), now) {
		return "", ErrFailed // a replay
	}
	return c.name, nil
}

// nonceCache remembers nonces until they could no longer pass the
// Created check; it is bounded so a flood cannot grow it without end.
type nonceCache struct {
	mu      sync.Mutex
	entries map[string]time.Time
}

const maxNonces = 200_000

func (n *nonceCache) add(nonce string, until, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if exp, seen := n.entries[nonce]; seen && exp.After(now) {
		return false
	}
	if len(n.entries) >= maxNonces {
		for k, exp := range n.entries {
			if !exp.After(now) {
				delete(n.entries, k)
			}
		}
		if len(n.entries) >= maxNonces {
			return false // refuse rather than forget a live nonce
		}
	}
	n.entries[nonce] = until
	return true
}

// hasher verifies a password against one stored hash.
type hasher interface {
	verify(password string) bool
	dummy() hasher // a hash of the same kind and cost, of nothing anyone knows
}

func parseHash(h string) (hasher, error) {
	switch {
	case strings.HasPrefix(h, "$argon2id$"):
		return parseArgon2(h)
	case strings.HasPrefix(h, "$2"):
		if _, err := bcrypt.Cost([]byte(h)); err != nil {
			return nil, fmt.Errorf("not a valid bcrypt hash: %v", err)
		}
		return bcryptHash(h), nil
	}
	return nil, errors.New("not a bcrypt or argon2id hash")
}

type bcryptHash string

func (b bcryptHash) verify(p string) bool {
	return bcrypt.CompareHashAndPassword([]byte(b), []byte(p)) == nil
}

func (b bcryptHash) dummy() hasher {
	cost, _ := bcrypt.Cost([]byte(b))
	h, _ := bcrypt.GenerateFromPassword([]byte("thereforebridge: no such user"), cost)
	return bcryptHash(h)
}

type argon2Hash struct {
	time, memory uint32
	threads      uint8
	salt, key    []byte
}

func parseArgon2(h string) (*argon2Hash, error) {
	// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<key>
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[2] != "v=19" {
		return nil, errors.New("argon2id hash must read $argon2id$v=19$m=..,t=..,p=..$salt$key")
	}
	var a argon2Hash
	var p uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &a.memory, &a.time, &p); err != nil || p == 0 || p > 255 {
		return nil, errors.New("argon2id parameters must read m=..,t=..,p=..")
	}
	a.threads = uint8(p)
	var err error
	if a.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return nil, errors.New("argon2id salt is not base64")
	}
	if a.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(a.key) == 0 {
		return nil, errors.New("argon2id key is not base64")
	}
	return &a, nil
}

func (a *argon2Hash) verify(p string) bool {
	k := argon2.IDKey([]byte(p), a.salt, a.time, a.memory, a.threads, uint32(len(a.key)))
	return subtle.ConstantTimeCompare(k, a.key) == 1
}

func (a *argon2Hash) dummy() hasher {
	d := *a
	d.key = make([]byte, len(a.key)) // never matches a real derivation in practice
	return &d
}

// HashPassword returns a bcrypt hash for the configuration.
func HashPassword(p string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(p), bcrypt.DefaultCost)
	return string(h), err
}
