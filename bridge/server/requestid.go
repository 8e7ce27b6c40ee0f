package server

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/labstack/echo/v4"
)

// requestID is the call's id, sent back in X-Request-ID: the client's
// own when it is short and printable, else a new one.
func requestID(c echo.Context) string {
	id := c.Request().Header.Get(echo.HeaderXRequestID)
	if !validRequestID(id) {
		id = newRequestID()
	}
	c.Response().Header().Set(echo.HeaderXRequestID, id)
	return id
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validRequestID accepts what proxies and clients commonly send (UUIDs,
// hex, base64-ish tokens) and nothing that could forge a log line.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.', r == ':', r == '+', r == '/', r == '=':
		default:
			return false
		}
	}
	return true
}
