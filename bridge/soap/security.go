package soap

import (
	"encoding/xml"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/xmltok"
)

// WS-Security namespaces (OASIS 2004).
const (
	WSSE           = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	WSU            = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	PasswordText   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
	PasswordDigest = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
)

// FailedAuthentication is the WS-Security fault subcode for bad credentials.
var FailedAuthentication = xml.Name{Space: WSSE, Local: "FailedAuthentication"}

// UsernameToken is a WS-Security UsernameToken as received.
type UsernameToken struct {
	Username     string
	Password     string
	PasswordType string // PasswordText (also when absent) or PasswordDigest
	Nonce        string // base64, as sent
	Created      string // xs:dateTime, as sent
}

// Digest reports whether the password is a PasswordDigest.
func (t *UsernameToken) Digest() bool { return t.PasswordType == PasswordDigest }

type securityHeader struct {
	Token *struct {
		Username string `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Username"`
		Password struct {
			Type  string `xml:"Type,attr"`
			Value string `xml:",chardata"`
		} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Password"`
		Nonce   string `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Nonce"`
		Created string `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd Created"`
	} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd UsernameToken"`
}

// readSecurity reads a wsse:Security header block (its start tag taken).
// Only a UsernameToken is understood; a Security header without one (a
// signature, say) is left not understood.
func (e *envelopeReader) readSecurity(h xml.StartElement) (bool, error) {
	raw, err := xmltok.ReadRaw(e.r, h)
	if err != nil {
		return false, err
	}
	var s securityHeader
	if err := xml.Unmarshal(raw, &s); err != nil || s.Token == nil {
		return false, nil
	}
	e.req.Security = s.token()
	return true, nil
}

// token returns the UsernameToken of the header, or nil.
func (s *securityHeader) token() *UsernameToken {
	t := s.Token
	if t == nil {
		return nil
	}
	typ := strings.TrimSpace(t.Password.Type)
	if typ == "" {
		typ = PasswordText
	}
	return &UsernameToken{
		Username:     strings.TrimSpace(t.Username),
		Password:     t.Password.Value,
		PasswordType: typ,
		Nonce:        strings.TrimSpace(t.Nonce),
		Created:      strings.TrimSpace(t.Created),
	}
}
