package delivery

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	var pwd *string
	if c.Portal != nil {
		params, field = c.Portal, "portal"
		if c.Portal.PortalUser != nil {
			pwd = c.Portal.PortalUser.UserPwd
		}
	}
	if pwd != nil && e.sealer == nil {
		return nil, "", 0, errors.New("a SavePortalUser password cannot be stored: delivery.encryption_key is not set")
	}
	// The change without its parameters, then the parameters as they are
	// encoded, in the one buffer that is stored.
	head := *c
	head.OOF, head.Portal = nil, nil
	h, err := json.Marshal(&head)
	if err != nil {
		return nil, "", 0, err
	}
	payload = append(h[:len(h)-1:len(h)-1], `,"`+field+`":`...)
	at := len(payload)
	if pwd == nil {
		if payload, err = fanout.AppendJSON(payload, params, 1); err != nil {
			return nil, "", 0, err
		}
		c.params = payload[at:len(payload):len(payload)]
		return append(payload, '}'), bodyHash(c.Operation, c.Caller, c.params), 0, nil
	}
	// The calls keep the plain encoding (the webhook may send the
	// password); the store gets it with the password sealed.
	if c.params, err = fanout.MarshalJSON(params); err != nil {
		return nil, "", 0, err
	}
	sealed := e.sealer.seal(*pwd)
	payload = slices.Grow(payload, len(c.params)+len(sealed)+1)
	if payload, err = fanout.AppendPortalPasswordJSON(payload, c.Portal, c.params, sealed); err != nil {
		return nil, "", 0, err
	}
	return append(payload, '}'), bodyHash(c.Operation, c.Caller, c.params), 1, nil
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
