package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is a member status as the API answers it.
type Status struct {
	UserProfileStatusID string         `json:"userProfileStatusId"`
	ProfileStatusID     string         `json:"profileStatusId"`
	ProfileStatusName   string         `json:"profileStatusName"`
	IconURL             string         `json:"iconUrl"`
	ScheduleType        string         `json:"scheduleType"` // PRESENT or RESERVED
	StatusMessage       *string        `json:"statusMessage"`
	StartTime           *string        `json:"startTime"`
	EndTime             *string        `json:"endTime"`
	AutoReplyMail       *AutoReplyMail `json:"autoReplyMail"`
}

// AutoReplyMail is a status's automatic mail replies.
type AutoReplyMail struct {
	Internal *AutoReply `json:"internal,omitempty"`
	External *AutoReply `json:"external,omitempty"`
}

// AutoReply is one automatic reply.
type AutoReply struct {
	Content          string `json:"content"`
	SentDirectlyToMe bool   `json:"sentDirectlyToMe"`
}

// statusInput is a request body of POST, PUT and PATCH.
type statusInput struct {
	ProfileStatusID *string        `json:"profileStatusId"`
	StatusMessage   *string        `json:"statusMessage"`
	StartTime       *string        `json:"startTime"`
	EndTime         *string        `json:"endTime"`
	AutoReplyMail   *AutoReplyMail `json:"autoReplyMail"`
}

// statusNames are the documented profileStatusIds with their names.
var statusNames = map[string]string{"BUSY": "Busy", "AWAY": "Away", "LEAVE_OFFICE": "Left the office", "ABSENCE": "Absence"}

func init() {
	for i := 1; i <= 12; i++ {
		statusNames[fmt.Sprintf("CUSTOM%02d", i)] = fmt.Sprintf("Custom %d", i)
	}
}

