package resilience

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

const (
	nsMessages = "http://schemas.therefore.net/webservices/interop/v0001/messages"
	actionOOF  = nsMessages + "/IThereforeService/SaveOutOfOfficeInfoForUser"
)

// oofCall is one SaveOutOfOfficeInfoForUser for a user of the world.
type oofCall struct {
	user      string
	on        bool
	add       []string // DelegateUsersToAdd, user names of the world
	messageID string   // WS-Addressing MessageID, "" for none
	security  string   // a wsse:Security header, "" for HTTP Basic
}

func userXML(tag, name string) string {
	return `<a:` + tag + `><a:DomainName>CORP</a:DomainName><a:UserId i:nil="true"/><a:UserName>` + name +
		`</a:UserName><a:UserType>SingleUser</a:UserType></a:` + tag + `>`
}

// envelope is the SOAP 1.1 request a WCF client sends.
func (c oofCall) envelope() []byte {
	var b bytes.Buffer
	b.WriteString(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa="http://www.w3.org/2005/08/addressing"><s:Header>`)
	if c.messageID != "" {
		b.WriteString(`<wsa:MessageID>` + c.messageID + `</wsa:MessageID>`)
	}
	b.WriteString(c.security)
	b.WriteString(`</s:Header><s:Body><SaveOutOfOfficeInfoForUser xmlns="` + nsMessages + `"><parameters xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:DelegateUsers i:nil="true"/>`)
	if len(c.add) == 0 {
		b.WriteString(`<a:DelegateUsersToAdd i:nil="true"/>`)
	} else {
		b.WriteString(`<a:DelegateUsersToAdd>`)
		for _, d := range c.add {
			b.WriteString(userXML("WSUserUniversalIdentifier", d))
		}
		b.WriteString(`</a:DelegateUsersToAdd>`)
	}
	fmt.Fprintf(&b, `<a:DelegateUsersToDelete i:nil="true"/><a:IsOutOfOfficeEnabled>%v</a:IsOutOfOfficeEnabled>`, c.on)
	b.WriteString(userXML("User", c.user))
	b.WriteString(`</parameters></SaveOutOfOfficeInfoForUser></s:Body></s:Envelope>`)
	return b.Bytes()
}

// digestSecurity is a WS-Security UsernameToken with PasswordDigest, a
// fresh nonce and the current time, for the test's caller.
func digestSecurity() string {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	created := time.Now().UTC().Format(time.RFC3339)
	sum := sha1.Sum(append(append(append([]byte(nil), nonce...), created...), callerDigest...))
	return `<wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">` +
		`<wsse:UsernameToken><wsse:Username>` + callerName + `</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">` +
		base64.StdEncoding.EncodeToString(sum[:]) + `</wsse:Password><wsse:Nonce>` + base64.StdEncoding.EncodeToString(nonce) +
		`</wsse:Nonce><wsu:Created>` + created + `</wsu:Created></wsse:UsernameToken></wsse:Security>`
}

// outcome is what a client learnt of a call.
type outcome int

const (
	acked   outcome = iota // 200: the change is stored
	faulted                // an answer other than 200: nothing was stored
	refused                // the connection was refused: never sent
	cut                    // sent, no answer (the process died): unknown
)

func (o outcome) String() string { return [...]string{"200", "fault", "refused", "cut"}[o] }

// answer is one call's result.
type answer struct {
	outcome outcome
	status  int
	header  http.Header
	body    string
	err     error
}

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// send posts c to url.
func send(url string, c oofCall) answer {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(c.envelope()))
	if err != nil {
		return answer{outcome: faulted, err: err}
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+actionOOF+`"`)
	if c.security == "" {
		req.SetBasicAuth(callerName, callerPass)
	}
	resp, err := client.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &op) && op.Op == "dial") {
			return answer{outcome: refused, err: err}
		}
		return answer{outcome: cut, err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{outcome: cut, status: resp.StatusCode, err: err}
	}
	a := answer{outcome: faulted, status: resp.StatusCode, header: resp.Header, body: string(b)}
	if resp.StatusCode == http.StatusOK && strings.Contains(a.body, "SaveOutOfOfficeInfoForUserResult") {
		a.outcome = acked
	}
	return a
}
