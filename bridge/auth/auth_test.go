package auth_test

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
	"github.com/thereforebridge/thereforebridge/bridge/config"
	_ "github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
)

func argon2Hash(p string) string {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(p), salt, 1, 8*1024, 1, 32)
	return "$argon2id$v=19$m=8192,t=1,p=1$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)
}

func newAuth(t *testing.T) *auth.Authenticator {
	t.Helper()
	bh, err := auth.HashPassword("bcrypt-pw")
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(config.Auth{ReplayWindow: config.Duration(5 * time.Minute), Callers: []config.Caller{
		{Name: "alice", PasswordHash: bh, DigestSecret: config.NewSecret("digest-pw")},
		{Name: "Bob", PasswordHash: argon2Hash("argon-pw")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPassword(t *testing.T) {
	a := newAuth(t)
	tests := []struct {
		user, pw, want string
		ok             bool
	}{
		{"alice", "bcrypt-pw", "alice", true},
		{"ALICE", "bcrypt-pw", "alice", true},
		{"alice", "wrong", "", false},
		{"bob", "argon-pw", "Bob", true},
		{"bob", "argon-pw ", "", false},
		{"mallory", "bcrypt-pw", "", false},
		{"", "", "", false},
	}
	for _, tc := range tests {
		got, err := a.Password(context.Background(), "192.0.2.1", tc.user, tc.pw)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Password(%q, %q) = %q, %v; want %q ok=%v", tc.user, tc.pw, got, err, tc.want, tc.ok)
		}
		if err != nil && err != auth.ErrFailed {
			t.Errorf("failure %v is not the one ErrFailed", err)
		}
	}
}

func digestToken(user, pw string, nonce []byte, created string) *soap.UsernameToken {
	sum := sha1.Sum(append(append(append([]byte(nil), nonce...), created...), pw...))
	return &soap.UsernameToken{Username: user, Password: base64.StdEncoding.EncodeToString(sum[:]), PasswordType: soap.PasswordDigest,
		Nonce: base64.StdEncoding.EncodeToString(nonce), Created: created}
}

func TestDigestAndReplay(t *testing.T) {
	a := newAuth(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a.SetClock(func() time.Time { return now })
	created := now.Add(-time.Minute).Format(time.RFC3339)
	tok := digestToken("alice", "digest-pw", []byte("nonce-1"), created)
	if who, err := a.Token(context.Background(), "192.0.2.1", tok); err != nil || who != "alice" {
		t.Fatalf("valid digest: %q %v", who, err)
	}
	if _, err := a.Token(context.Background(), "192.0.2.1", tok); err == nil {
		t.Error("the same nonce was accepted twice (replay)")
	}
	tests := []struct {
		name string
		tok  *soap.UsernameToken
	}{
		{"wrong password", digestToken("alice", "nope", []byte("n2"), created)},
		{"too old", digestToken("alice", "digest-pw", []byte("n3"), now.Add(-10*time.Minute).Format(time.RFC3339))},
		{"from the future", digestToken("alice", "digest-pw", []byte("n4"), now.Add(10*time.Minute).Format(time.RFC3339))},
		{"no digest secret configured", digestToken("bob", "argon-pw", []byte("n5"), created)},
		{"unknown user", digestToken("mallory", "digest-pw", []byte("n6"), created)},
		{"bad created", digestToken("alice", "digest-pw", []byte("n7"), "yesterday")},
	}
	for _, tc := range tests {
		if _, err := a.Token(context.Background(), "192.0.2.1", tc.tok); err != auth.ErrFailed {
			t.Errorf("%s: %v, want ErrFailed", tc.name, err)
		}
	}
	// PasswordText goes through the password hash.
	if who, err := a.Token(context.Background(), "192.0.2.1", &soap.UsernameToken{Username: "bob", Password: "argon-pw", PasswordType: soap.PasswordText}); err != nil || who != "Bob" {
		t.Errorf("PasswordText: %q %v", who, err)
	}
}

func TestConfigRefusals(t *testing.T) {
	if _, err := auth.New(config.Auth{Callers: []config.Caller{{Name: "x", PasswordHash: "$2a$10$short"}}}); err == nil {
		t.Error("a malformed bcrypt hash was accepted")
	}
	if _, err := auth.New(config.Auth{Callers: []config.Caller{{Name: "x", PasswordHash: "$argon2id$v=19$m=1$x$y"}}}); err == nil {
		t.Error("a malformed argon2id hash was accepted")
	}
	if a, err := auth.New(config.Auth{InsecureNoAuth: true}); a != nil || err != nil {
		t.Errorf("insecure mode: %v %v, want no authenticator", a, err)
	}
}
