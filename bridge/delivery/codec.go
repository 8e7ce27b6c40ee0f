package delivery

import (
	"encoding/json"
	"errors"
	"fmt"
)

// encode is the stored form of c: JSON, with a portal user's password
// sealed. secret reports whether the payload holds one, so that it can be
// erased once every vendor has it.
func (e *Engine) encode(c *Change) (payload []byte, secret int, err error) {
	stored := *c
	if c.Portal != nil && c.Portal.PortalUser != nil && c.Portal.PortalUser.UserPwd != nil {
		if e.sealer == nil {
			return nil, 0, errors.New("a SavePortalUser password cannot be stored: delivery.encryption_key is not set")
		}
		p, u := *c.Portal, *c.Portal.PortalUser
		sealed := e.sealer.seal(*u.UserPwd)
		u.UserPwd = &sealed
		p.PortalUser = &u
		stored.Portal = &p
		secret = 1
	}
	payload, err = json.Marshal(&stored)
	return payload, secret, err
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
