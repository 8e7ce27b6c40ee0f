package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/internal/wcfsample"
)

// Envelope is one SOAP request every contender is fed.
type Envelope struct {
	Name   string // short, for tables and file names
	Label  string // for people
	Action string // SOAPAction
	Body   []byte // as written by -write-envelopes and sent by the start-up check
	// vary, when set, makes each call of a run a different change: the
	// bridge stores every accepted call and recognises a repeated body as
	// a client retry, so one body sent over and over would measure its
	// retry path, not its accept path.
	vary *varying
}

// varying is the part of an envelope that changes from call to call:
// Body[from:to] is replaced by make(subject, round) for each subject in
// turn; round counts how many times the subjects have been gone through.
type varying struct {
	from, to int
	make     func(subject string, round int) []byte
}

// Request returns what a load generator sends of e to url with header:
// the calls go through subjects in turn (nil: benchUsers generated
// ones), each subject's state flipping on every round, so that no call
// repeats its subject's latest change (a client retry). With 10,000
// subjects and 32 calls at once, a subject's calls are 10,000 calls
// apart, so folding has nothing pending to fold into either.
func (e Envelope) Request(url string, header http.Header, subjects []string) Request {
	r := Request{URL: url, Header: header, Body: e.Body}
	if e.vary == nil {
		return r
	}
	if subjects == nil {
		subjects = benchSubjects
	}
	v := e.vary
	r.Body = nil
	r.Prefix, r.Suffix = e.Body[:v.from], e.Body[v.to:]
	r.Variants = make([][]byte, 0, 2*len(subjects))
	for round := range 2 {
		for _, s := range subjects {
			r.Variants = append(r.Variants, v.make(s, round))
		}
	}
	return r
}

// benchUsers is how many distinct subjects the calls of a run go
// through: u00000..u09999.
const benchUsers = 10000

var benchSubjects = func() []string {
	s := make([]string, benchUsers)
	for i := range s {
		s[i] = fmt.Sprintf("u%05d", i)
	}
	return s
}()

// varyBetween returns the varying of body between the first start and the
// first end after it (end included), or panics: the envelopes are the
// harness's own.
func varyBetween(body []byte, start, end string, make func(subject string, round int) []byte) *varying {
	from := bytes.Index(body, []byte(start))
	if from < 0 {
		panic("loadbench: no " + start + " in the envelope")
	}
	n := bytes.Index(body[from:], []byte(end))
	if n < 0 {
		panic("loadbench: no " + end + " after " + start + " in the envelope")
	}
	return &varying{from: from, to: from + n + len(end), make: make}
}

const (
	nsMessages = "http://schemas.therefore.net/webservices/interop/v0001/messages"
	actionBase = nsMessages + "/IThereforeService/"
)

// Header returns the HTTP headers a WCF client sends with e (SOAP 1.1).
func (e Envelope) Header() http.Header {
	return http.Header{
		"Content-Type": {"text/xml; charset=utf-8"},
		"Soapaction":   {`"` + e.Action + `"`},
	}
}

// loadEnvelopes returns the benchmark's envelopes: the realistic OOF call a
// WCF client sent (testdata/soap/ok/wcf-oof-11) and SavePortalUser with
// 10 and with 10,000 IndexDataItems, generated.
func loadEnvelopes(root string) ([]Envelope, error) {
	oof, err := os.ReadFile(filepath.Join(root, "testdata", "soap", "ok", "wcf-oof-11", "request.xml"))
	if err != nil {
		return nil, err
	}
	// The user and the out-of-office flag are next to each other in what
	// WCF sends: the user's name goes through the subjects and the flag
	// flips every round.
	vary := varyBetween(oof, "<a:IsOutOfOfficeEnabled>", "</a:User>", func(subject string, round int) []byte {
		return fmt.Appendf(nil, `<a:IsOutOfOfficeEnabled>%t</a:IsOutOfOfficeEnabled><a:User><a:DomainName>CORP</a:DomainName>`+
			`<a:UserId i:nil="true"/><a:UserName>%s</a:UserName><a:UserType>SingleUser</a:UserType></a:User>`, round%2 == 0, subject)
	})
	return []Envelope{
		{Name: "oof", Label: "SaveOutOfOfficeInfoForUser (WCF, testdata/soap/ok/wcf-oof-11)", Action: actionBase + "SaveOutOfOfficeInfoForUser", Body: oof, vary: vary},
		portalEnvelope(10),
		portalEnvelope(10000),
	}, nil
}

// portalEnvelope returns a SavePortalUser envelope with n IndexDataItems
// (wcfsample.SavePortalUser).
func portalEnvelope(n int) Envelope {
	label := fmt.Sprintf("SavePortalUser, %s IndexDataItems (generated)", thousands(int64(n)))
	body := wcfsample.SavePortalUser(n)
	// A portal user is known by its e-mail address, SUBJECT@example.com,
	// and the category flips every round.
	vary := varyBetween(body, "<a:CtgryNo>", "</a:Email>", func(subject string, round int) []byte {
		return fmt.Appendf(nil, `<a:CtgryNo>%d</a:CtgryNo><a:Email>%s@example.com</a:Email>`, round%2, subject)
	})
	return Envelope{Name: fmt.Sprintf("portal-%d", n), Label: label, Action: wcfsample.SavePortalUserAction, Body: body, vary: vary}
}

// thousands formats n with commas: 10000 -> "10,000".
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var out strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out.WriteByte(',')
		}
		out.WriteRune(c)
	}
	return out.String()
}
