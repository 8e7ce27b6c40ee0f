package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is the replay window Verify applies when given none.
const DefaultTolerance = 5 * time.Minute

// signaturePrefix names the algorithm, so that a receiver can tell a
// future scheme from this one.
const signaturePrefix = "sha256="

// Errors of Verify; test them with errors.Is.
var (
	ErrBadSignature = errors.New("webhook: the signature does not match")
	ErrBadTimestamp = errors.New("webhook: the timestamp is not unix seconds")
	ErrStale        = errors.New("webhook: the timestamp is outside the accepted window")
)

// Sign returns the signature header value of body sent at timestamp (unix
// seconds as a decimal string): "sha256=" + hex(HMAC-SHA256(secret,
// timestamp + "." + body)). Signing the timestamp with the body is what
// lets a receiver reject a replayed request.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a received webhook for receivers: the signature must be
// Sign(secret, timestamp, body), and the timestamp within tolerance of now
// either way (DefaultTolerance when tolerance <= 0). The signature is
// checked first, in constant time, so an unsigned request learns nothing
// about the receiver's clock. Receivers that must never apply an event
// twice also remember request_id: a retry by the bridge is a new request
// with a new timestamp and the same request_id.
func Verify(secret, timestamp, body, signature string, now time.Time, tolerance time.Duration) error {
	got, ok := strings.CutPrefix(strings.TrimSpace(signature), signaturePrefix)
	if !ok {
		return fmt.Errorf("%w: expected %s<hex>", ErrBadSignature, signaturePrefix)
	}
	gotMAC, err := hex.DecodeString(got)
	if err != nil {
		return fmt.Errorf("%w: not hex", ErrBadSignature)
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, timestamp, []byte(body)), signaturePrefix))
	if !hmac.Equal(gotMAC, want) {
		return ErrBadSignature
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrBadTimestamp, timestamp)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if skew := now.Sub(time.Unix(sec, 0)).Abs(); skew > tolerance {
		return fmt.Errorf("%w: %s away from now, more than %s", ErrStale, skew.Truncate(time.Second), tolerance)
	}
	return nil
}
