package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// errorBody is SuperOffice's error answer.
type errorBody struct {
	Error        bool   `json:"Error"`
	ErrorType    string `json:"ErrorType"`
	ErrorMessage string `json:"ErrorMessage"`
	ErrorSource  string `json:"ErrorSource"`
}

// user is the part of SuperOffice's User entity the fake fills in; the
// real one has more members (licenses, groups, credentials...).
type user struct {
	AssociateID     int     `json:"AssociateId"`
	Name            string  `json:"Name"` // initials
	Rank            int     `json:"Rank"`
	Tooltip         string  `json:"Tooltip"`
	Person          *person `json:"Person"`
	Deleted         bool    `json:"Deleted"`
	Type            string  `json:"Type"`
	IsPersonRetired bool    `json:"IsPersonRetired"`
	IsOnTravel      bool    `json:"IsOnTravel"`
	UserName        string  `json:"UserName"`
	NickName        string  `json:"NickName"`
	TableRight      any     `json:"TableRight"`
}

type person struct {
	PersonID int    `json:"PersonId"`
	FullName string `json:"FullName"`
	Email    string `json:"EmailAddress"`
}

// presence is the UserPresenceStatus carrier.
type presence struct {
	Status  string `json:"Status"`
	Message string `json:"Message"`
}

// route serves an authenticated request.
func (f *Fake) route(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v1/")
	parts := strings.Split(rest, "/")
	// Routes match case-insensitively, as ASP.NET's do.
	switch {
	case ok && len(parts) == 2 && strings.EqualFold(parts[0], "User") && parts[1] != "":
		if r.Method != http.MethodGet {
			f.methodNotAllowed(w, r, "User/{userName}")
			return
		}
		f.getUser(w, parts[1])
	case ok && len(parts) == 3 && strings.EqualFold(parts[0], "User") && strings.EqualFold(parts[2], "UserPresenceStatus"):
		id, err := strconv.Atoi(parts[1])
		if err != nil || id <= 0 {
			f.fail(w, http.StatusNotFound, "NotFound", fmt.Sprintf("no route matches %s %s: the associate id must be a number", r.Method, r.URL.Path))
			return
		}
		switch r.Method {
		case http.MethodGet:
			f.requests.Add("GET User/{associateId}/UserPresenceStatus")
			f.getPresence(w, id)
		case http.MethodPut:
			f.requests.Add("PUT User/{associateId}/UserPresenceStatus")
			f.putPresence(w, r, id)
		default:
			f.methodNotAllowed(w, r, "User/{associateId}/UserPresenceStatus")
		}
	default:
		f.fail(w, http.StatusNotFound, "NotFound", fmt.Sprintf("no route matches %s %s", r.Method, r.URL.Path))
	}
}

func (f *Fake) methodNotAllowed(w http.ResponseWriter, r *http.Request, route string) {
	f.fail(w, http.StatusMethodNotAllowed, "MethodNotAllowed", fmt.Sprintf("%s %s is not supported by the fake", r.Method, route))
}

