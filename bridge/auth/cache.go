package auth

import (
	"container/list"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"
	"time"
)

// maxCached bounds the remembered credentials; the least recently used
// go first.
const maxCached = 10_000

// credKey is HMAC-SHA-256(per-process key, user, password): it names a
// credential without holding the password, and is worthless outside this
// process.
type credKey [sha256.Size]byte

// credCache remembers verified credentials for ttl, at most max of them.
// Only successes are ever put in it.
type credCache struct {
	ttl  time.Duration
	max  int
	macs sync.Pool // of hash.Hash keyed with this process's random key

	mu      sync.Mutex
	gen     uint64 // bumped by reset: a check begun before it is not kept
	entries map[credKey]*list.Element
	lru     list.List // of *cached, most recently used first
}

type cached struct {
	key     credKey
	name    string
	expires time.Time
}

func newCredCache(ttl time.Duration, max int) *credCache {
	secret := make([]byte, 32)
	rand.Read(secret) // never fails (crypto/rand panics rather than return short)
	c := &credCache{ttl: ttl, max: max, entries: map[credKey]*list.Element{}}
	c.macs.New = func() any { return &mac{h: hmac.New(sha256.New, secret), buf: make([]byte, 0, 128)} }
	return c
}

// mac is a keyed HMAC with a scratch buffer, pooled so that the per-call
// key costs no allocation.
type mac struct {
	h   hash.Hash
	buf []byte
}

// key is the credential's keyed hash; the user name's length goes first so
// that no other (user, password) split of the same bytes gives the same
// key.
func (c *credCache) key(user, password string) credKey {
	m := c.macs.Get().(*mac)
	m.h.Reset()
	m.buf = binary.BigEndian.AppendUint32(m.buf[:0], uint32(len(user)))
	m.buf = append(append(m.buf, user...), password...)
	m.h.Write(m.buf)
	var k credKey
	m.buf = m.h.Sum(m.buf[:0])
	copy(k[:], m.buf)
	clear(m.buf[:cap(m.buf)]) // no password left in the pool
	if cap(m.buf) <= 1024 {
		c.macs.Put(m)
	}
	return k
}

// get returns the caller name remembered for k, if it has not expired.
func (c *credCache) get(k credKey, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return "", false
	}
	v := e.Value.(*cached)
	if !now.Before(v.expires) {
		c.lru.Remove(e)
		delete(c.entries, k)
		return "", false
	}
	c.lru.MoveToFront(e)
	return v.name, true
}

// generation is read before a check starts and handed to put.
func (c *credCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put remembers a verified credential, unless the cache was reset since
// gen was read: the check may then have used callers that are gone.
func (c *credCache) put(gen uint64, k credKey, name string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if e, ok := c.entries[k]; ok {
		v := e.Value.(*cached)
		v.name, v.expires = name, now.Add(c.ttl)
		c.lru.MoveToFront(e)
		return
	}
	for c.lru.Len() >= c.max {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(*cached).key)
	}
	c.entries[k] = c.lru.PushFront(&cached{key: k, name: name, expires: now.Add(c.ttl)})
}

// reset forgets everything, and any check still running.
func (c *credCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
	c.lru.Init()
}

// len is the number of remembered credentials (tests).
func (c *credCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
