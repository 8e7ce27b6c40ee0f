package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/generated"
)

const callSynopsis = `usage:
  thereforebridge call oof    [-url URL] [-soap12] [-basic USER:PASSWORD] [-user DOMAIN\name | -userid N] (-on | -off) [-add DOMAIN\name]... [-delete DOMAIN\name]...
  thereforebridge call portal [-url URL] [-soap12] [-basic USER:PASSWORD] -email ADDR (-query N | -category N) [-name NAME] [-password PWD]

Sends one SOAP call, encoded from the generated types, to a bridge (or to
Therefore itself) and prints the HTTP status and the reply. Without -user
the call is for the connected user.
`

// call's exit codes beyond the shared ones: a script can tell "the bridge
// said no" from "there is no bridge".
const (
	exitFault       = 3 // the bridge answered with a SOAP fault
	exitUnreachable = 4 // no answer: connection refused, DNS, TLS, timeout
)

const callFooter = `exit status:
  0  the call succeeded
  1  the reply was neither a success nor a SOAP fault (e.g. HTTP 404 from a wrong -url)
  2  wrong command line; nothing was sent
  3  the bridge answered with a SOAP fault (printed)
  4  could not reach the bridge (connection refused, DNS, TLS, timeout)`

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// callOperations are call's sub-subcommands; each declares its flags on fs
// and returns a function that builds the request body once they are
// parsed (ok false: a usage error, already reported).
var callOperations = []struct {
	name  string
	flags func(fs *cmdFlags) func() (body any, op string, ok bool)
}{
	{"oof", oofFlags},
	{"portal", portalFlags},
}

// callSettings are the flags every call operation has.
type callSettings struct {
	url, basic string
	soap12     bool
	timeout    time.Duration
}

func (s *callSettings) register(fs *cmdFlags) {
	fs.StringVar(&s.url, "url", "http://127.0.0.1:8080/theservice/v0001/soapun", "endpoint URL")
	fs.BoolVar(&s.soap12, "soap12", false, "send SOAP 1.2 instead of 1.1")
	fs.StringVar(&s.basic, "basic", "", "HTTP Basic credentials USER:PASSWORD (the embedded demo: demo:demo-password)")
	fs.DurationVar(&s.timeout, "timeout", 60*time.Second, "give up waiting for the reply after this long")
}

// check refuses settings that would send something other than what was
// asked for, such as -basic without a colon (no credentials at all).
func (s *callSettings) check(fs *cmdFlags) bool {
	if s.basic != "" && !strings.Contains(s.basic, ":") {
		fs.usageError("-basic wants USER:PASSWORD, got no colon")
		return false
	}
	u, err := url.Parse(s.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fs.usageError("-url wants an http:// or https:// URL, got %q", s.url)
		return false
	}
	return true
}

