package main

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/generated"
)

const callUsage = `usage:
  thereforebridge call oof    [-url URL] [-soap12] [-user DOMAIN\name | -userid N] (-on | -off) [-add DOMAIN\name]... [-delete DOMAIN\name]...
  thereforebridge call portal [-url URL] [-soap12] -email ADDR (-query N | -category N) [-name NAME] [-password PWD]

Sends one SOAP call, encoded from the generated types, to a bridge (or to
Therefore itself) and prints the reply. Without -user the call is for the
connected user.
`

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func call(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "oof" && args[0] != "portal") {
		fmt.Fprint(stderr, callUsage)
		return 2
	}
	fs := flag.NewFlagSet("call "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080/theservice/v0001/soapun", "endpoint URL")
	soap12 := fs.Bool("soap12", false, "send SOAP 1.2 instead of 1.1")
	basic := fs.String("basic", "", "HTTP Basic credentials user:password (the embedded demo: demo:demo-password)")
	var body any
	var op string
	switch args[0] {
	case "oof":
		user := fs.String("user", "", `the user, DOMAIN\name (default: the connected user)`)
		userID := fs.Int("userid", 0, "the user's Therefore id")
		on := fs.Bool("on", false, "turn out-of-office on")
		off := fs.Bool("off", false, "turn out-of-office off")
		var add, del listFlag
		fs.Var(&add, "add", `a delegate to add, DOMAIN\name (repeatable)`)
		fs.Var(&del, "delete", `a delegate to delete, DOMAIN\name (repeatable)`)
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		if *on && *off {
			fmt.Fprintln(stderr, "call oof: -on and -off exclude each other")
			return 2
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
		body, op = &generated.SaveOutOfOfficeInfoForUser{Parameters: p}, contract.SaveOutOfOfficeInfoForUser
	case "portal":
		email := fs.String("email", "", "the portal user's e-mail (required)")
		query := fs.Int("query", 0, "QueryNo")
		category := fs.Int("category", 0, "CtgryNo")
		name := fs.String("name", "", "UserName")
		pwd := fs.String("password", "", "UserPwd")
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		u := &generated.WSPortalUser{Email: email, QueryNo: int32(*query), CtgryNo: int32(*category)}
		if *name != "" {
			u.UserName = name
		}
		if *pwd != "" {
			u.UserPwd = pwd
		}
		body, op = &generated.SavePortalUser{Parameters: &generated.SavePortalUserParams{PortalUser: u}}, contract.SavePortalUser
	}
	env, ct, err := envelope(body, op, *soap12)
	if err != nil {
		fmt.Fprintln(stderr, "call:", err)
		return 1
	}
	req, err := http.NewRequest(http.MethodPost, *url, bytes.NewReader(env))
	if err != nil {
		fmt.Fprintln(stderr, "call:", err)
		return 2
	}
	req.Header.Set("Content-Type", ct)
	if !*soap12 {
		req.Header.Set("SOAPAction", `"`+contract.Operations().ByElement(xmlNameOf(op)).Action+`"`)
	}
	if u, p, ok := strings.Cut(*basic, ":"); ok {
		req.SetBasicAuth(u, p)
	}
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "call:", err)
		return 1
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Fprintf(stdout, "HTTP %d %s\n%s\n", resp.StatusCode, resp.Header.Get("Content-Type"), reply)
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
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
