package lineworks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// failed is an error that already knows its fan-out result.
type failed struct{ res fanout.Result }

func (f *failed) Error() string { return f.res.Message }

// status is a member status as the list answers it.
type status struct {
	UserProfileStatusID string         `json:"userProfileStatusId"`
	ProfileStatusID     string         `json:"profileStatusId"`
	ScheduleType        string         `json:"scheduleType"`
	StatusMessage       *string        `json:"statusMessage"`
	AutoReplyMail       *autoReplyMail `json:"autoReplyMail"`
}

// statusBody is what the bridge sends to create or replace its status. It
// has no startTime/endTime: out of office starts now and lasts until it is
// turned off, which makes it the member's PRESENT status.
type statusBody struct {
	ProfileStatusID string         `json:"profileStatusId"`
	StatusMessage   string         `json:"statusMessage"`
	AutoReplyMail   *autoReplyMail `json:"autoReplyMail,omitempty"`
}

type autoReplyMail struct {
	Internal *autoReply `json:"internal,omitempty"`
	External *autoReply `json:"external,omitempty"`
}

type autoReply struct {
	Content          string `json:"content"`
	SentDirectlyToMe bool   `json:"sentDirectlyToMe"`
}

// member is one LINE WORKS member to change.
type member struct {
	id    string // the userId: member id, e-mail or externalKey:<key>
	label string // for messages: the Therefore user and the userId
}

func (m member) path() string {
	return "/users/" + url.PathEscape(m.id) + "/user-profile-statuses"
}

// setOn creates or updates the bridge's status. The list comes first so
// that a repeated call (the engine's retry, a client sending twice) updates
// the status it made instead of creating a second one. When the member has
// a PRESENT status of their own, it is taken over: LINE WORKS allows one
// PRESENT status, and "out of office" is the truer one; turning out of
// office off then removes it.
func (a *Adapter) setOn(ctx context.Context, m member, body statusBody) fanout.Result {
	list, err := a.list(ctx, m)
	if err != nil {
		return resultOf(err)
	}
	ours, present := a.pick(list)
	switch {
	case ours != nil:
		return a.replace(ctx, m, ours, body, "status updated")
	case present != nil:
		return a.replace(ctx, m, present, body, "took over the member's own status "+present.ProfileStatusID)
	}
	resp, rbody, err := a.call(ctx, http.MethodPost, m.path(), body)
	if err != nil {
		return resultOf(err)
	}
	if resp.StatusCode == http.StatusConflict {
		return a.afterConflict(ctx, m, body, a.failure(resp, rbody, "creating the status of "+m.label))
	}
	if resp.StatusCode/100 != 2 {
		return a.failure(resp, rbody, "creating the status of "+m.label)
	}
	return fanout.Result{Status: fanout.OK, VendorStatus: resp.StatusCode, Message: "status created"}
}

// afterConflict decides about a 409 "only one PRESENT status" to a create:
// someone set a PRESENT status between the list and the create (another
// replica of the bridge, or the member in the app). The statuses are read
// again, because a conflict is a success only when LINE WORKS holds what
// was asked: our status as desired is done; the member's own is taken over
// as setOn would have; anything else (our status with another content, or
// none at all any more) is for the next attempt, which lists afresh.
func (a *Adapter) afterConflict(ctx context.Context, m member, body statusBody, conflict fanout.Result) fanout.Result {
	list, err := a.list(ctx, m)
	if err != nil {
		return resultOf(err)
	}
	ours, present := a.pick(list)
	switch {
	case ours != nil && holds(ours, body):
		return fanout.Result{Status: fanout.OK, VendorStatus: conflict.VendorStatus,
			Message: "status already set (a concurrent create made it first)"}
	case ours == nil && present != nil:
		return a.replace(ctx, m, present, body, "took over the member's own status "+present.ProfileStatusID+" (set while creating)")
	case ours != nil:
		conflict.Message += "; the bridge's status is there with another content"
	default:
		conflict.Message += "; no PRESENT status is there any more"
	}
	conflict.Status = fanout.Retryable
	return conflict
}

// pick returns the bridge's own status and the member's PRESENT status
// (the first non-RESERVED one, which may be the bridge's) in list.
func (a *Adapter) pick(list []status) (ours, present *status) {
	for i := range list {
		s := &list[i]
		if s.ScheduleType == "RESERVED" {
			continue // a member's own plan for later; never ours
		}
		if a.isOurs(s) && ours == nil {
			ours = s
		}
		if present == nil {
			present = s
		}
	}
	return ours, present
}

// holds reports whether s is the status body asks for.
func holds(s *status, body statusBody) bool {
	return s.ProfileStatusID == body.ProfileStatusID && s.StatusMessage != nil && *s.StatusMessage == body.StatusMessage &&
		reflect.DeepEqual(s.AutoReplyMail, body.AutoReplyMail)
}

// replace puts body in place of target; done is the message on success.
func (a *Adapter) replace(ctx context.Context, m member, target *status, body statusBody, done string) fanout.Result {
	resp, rbody, err := a.call(ctx, http.MethodPut, m.path()+"/"+url.PathEscape(target.UserProfileStatusID), body)
	if err != nil {
		return resultOf(err)
	}
	if resp.StatusCode == http.StatusNotFound {
		// Deleted between the list and the update: the next attempt lists
		// again and creates it.
		res := a.failure(resp, rbody, "updating the status of "+m.label)
		res.Status = fanout.Retryable
		return res
	}
	if resp.StatusCode/100 != 2 {
		return a.failure(resp, rbody, "updating the status of "+m.label)
	}
	return fanout.Result{Status: fanout.OK, VendorStatus: resp.StatusCode, Message: done}
}

