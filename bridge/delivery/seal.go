package delivery

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// sealPrefix marks a sealed value in a stored change.
const sealPrefix = "sealed:v1:"

// sealer encrypts the one secret a change can carry, SavePortalUser's
// UserPwd, with AES-256-GCM, so the store never holds it in the clear.
type sealer struct{ aead cipher.AEAD }

// newSealer takes a 32-byte key.
func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("the encryption key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain string) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return sealPrefix + base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), nil))
}

func (s *sealer) open(v string) (string, error) {
	if !strings.HasPrefix(v, sealPrefix) {
		return v, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(v[len(sealPrefix):])
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("a sealed value is damaged")
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], nil)
	if err != nil {
		return "", errors.New("a sealed value cannot be opened with the configured delivery.encryption_key")
	}
	return string(plain), nil
}
