package auth

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

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