func call(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		for _, o := range callOperations {
			if o.name == args[0] {
				return callOperation(o.name, o.flags, args[1:], stdout, stderr)
			}
		}
	}
	// No operation: the usage of both. -h asks for it; anything else is a
	// usage error.
	w, code := stderr, exitUsage
	if len(args) == 1 && isHelp(args[0]) {
		w, code = stdout, exitOK
	} else if len(args) > 0 {
		fmt.Fprintf(stderr, "thereforebridge call: unknown operation %q (want oof or portal)\n\n", args[0])
	}
	fmt.Fprint(w, callSynopsis)
	for _, o := range callOperations {
		fs := newCmdFlags("call "+o.name, "", stdout, stderr)
		new(callSettings).register(fs)
		o.flags(fs)
		fmt.Fprintf(w, "\nflags of call %s:\n", o.name)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	fmt.Fprint(w, "\n"+callFooter+"\n")
	return code
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

func callOperation(name string, flags func(*cmdFlags) func() (any, string, bool), args []string, stdout, stderr io.Writer) int {
	fs := newCmdFlags("call "+name, callSynopsis, stdout, stderr)
	fs.footer = callFooter
	var s callSettings
	s.register(fs)
	build := flags(fs)
	if _, code, ok := fs.parse(args, 0); !ok {
		return code
	}
	if !s.check(fs) {
		return exitUsage
	}
	body, op, ok := build()
	if !ok {
		return exitUsage
	}
	return send(s, body, op, stdout, stderr)
}

func oofFlags(fs *cmdFlags) func() (any, string, bool) {
	user := fs.String("user", "", `the user, DOMAIN\name (default: the connected user)`)
	userID := fs.Int("userid", 0, "the user's Therefore id")
	on := fs.Bool("on", false, "turn out-of-office on")
	off := fs.Bool("off", false, "turn out-of-office off")
	var add, del listFlag
	fs.Var(&add, "add", `a delegate to add, DOMAIN\name (repeatable)`)
	fs.Var(&del, "delete", `a delegate to delete, DOMAIN\name (repeatable)`)
	return func() (any, string, bool) {
		if *on && *off {
			fs.usageError("-on and -off exclude each other")
			return nil, "", false
		}
		p := &generated.SaveOutOfOfficeInfoForUserParams{}
		if *user != "" || *userID != 0 {
			p.User = identifier(*user, int32(*userID))
		}
		if *on || *off {
			v := *on
			p.IsOutOfOfficeEnabled = &v
		}
		p.DelegateUsersToAdd = identifiers(add)
		p.DelegateUsersToDelete = identifiers(del)
		return &generated.SaveOutOfOfficeInfoForUser{Parameters: p}, contract.SaveOutOfOfficeInfoForUser, true
	}
}

func portalFlags(fs *cmdFlags) func() (any, string, bool) {
	email := fs.String("email", "", "the portal user's e-mail (required)")
	query := fs.Int("query", 0, "QueryNo")
	category := fs.Int("category", 0, "CtgryNo")
	name := fs.String("name", "", "UserName")
	pwd := fs.String("password", "", "UserPwd")
	return func() (any, string, bool) {
		u := &generated.WSPortalUser{Email: email, QueryNo: int32(*query), CtgryNo: int32(*category)}
		if *name != "" {
			u.UserName = name
		}
		if *pwd != "" {
			u.UserPwd = pwd
		}
		return &generated.SavePortalUser{Parameters: &generated.SavePortalUserParams{PortalUser: u}}, contract.SavePortalUser, true
	}
}

// send posts the envelope and maps the outcome to call's exit codes.
func send(s callSettings, body any, op string, stdout, stderr io.Writer) int {
	env, ct, err := envelope(body, op, s.soap12)
	if err != nil {
		fmt.Fprintln(stderr, "call:", err)
		return exitError
	}
	req, err := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(env))
	if err != nil {
		fmt.Fprintln(stderr, "call:", err)
		return exitUsage
	}
	req.Header.Set("Content-Type", ct)
	if !s.soap12 {
		req.Header.Set("SOAPAction", `"`+contract.Operations().ByElement(xmlNameOf(op)).Action+`"`)
	}
	if u, p, ok := strings.Cut(s.basic, ":"); ok {
		req.SetBasicAuth(u, p)
	}
	resp, err := (&http.Client{Timeout: s.timeout}).Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "call: could not reach the bridge:", err)
		return exitUnreachable
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Fprintf(stdout, "HTTP %d %s\n%s\n", resp.StatusCode, resp.Header.Get("Content-Type"), reply)
	switch {
	case err != nil:
		fmt.Fprintln(stderr, "call: the reply broke off:", err)
		return exitUnreachable
	case isFault(reply):
		return exitFault
	case resp.StatusCode != http.StatusOK:
		fmt.Fprintf(stderr, "call: HTTP %d without a SOAP fault: is -url the bridge's endpoint?\n", resp.StatusCode)
		return exitError
	}
	return exitOK
}

// isFault reports whether reply is a SOAP envelope (1.1 or 1.2) whose Body
// holds a Fault.
func isFault(reply []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(reply))
	depth, inBody := 0, false
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			// Envelope is depth 1, Header and Body depth 2, the Body's
			// first child depth 3.
			switch {
			case depth == 2:
				inBody = t.Name.Local == "Body"
			case depth == 3 && inBody:
				return t.Name.Local == "Fault"
			}
		case xml.EndElement:
			depth--
		}
	}
}

func xmlNameOf(op string) xml.Name {
	return xml.Name{Space: contract.MessagesNS, Local: op}
}

func identifier(s string, id int32) *generated.WSUserUniversalIdentifier {
	t := generated.WSUserTypeSingleUser
	u := &generated.WSUserUniversalIdentifier{UserType: &t}
	if id != 0 {
		u.UserId = &id
	}
	if s != "" {
		domain, name, ok := strings.Cut(s, `\`)
		if !ok {
			domain, name = "", s
		}
		if domain != "" {
			u.DomainName = &domain
		}
		u.UserName = &name
	}
	return u
}

func identifiers(l []string) *generated.ArrayOfWSUserUniversalIdentifier {
	if len(l) == 0 {
		return nil
	}
	a := &generated.ArrayOfWSUserUniversalIdentifier{}
	for _, s := range l {
		a.WSUserUniversalIdentifier = append(a.WSUserUniversalIdentifier, identifier(s, 0))
	}
	return a
}

// envelope marshals body with the generated types' tags into a SOAP envelope.
func envelope(body any, op string, soap12 bool) ([]byte, string, error) {
	inner, err := xml.Marshal(body)
	if err != nil {
		return nil, "", err
	}
	ns, ct := "http://schemas.xmlsoap.org/soap/envelope/", "text/xml; charset=utf-8"
	if soap12 {
		ns = "http://www.w3.org/2003/05/soap-envelope"
		ct = `application/soap+xml; charset=utf-8; action="` + contract.Operations().ByElement(xmlNameOf(op)).Action + `"`
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="` + ns + `"><s:Body>`)
	b.Write(inner)
	b.WriteString(`</s:Body></s:Envelope>`)
	return b.Bytes(), ct, nil
}
