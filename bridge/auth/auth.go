// Package auth decides who is calling: HTTP Basic, or a WS-Security
// UsernameToken (PasswordText, or PasswordDigest with nonce and created
// time, replays refused). Callers are configured with password hashes
// (bcrypt or argon2id). An unknown user and a wrong password take the same
// path and the same work, and get the same answer, so a caller cannot tell
// which names exist.
//
// Password hashes are slow on purpose, and clients send their credentials
// on every call, so a verified user and password are remembered for a
// while (under a keyed hash, never in clear); at most a bounded number of
// hashes run at once; and wrong credentials are throttled per client
// address and user name before any hashing.
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
	"sync/atomic"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/keyrate"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
	"golang.org/x/sync/singleflight"
)

// ErrFailed is the one error every failed check returns; its text is what
// the caller sees, whatever went wrong.
var ErrFailed = errors.New("the security token could not be authenticated or authorized")

// ErrBusy is returned when a password check could not start within
// auth.max_hash_wait (or before the call's context ended): the bridge is
// saturated with checks, and an early answer lets the client retry
// rather than spend its call's deadline in a queue.
var ErrBusy = errors.New("the bridge is busy checking credentials; retry shortly")

// Throttled is returned, before any hashing, when a client address has
// failed too often for a user name; Wait is when it may try again.
type Throttled struct{ Wait time.Duration }

func (t *Throttled) Error() string {
	return "too many failed sign-ins for this user from this address"
}

// Authenticator checks credentials against the configured callers.
type Authenticator struct {
	set      atomic.Pointer[callerSet]
	window   time.Duration
	now      func() time.Time
	nonces   nonceCache
	cache    *credCache      // nil when cache_ttl is 0
	hashes   chan struct{}   // one per password verification running
	hashWait time.Duration   // longest wait for a free hash slot
	failures *keyrate.Limits // per (client address, user name)
	// perAddress is per client address, whatever the user name: addressMultiple
	// times the rate and burst of failures.
	perAddress *keyrate.Limits
	verified   atomic.Int64 // password verifications done
	shared     NonceStore   // replaces nonces when replicas share a store
	// checks are the password checks under way, by credential and
	// client address (with the cache: see Password).
	checks singleflight.Group
}

