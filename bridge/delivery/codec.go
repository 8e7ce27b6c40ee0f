package delivery

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

// encode is the stored form of c (JSON, a portal user's password sealed)
// and its body hash (see bodyHash). The parameters, megabytes for
// a large SavePortalUser, are encoded once for both. secret reports
// whether the payload holds a sealed password, so that it can be erased
// once every vendor has it.
func (e *Engine) encode(c *Change) (payload []byte, hash string, secret int, err error) {
	var params any = c.OOF
	field := "oof"
	if c.Portal != nil {
		params, field = c.Portal, "portal"
	}
	plain, err := fanout.MarshalJSON(params)
	if err != nil {
		return nil, "", 0, err
	}
	c.params = plain
	hash = bodyHash(c.Operation, c.Caller, plain)
	stored := plain
	if c.Portal != nil && c.Portal.PortalUser != nil && c.Portal.PortalUser.UserPwd != nil {
		if e.sealer == nil {
			return nil, "", 0, errors.New("a SavePortalUser password cannot be stored: delivery.encryption_key is not set")
		}
		if stored, err = fanout.PortalPasswordJSON(c.Portal, plain, e.sealer.seal(*c.Portal.PortalUser.UserPwd)); err != nil {
			return nil, "", 0, err
		}
		secret = 1
	}
	// The change without its parameters, then the parameters spliced in
	// as they were encoded, rather than encoding them again.
	head := *c
	head.OOF, head.Portal = nil, nil
	h, err := json.Marshal(&head)
	if err != nil {
		return nil, "", 0, err
	}
	var b bytes.Buffer
	b.Grow(len(h) + len(stored) + len(field) + 4)
	b.Write(h[:len(h)-1])
	b.WriteString(`,"` + field + `":`)
	b.Write(stored)
	b.WriteByte('}')
	return b.Bytes(), hash, secret, nil
}

// bodyHash makes two calls "the same body" when they are the same
// operation from the same caller with the same decoded parameters, so
// that headers (a new WS-Security timestamp, a new MessageID) do not make
// a retry look new, while any change of a value does.
func bodyHash(operation, caller string, params []byte) string {
	h := sha256.New()
	h.Write([]byte(operation + "\n" + strings.ToLower(caller) + "\n"))
	h.Write(params)
	return hex.EncodeToString(h.Sum(nil))
}

// decode reads a stored change back, opening a sealed password.
func (e *Engine) decode(payload []byte) (*Change, error) {
	var c Change
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("a stored change does not decode: %w", err)
	}
	if c.Portal != nil && c.Portal.PortalUser != nil && c.Portal.PortalUser.UserPwd != nil && e.sealer != nil {
		plain, err := e.sealer.open(*c.Portal.PortalUser.UserPwd)
		if err != nil {
			return nil, err
		}
		c.Portal.PortalUser.UserPwd = &plain
	}
	return &c, nil
}