// getUser answers GET User/{userName}, or GET User/{id} when the segment
// is a number (SuperOffice routes an int to the id variant).
func (f *Fake) getUser(w http.ResponseWriter, seg string) {
	name, err := url.PathUnescape(seg)
	if err != nil {
		f.fail(w, http.StatusBadRequest, "ArgumentException", fmt.Sprintf("userName: bad escape in %q", seg))
		return
	}
	f.mu.Lock()
	if _, err := strconv.Atoi(name); err == nil {
		f.requests.Add("GET User/{associateId}")
	} else {
		f.requests.Add("GET User/{userName}")
	}
	found := f.lookup(name)
	var u user
	if found != nil {
		u = userOf(*found)
	}
	f.mu.Unlock()
	if found == nil {
		f.fail(w, http.StatusNotFound, "SoNotFoundException", fmt.Sprintf("user %q not found", name))
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// lookup finds an associate by id or login name (a number is an id, as
// SuperOffice routes it); f.mu is held.
func (f *Fake) lookup(name string) *Associate {
	if id, err := strconv.Atoi(name); err == nil {
		return f.associates[id]
	}
	for _, a := range f.associates {
		if strings.EqualFold(a.UserName, name) {
			return a
		}
	}
	return nil
}

// subject is the associate a request is about, by id (the login name
// when no associate has it); "" for other requests.
func (f *Fake) subject(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v1/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) < 2 || !strings.EqualFold(parts[0], "User") {
		return ""
	}
	name, err := url.PathUnescape(parts[1])
	if err != nil || name == "" {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.lookup(name); a != nil {
		return strconv.Itoa(a.AssociateID)
	}
	return name
}

func userOf(a Associate) user {
	initials := strings.ToUpper(a.UserName)
	if len(initials) > 2 {
		initials = initials[:2]
	}
	return user{AssociateID: a.AssociateID, Name: initials, Rank: a.AssociateID, Tooltip: a.FullName,
		Person: &person{PersonID: 1000 + a.AssociateID, FullName: a.FullName, Email: a.Email},
		Type:   "InternalAssociate", UserName: a.UserName, NickName: a.UserName}
}

func (f *Fake) getPresence(w http.ResponseWriter, id int) {
	f.mu.Lock()
	a, ok := f.associates[id]
	var p presence
	if ok {
		p = presence{Status: a.Status, Message: a.Message}
	}
	f.mu.Unlock()
	if !ok {
		f.fail(w, http.StatusNotFound, "SoNotFoundException", fmt.Sprintf("associate %d not found", id))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// putPresence validates and applies a UserPresenceStatus body.
func (f *Fake) putPresence(w http.ResponseWriter, r *http.Request, id int) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || (mt != "application/json" && mt != "text/json") {
		f.fail(w, http.StatusUnsupportedMediaType, "UnsupportedMediaType",
			fmt.Sprintf("Content-Type %q is not modelled by the fake; send application/json", r.Header.Get("Content-Type")))
		return
	}
	p, msg := decodePresence(r.Body)
	if msg != "" {
		f.fail(w, http.StatusBadRequest, "ArgumentException", msg)
		return
	}
	f.mu.Lock()
	a, ok := f.associates[id]
	if ok {
		a.Status, a.Message = p.Status, p.Message
		f.history.Record(strconv.Itoa(id), *a)
	}
	f.mu.Unlock()
	if !ok {
		f.fail(w, http.StatusNotFound, "SoNotFoundException", fmt.Sprintf("associate %d not found", id))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// decodePresence checks a body the way the fake's contract says: a JSON
// object with Status (a UserStatus name) and an optional Message string.
func decodePresence(body io.Reader) (presence, string) {
	b, err := io.ReadAll(io.LimitReader(body, 64<<10))
	if err != nil {
		return presence{}, "reading the body: " + err.Error()
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil || members == nil {
		return presence{}, "userPresenceStatus: the body must be a JSON object"
	}
	var p presence
	for k, v := range members {
		switch k {
		case "Status":
			if err := json.Unmarshal(v, &p.Status); err != nil {
				return presence{}, "userPresenceStatus.Status: must be a string naming a UserStatus"
			}
			if _, ok := userStatuses[p.Status]; !ok {
				return presence{}, fmt.Sprintf("userPresenceStatus.Status: %q is not a UserStatus", p.Status)
			}
		case "Message":
			if bytes.Equal(v, []byte("null")) {
				continue
			}
			if err := json.Unmarshal(v, &p.Message); err != nil {
				return presence{}, "userPresenceStatus.Message: must be a string"
			}
		default:
			return presence{}, fmt.Sprintf("userPresenceStatus: unknown member %q (only Status and Message)", k)
		}
	}
	if p.Status == "" {
		return presence{}, "userPresenceStatus.Status: required"
	}
	return p, ""
}

// fail writes SuperOffice's error shape.
func (f *Fake) fail(w http.ResponseWriter, status int, typ, msg string) {
	f.rejected.Add(status)
	writeJSON(w, status, errorBody{Error: true, ErrorType: typ, ErrorMessage: msg, ErrorSource: "SuperOffice.WebApi (fake)"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}
