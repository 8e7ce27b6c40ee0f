package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// call is one request that passed the document's checks.
type call struct {
	r    *http.Request
	body []byte
	vars map[string]string
}

func (c *call) id(name string) int {
	n, _ := strconv.Atoi(c.vars[name]) // the document made it an integer
	return n
}

// handle answers an operation, by its operationId in the document.
func (f *Fake) handle(op string, c *call) (int, any) {
	switch op {
	case "postLogin":
		return f.login(c)
	case "getUserDomains":
		return f.listDomains()
	case "getUsers":
		return f.listUsers(c)
	case "oofSizeLarge": // sic: the document's id of GET .../oof
		return f.withUser(c, f.getOOF)
	case "setOofSize":
		return f.withUser(c, f.setOOF)
	case "getDelegates":
		return f.withUser(c, f.getDelegates)
	case "putDelegates":
		return f.withUser(c, f.setDelegates)
	}
	return http.StatusNotImplemented, msg("operation " + op + " is not implemented by the grommunio fake")
}

// login is endpoints/misc.py's login: both form fields or 400, the right
// pair or 401.
func (f *Fake) login(c *call) (int, any) {
	form, err := url.ParseQuery(string(c.body))
	if err != nil || !form.Has("user") || !form.Has("pass") {
		return http.StatusBadRequest, msg("Incomplete login form")
	}
	if form.Get("user") != DemoUser || form.Get("pass") != DemoPassword {
		return http.StatusUnauthorized, map[string]string{"message": "Login failed", "error": "Invalid username or password"}
	}
	jwt := f.newJWT(form.Get("user"))
	return http.StatusOK, map[string]string{"grommunioAuthJwt": jwt, "csrf": csrfOf(jwt)}
}

func (f *Fake) listDomains() (int, any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data := []map[string]any{}
	for _, d := range f.domains {
		data = append(data, map[string]any{"ID": d.ID, "orgID": 0, "domainname": d.Name, "displayname": d.Name, "domainStatus": 0})
	}
	return http.StatusOK, map[string]any{"data": data}
}

// listUsers filters by the username parameter (an exact, case-insensitive
// match, as MySQL compares it) and by limit/offset.
func (f *Fake) listUsers(c *call) (int, any) {
	q := c.r.URL.Query()
	limit, offset := 50, 0
	if v, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = v
	}
	if v, err := strconv.Atoi(q.Get("offset")); err == nil {
		offset = v
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var match []map[string]any
	for _, u := range f.sortedUsers() {
		if u.DomainID == c.id("domainID") && (!q.Has("username") || strings.EqualFold(u.Username, q.Get("username"))) {
			match = append(match, map[string]any{"ID": u.ID, "username": u.Username, "domainID": u.DomainID, "status": 0})
		}
	}
	data := []map[string]any{}
	for i := offset; i < len(match) && i < offset+limit; i++ {
		data = append(data, match[i])
	}
	return http.StatusOK, map[string]any{"count": len(match), "data": data}
}

// withUser finds the user of the path under the fake's lock, or answers 404.
func (f *Fake) withUser(c *call, h func(*call, *user) (int, any)) (int, any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[c.id("userID")]
	if !ok || u.DomainID != c.id("domainID") {
		return http.StatusNotFound, msg("User not found")
	}
	return h(c, u)
}

func (f *Fake) getOOF(_ *call, u *user) (int, any) { return http.StatusOK, u.oof }

// oofFields are the members of userOofState; PUT keeps the ones sent with
// a value and resets the rest (state and externalAudience to 0).
var oofFields = []string{"state", "externalAudience", "startTime", "endTime",
	"internalSubject", "internalReply", "externalSubject", "externalReply"}

func (f *Fake) setOOF(c *call, u *user) (int, any) {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(c.body, &in); err != nil || len(in) == 0 {
		return http.StatusBadRequest, msg("Missing or incomplete data")
	}
	oof := map[string]json.RawMessage{"state": json.RawMessage("0"), "externalAudience": json.RawMessage("0")}
	for _, k := range oofFields {
		if v, ok := in[k]; ok && !bytes.Equal(v, []byte("null")) {
			oof[k] = v
		}
	}
	u.oof = oof
	f.history.Record(u.Username, u.state())
	return http.StatusOK, msg("Success")
}

func (f *Fake) getDelegates(_ *call, u *user) (int, any) {
	return http.StatusOK, map[string]any{"data": append([]string{}, u.delegates...)}
}

// email is the check grommunio makes on each delegate (tools/formats).
var email = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func (f *Fake) setDelegates(c *call, u *user) (int, any) {
	var list []string
	if err := json.Unmarshal(c.body, &list); err != nil || list == nil {
		return http.StatusBadRequest, msg("Invalid or missing data")
	}
	for _, e := range list {
		if !email.MatchString(e) {
			// vendors.md: an invalid address can come back as 200 with a
			// message; nothing is written.
			return http.StatusOK, msg(fmt.Sprintf("Invalid delegates e-mail '%s'", e))
		}
	}
	u.delegates = list
	f.history.Record(u.Username, u.state())
	return http.StatusOK, msg("Delegates updated")
}