// setOff deletes the bridge's status; one already gone counts as done,
// and the member's own statuses are left alone.
func (a *Adapter) setOff(ctx context.Context, m member) fanout.Result {
	list, err := a.list(ctx, m)
	if err != nil {
		return resultOf(err)
	}
	removed, last := 0, 0
	for i := range list {
		if !a.isOurs(&list[i]) {
			continue
		}
		resp, body, err := a.call(ctx, http.MethodDelete, m.path()+"/"+url.PathEscape(list[i].UserProfileStatusID), nil)
		if err != nil {
			return resultOf(err)
		}
		if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotFound {
			return a.failure(resp, body, "deleting the status of "+m.label)
		}
		removed, last = removed+1, resp.StatusCode
	}
	if removed == 0 {
		return fanout.Result{Status: fanout.OK, Message: "no status of the bridge to remove"}
	}
	return fanout.Result{Status: fanout.OK, VendorStatus: last, Message: "status removed"}
}

// isOurs reports whether the bridge made s: its message starts with the
// marker. (The API has no field for a client's own tag.)
func (a *Adapter) isOurs(s *status) bool {
	return s.StatusMessage != nil && strings.HasPrefix(*s.StatusMessage, a.marker)
}

// list returns the member's statuses. A member has at most one PRESENT and
// one RESERVED status, so the list is never long enough to page.
func (a *Adapter) list(ctx context.Context, m member) ([]status, error) {
	resp, body, err := a.call(ctx, http.MethodGet, m.path(), nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, &failed{a.failure(resp, body, "LINE WORKS has no member "+m.label)}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &failed{a.failure(resp, body, "listing the statuses of "+m.label)}
	}
	var out struct {
		UserProfileStatuses []status `json:"userProfileStatuses"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, &failed{fanout.Result{Status: fanout.Retryable, VendorStatus: resp.StatusCode,
			Message: "listing the statuses of " + m.label + ": the answer is not a status list: " + err.Error()}}
	}
	return out.UserProfileStatuses, nil
}

// call sends one API request with the current token. A 401 means the token
// was revoked or expired early: it is dropped and the request is sent once
// more with a new one (safe, since a refused request changed nothing).
func (a *Adapter) call(ctx context.Context, method, path string, payload any) (*http.Response, []byte, error) {
	var data []byte
	if payload != nil {
		var err error
		if data, err = json.Marshal(payload); err != nil {
			return nil, nil, &failed{fanout.Result{Status: fanout.Permanent, Message: "encoding the request: " + err.Error()}}
		}
	}
	for attempt := 1; ; attempt++ {
		tok, err := a.tokens.get(ctx)
		if err != nil {
			return nil, nil, err
		}
		rctx, cancel := context.WithTimeout(ctx, a.c.Timeout.D())
		req, err := http.NewRequestWithContext(rctx, method, a.c.BaseURL+path, bytes.NewReader(data))
		if err != nil {
			cancel()
			return nil, nil, &failed{fanout.Result{Status: fanout.Permanent, Message: err.Error()}}
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := a.http.Do(req)
		if err != nil {
			cancel()
			return nil, nil, &failed{vendorkit.FromError(err, a.secrets(tok)...)}
		}
		body := vendorkit.ReadBody(resp)
		cancel()
		if resp.StatusCode == http.StatusUnauthorized && attempt == 1 {
			a.log.DebugContext(ctx, "lineworks refused the token; fetching a new one", "vendor", "lineworks")
			a.tokens.drop(tok)
			continue
		}
		return resp, body, nil
	}
}

// failure turns a non-2xx answer into a result naming what was done to
// whom, with the vendor's {"code","description"}.
func (a *Adapter) failure(resp *http.Response, body []byte, doing string) fanout.Result {
	var e struct{ Code, Description string }
	detail := strings.TrimSpace(vendorkit.Truncate(string(body), 200))
	if json.Unmarshal(body, &e) == nil && e.Code != "" {
		detail = e.Code + ": " + e.Description
	}
	msg := fmt.Sprintf("%s: %d %s", doing, resp.StatusCode, detail)
	return vendorkit.Failure(resp, vendorkit.Scrub(msg, a.secrets()...), a.now())
}

// resultOf returns the result an error of this package carries.
func resultOf(err error) fanout.Result {
	var f *failed
	if errors.As(err, &f) {
		return f.res
	}
	return vendorkit.FromError(err)
}

// locks serialises the calls for one member, so that two concurrent calls
// (a retry racing its original, a client sending twice) cannot both find
// no status and both create one.
type locks struct {
	mu sync.Mutex
	m  map[string]*memberLock
}

type memberLock struct {
	ch   chan struct{}
	refs int
}

// lock waits for key's lock or ctx; the returned func releases it.
func (l *locks) lock(ctx context.Context, key string) (func(), error) {
	l.mu.Lock()
	ml := l.m[key]
	if ml == nil {
		ml = &memberLock{ch: make(chan struct{}, 1)}
		l.m[key] = ml
	}
	ml.refs++
	l.mu.Unlock()
	release := func() {
		l.mu.Lock()
		if ml.refs--; ml.refs == 0 {
			delete(l.m, key)
		}
		l.mu.Unlock()
	}
	select {
	case ml.ch <- struct{}{}:
		return func() { <-ml.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