// A service account's token covers member statuses with these scopes.
var (
	readScopes  = []string{"user", "user.read", "directory", "directory.read"}
	writeScopes = []string{"user", "directory"}
)

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return // the client went away
	}
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), APIPath+"/"), "/")
	if len(segs) < 3 || len(segs) > 4 || segs[0] != "users" || segs[2] != "user-profile-statuses" {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested URL is not supported.")
		return
	}
	userID, err1 := url.PathUnescape(segs[1])
	statusID := ""
	var err2 error
	if len(segs) == 4 {
		statusID, err2 = url.PathUnescape(segs[3])
	}
	op, allowed := "/users/{userId}/user-profile-statuses", "GET POST"
	if len(segs) == 4 {
		op, allowed = op+"/{userProfileStatusId}", "GET PUT PATCH DELETE"
	}
	op = r.Method + " " + op
	if !strings.Contains(" "+allowed+" ", " "+r.Method+" ") {
		w.Header().Set("Allow", strings.ReplaceAll(allowed, " ", ", "))
		writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", r.Method+" is not supported here.")
		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.record(r, body)
	f.calls.Add(op)
	if fail := f.NextFailure(); fail != 0 {
		if fail == http.StatusTooManyRequests {
			w.Header()["rateLimit-reset"] = []string{"7"}
		}
		writeError(w, fail, codeFor(fail), "Injected failure.")
		return
	}
	g, desc := f.authorize(r.Header.Get("Authorization"))
	if g == nil {
		f.unauthorized++
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", desc)
		return
	}
	need := writeScopes
	if r.Method == http.MethodGet {
		need = readScopes
	}
	if !g.covers(need) {
		writeError(w, http.StatusForbidden, "FORBIDDEN", "The access token's scope does not allow this API: it needs one of "+strings.Join(need, ", ")+".")
		return
	}
	if !f.rateLimit(w, op) {
		writeError(w, http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "API rate limit exceeded")
		return
	}
	if err1 != nil || err2 != nil {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER", "The path is not URL-encoded correctly.")
		return
	}
	if userID == "me" {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER", "The me keyword cannot be used with a service account.")
		return
	}
	u := f.findUser(userID)
	if u == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The member does not exist: "+userID)
		return
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json.")
			return
		}
	}
	switch r.Method {
	case http.MethodGet:
		if statusID == "" {
			list := []*Status{}
			list = append(list, u.statuses...)
			writeJSON(w, http.StatusOK, map[string]any{"userProfileStatuses": list})
			return
		}
		if s := u.status(statusID); s != nil {
			writeJSON(w, http.StatusOK, s)
			return
		}
	case http.MethodPost:
		if other, ok := f.races[u.ID]; ok {
			delete(f.races, u.ID)
			if len(other) == 0 {
				other = body
			}
			f.save(httptest.NewRecorder(), u, nil, statusInput{}, other)
		}
		f.save(w, u, nil, statusInput{}, body)
		return
	case http.MethodPut:
		if s := u.status(statusID); s != nil {
			f.save(w, u, s, statusInput{}, body)
			return
		}
	case http.MethodPatch:
		if s := u.status(statusID); s != nil {
			f.save(w, u, s, s.input(), body) // PATCH: absent fields keep their value
			return
		}
	case http.MethodDelete:
		for i, s := range u.statuses {
			if s.UserProfileStatusID == statusID {
				u.statuses = append(u.statuses[:i], u.statuses[i+1:]...)
				f.history.Record(u.ID, u.copyStatuses())
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
	}
	writeError(w, http.StatusNotFound, "NOT_FOUND", "The status does not exist: "+statusID)
}

func (f *Fake) record(r *http.Request, body []byte) {
	if len(f.requests) >= maxRequests {
		return
	}
	req := Request{Method: r.Method, Path: r.URL.EscapedPath()}
	if json.Valid(body) {
		req.Body = append(json.RawMessage(nil), body...)
	} else if len(body) > 0 {
		req.Body, _ = json.Marshal(string(body))
	}
	f.requests = append(f.requests, req)
}

// authorize returns the grant of an "Authorization: Bearer" header, or why
// there is none.
func (f *Fake) authorize(h string) (*grant, string) {
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return nil, "The Authorization header must be \"Bearer {token}\"."
	}
	g := f.tokens[tok]
	switch {
	case g == nil:
		return nil, "The access token is invalid."
	case !f.now().Before(g.expires):
		return nil, "The access token has expired."
	}
	return g, ""
}

func (g *grant) covers(scopes []string) bool {
	for _, s := range scopes {
		if g.scopes[s] {
			return true
		}
	}
	return false
}

// rateLimit counts a call of op and sets the rateLimit-* headers; false
// when the call is over the limit.
func (f *Fake) rateLimit(w http.ResponseWriter, op string) bool {
	now := f.now()
	win := f.windows[op]
	if win == nil || !now.Before(win.start.Add(f.window)) {
		win = &rateWindow{start: now}
		f.windows[op] = win
	}
	win.count++
	reset := int(win.start.Add(f.window).Sub(now).Seconds() + 0.999)
	h := w.Header()
	h["rateLimit-limit"] = []string{strconv.Itoa(f.limit)}
	h["rateLimit-remaining"] = []string{strconv.Itoa(max(f.limit-win.count, 0))}
	h["rateLimit-reset"] = []string{strconv.Itoa(max(reset, 1))}
	return win.count <= f.limit
}

// findUser finds a member by id, e-mail or externalKey:<key>.
func (f *Fake) findUser(id string) *user {
	key, byKey := strings.CutPrefix(id, "externalKey:")
	for _, u := range f.users {
		switch {
		case byKey && u.ExternalKey != "" && u.ExternalKey == key:
			return u
		case !byKey && (u.ID == id || strings.EqualFold(u.Email, id)):
			return u
		}
	}
	return nil
}

func (u *user) status(id string) *Status {
	for _, s := range u.statuses {
		if s.UserProfileStatusID == id {
			return s
		}
	}
	return nil
}