// callerSet is the configured callers; a reload swaps it whole.
type callerSet struct {
	callers map[string]*caller
	dummy   hasher // verifies unknown users, so they cost what known ones do
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

// addressMultiple is how many user names' worth of password checks one
// client address gets: room for a gateway in front of several callers,
// and a bound on a client that tries a new name on every request.
const addressMultiple = 10

// New builds an Authenticator; it returns nil when auth is off.
func New(c config.Auth) (*Authenticator, error) {
	if c.InsecureNoAuth {
		return nil, nil
	}
	c.Defaults()
	set, err := newCallerSet(c.Callers)
	if err != nil {
		return nil, err
	}
	a := &Authenticator{
		window:     c.ReplayWindow.D(),
		now:        time.Now,
		hashes:     make(chan struct{}, c.MaxConcurrentHashes),
		hashWait:   c.MaxHashWait.D(),
		failures:   keyrate.New(c.FailureRate, c.FailureBurst),
		perAddress: keyrate.New(c.FailureRate*addressMultiple, c.FailureBurst*addressMultiple),
	}
	a.nonces.entries = map[string]time.Time{}
	if ttl := c.CacheTTL.D(); ttl > 0 {
		a.cache = newCredCache(ttl, maxCached)
	}
	a.set.Store(set)
	return a, nil
}

func newCallerSet(callers []config.Caller) (*callerSet, error) {
	set := &callerSet{callers: map[string]*caller{}}
	for i, cl := range callers {
		h, err := parseHash(cl.PasswordHash)
		if err != nil {
			return nil, fmt.Errorf("auth.callers[%d].password_hash: %v", i, err)
		}
		set.callers[strings.ToLower(cl.Name)] = &caller{name: cl.Name, hash: h, digest: cl.DigestSecret.Value()}
		if set.dummy == nil {
			set.dummy = h.dummy()
		}
	}
	if set.dummy == nil {
		// Only certificate callers: a password is checked against nothing
		// anyone knows, at the default cost.
		h, err := HashPassword("thereforebridge: no such user")
		if err != nil {
			return nil, err
		}
		set.dummy = bcryptHash(h)
	}
	return set, nil
}

// Reload replaces the callers with those of c and forgets every
// remembered credential, so a removed caller or a changed password takes
// effect at once. The other settings (cache TTL, concurrent hashes,
// failure throttle, replay window) keep their values from New.
func (a *Authenticator) Reload(c config.Auth) error {
	set, err := newCallerSet(c.Callers)
	if err != nil {
		return err
	}
	a.set.Store(set)
	a.Reset()
	return nil
}

// Reset forgets every remembered credential.
func (a *Authenticator) Reset() {
	if a.cache != nil {
		a.cache.reset()
	}
}

// SetClock replaces the clock (tests).
func (a *Authenticator) SetClock(now func() time.Time) { a.now = now }

// Verifications returns how many password hashes have been verified so
// far (for metrics and tests: a cached credential costs none).
func (a *Authenticator) Verifications() int64 { return a.verified.Load() }

// Password checks a user name and password (HTTP Basic, PasswordText)
// from the client at address client, and returns the caller's configured
// name. A remembered credential answers at once. Otherwise the check is
// refused with *Throttled when client has failed too often for user, and
// with ErrBusy when no hash could start before ctx ended; every other
// failure is ErrFailed.
func (a *Authenticator) Password(ctx context.Context, client, user, password string) (string, error) {
	if a.cache == nil {
		return a.checkPassword(ctx, client, user, password, credKey{}, 0)
	}
	key := a.cache.key(user, password)
	if name, ok := a.cache.get(key, a.now()); ok {
		return name, nil
	}
	return a.checkShared(ctx, client, user, password, key)
}

// checkShared checks a credential the cache did not hold when the caller
// looked. Calls that present the same credential from the same address
// while it is checked wait for that check and take its outcome. When a
// remembered credential expired under load, each of a client's calls in
// flight missed the cache at once, took a token of the failure budget and
// queued for a hash: a caller with the right password got 429s every
// cache_ttl (a soak at 32 calls at once: 11 in a million). The key is the
// credential's (of a fixed length) and the address, whose failure budget
// the check takes.
func (a *Authenticator) checkShared(ctx context.Context, client, user, password string, key credKey) (string, error) {
	gen := a.cache.generation() // before the check: see credCache.put
	ch := a.checks.DoChan(string(key[:])+client, func() (any, error) {
		// A call that missed the cache just before a check remembered
		// the credential, and came here after that check ended, finds it
		// now: without this look it took a token and hashed again, and
		// with the budget spent by such calls the right password got a
		// 429.
		if name, ok := a.cache.get(key, a.now()); ok {
			return name, nil
		}
		return a.checkPassword(ctx, client, user, password, key, gen)
	})
	select {
	case r := <-ch:
		return r.Val.(string), r.Err
	case <-ctx.Done():
		return "", ErrBusy
	}
}

// checkPassword is Password's check of a credential not remembered: the
// throttles, then a hash, then, with the cache, the success remembered
// under key (in generation gen).
func (a *Authenticator) checkPassword(ctx context.Context, client, user, password string, key credKey, gen uint64) (string, error) {
	set := a.set.Load()
	// Every check that needs a hash takes a token of this client's budget
	// for this user name; a remembered credential (above) takes none.
	// Nearly all that do are failures: a success is then remembered.
	if wait := a.failures.Take(client + "\x00" + strings.ToLower(user)); wait > 0 {
		return "", &Throttled{Wait: wait}
	}
	// And of the address's budget for all user names, so that a client
	// cannot buy a fresh burst of hashes with every name it makes up.
	if wait := a.perAddress.Take(client); wait > 0 {
		return "", &Throttled{Wait: wait}
	}
	c, known := set.callers[strings.ToLower(user)]
	h := set.dummy // an unknown user costs one verification like a known one
	if known {
		h = c.hash
	}
	ok, err := a.verify(ctx, h, password)
	if err != nil {
		return "", err
	}
	if !ok || !known {
		return "", ErrFailed
	}
	if a.cache != nil {
		a.cache.put(gen, key, c.name, a.now())
	}
	return c.name, nil
}

// verify runs one hash verification when a slot is free, or fails with
// ErrBusy when none frees within hashWait or ctx ends first.
func (a *Authenticator) verify(ctx context.Context, h hasher, password string) (bool, error) {
	select {
	case a.hashes <- struct{}{}:
	default:
		t := time.NewTimer(a.hashWait)
		defer t.Stop()
		select {
		case a.hashes <- struct{}{}:
		case <-ctx.Done():
			return false, ErrBusy
		case <-t.C:
			return false, ErrBusy
		}
	}
	defer func() { <-a.hashes }()
	a.verified.Add(1)
	return h.verify(password), nil
}

// Token checks a WS-Security UsernameToken from the client at address
// client; a PasswordText token is checked as Password does.
func (a *Authenticator) Token(ctx context.Context, client string, t *soap.UsernameToken) (string, error) {
	if !t.Digest() {
		return a.Password(ctx, client, t.Username, t.Password)
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
	c, ok := a.set.Load().callers[strings.ToLower(t.Username)]
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
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
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