// save validates a POST (old nil), PUT or PATCH body decoded over base and
// stores the status.
func (f *Fake) save(w http.ResponseWriter, u *user, old *Status, base statusInput, body []byte) {
	in := base
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER", "The request body is not valid: "+err.Error())
		return
	}
	schedule, problem := f.check(in)
	if problem != "" {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER", problem)
		return
	}
	for _, s := range u.statuses {
		if s != old && s.ScheduleType == schedule {
			writeError(w, http.StatusConflict, "CONFLICT", "A member can have only one "+schedule+" status.")
			return
		}
	}
	s := newStatus(*in.ProfileStatusID, in.StatusMessage, in.StartTime, in.EndTime, in.AutoReplyMail, schedule)
	if old != nil {
		s.UserProfileStatusID = old.UserProfileStatusID
		*old = *s
	} else {
		f.add(u, s)
	}
	f.history.Record(u.ID, u.copyStatuses())
	writeJSON(w, http.StatusOK, s)
}

// check validates a body per the page and returns its schedule type.
func (f *Fake) check(in statusInput) (string, string) {
	if in.ProfileStatusID == nil {
		return "", "profileStatusId is required."
	}
	if _, ok := statusNames[*in.ProfileStatusID]; !ok {
		return "", "profileStatusId is not an allowed value: " + *in.ProfileStatusID
	}
	if !f.statusesOn {
		return "", "The status must be enable."
	}
	if !f.inUse[*in.ProfileStatusID] {
		return "", "Not used status."
	}
	if in.StatusMessage != nil && utf8.RuneCountInString(*in.StatusMessage) > 50 {
		return "", "statusMessage must be at most 50 characters."
	}
	if m := in.AutoReplyMail; m != nil {
		for _, r := range []*AutoReply{m.Internal, m.External} {
			if r != nil && utf8.RuneCountInString(r.Content) > 300 {
				return "", "autoReplyMail content must be at most 300 characters."
			}
		}
	}
	now := f.now()
	var start, end time.Time
	for _, t := range []struct {
		name string
		v    *string
		into *time.Time
	}{{"startTime", in.StartTime, &start}, {"endTime", in.EndTime, &end}} {
		if t.v == nil {
			continue
		}
		v, err := time.Parse(time.RFC3339, *t.v)
		if err != nil {
			return "", t.name + " must be YYYY-MM-DDThh:mm:ssTZD: " + *t.v
		}
		*t.into = v
	}
	switch {
	case in.StartTime != nil && in.EndTime == nil:
		return "", "startTime needs endTime."
	case in.StartTime != nil && (!start.After(now) || !end.After(start)):
		return "", "startTime and endTime of a scheduled status must be in the future, startTime first."
	case in.StartTime != nil:
		return "RESERVED", ""
	case in.EndTime != nil && !end.After(now):
		return "", "endTime must be in the future."
	}
	return "PRESENT", ""
}

func newStatus(id string, msg, start, end *string, auto *AutoReplyMail, schedule string) *Status {
	return &Status{
		ProfileStatusID: id, ProfileStatusName: statusNames[id],
		IconURL:      "https://static.worksmobile.net/static/wm/settings/profile_state/ic-16-" + strings.ToLower(id) + ".png",
		ScheduleType: schedule, StatusMessage: msg, StartTime: start, EndTime: end, AutoReplyMail: auto,
	}
}

// add stores a new status under the next id (ids are sequential so that
// golden files are stable).
func (f *Fake) add(u *user, s *Status) {
	f.nextStatus++
	s.UserProfileStatusID = fmt.Sprintf("uprofile-%04d-4aae-c330-01e94337846b", f.nextStatus)
	u.statuses = append(u.statuses, s)
}

// input is a deep copy of the status as a request body, the base of a
// PATCH: decoding into it must not touch the stored status.
func (s *Status) input() statusInput {
	in := statusInput{ProfileStatusID: clone(&s.ProfileStatusID), StatusMessage: clone(s.StatusMessage),
		StartTime: clone(s.StartTime), EndTime: clone(s.EndTime)}
	if m := s.AutoReplyMail; m != nil {
		in.AutoReplyMail = &AutoReplyMail{Internal: clone(m.Internal), External: clone(m.External)}
	}
	return in
}

func clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
