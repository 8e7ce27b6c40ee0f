package grommunio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// apply carries o to one (non-group) user u.
func (a *Adapter) apply(ctx context.Context, u intent.User, o *intent.OutOfOffice) fanout.Result {
	if u.IsGroup() {
		return fanout.Result{Status: fanout.Permanent, Message: fmt.Sprintf("%s is a group: groups within groups are not supported by grommunio", u)}
	}
	acct, _ := a.d.Directory.Lookup(u)
	// Delegates are mapped before anything is written, so that an
	// unmapped delegate leaves the user's state untouched.
	var change *intent.DelegateChange
	if o.Delegates != nil {
		var res *fanout.Result
		if change, res = a.delegatesByEmail(o.Delegates); res != nil {
			return *res
		}
	}
	id, res := a.resolve(ctx, u, acct)
	if res != nil {
		return *res
	}
	var done []string
	if o.Enabled != nil {
		if res := a.setOOF(ctx, u, acct, id, *o.Enabled); res != nil {
			return *res
		}
		done = append(done, fmt.Sprintf("out of office %s", onOff(*o.Enabled)))
	}
	if change != nil {
		n, res := a.setDelegates(ctx, id, change)
		if res != nil {
			return *res
		}
		done = append(done, fmt.Sprintf("%d delegates", n))
	}
	return fanout.Result{Status: fanout.OK, VendorStatus: http.StatusOK, Message: strings.Join(done, ", ")}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// setOOF reads the user's out-of-office state and writes it back whole:
// PUT resets every field it is not sent (vendors.md). Fields are kept as
// grommunio sent them, absent ones stay absent (a null would delete a
// reply). state is 1 (on) or 0 (off); switching on also writes the
// configured texts. A scheduled state (2) switched on becomes 1: Therefore
// says "on now", not "on between".
func (a *Adapter) setOOF(ctx context.Context, u intent.User, acct identity.Account, id ids, on bool) *fanout.Result {
	body, res := a.send(ctx, http.MethodGet, id.path("oof"), nil)
	if res != nil {
		return res
	}
	var state map[string]json.RawMessage
	if err := json.Unmarshal(body, &state); err != nil || state["state"] == nil {
		return unreadable("GET "+id.path("oof"), body)
	}
	state["state"] = json.RawMessage("0")
	if on {
		state["state"] = json.RawMessage("1")
		data := vendorkit.NewTextData(u, acct, a.d.Now(), true)
		for k, t := range map[string]vendorkit.Template{
			"internalSubject": a.texts.internalSubject, "internalReply": a.texts.internalReply,
			"externalSubject": a.texts.externalSubject, "externalReply": a.texts.externalReply,
		} {
			state[k], _ = json.Marshal(t.Render(data))
		}
	}
	put, err := json.Marshal(state)
	if err != nil {
		return &fanout.Result{Status: fanout.Permanent, Message: "encoding the out-of-office state: " + err.Error()}
	}
	return a.write(ctx, id.path("oof"), put)
}

// delegatesByEmail restates a change of Therefore users as a change of
// e-mail addresses (grommunio's delegate list holds addresses); a delegate
// without an address is a failure naming it.
func (a *Adapter) delegatesByEmail(d *intent.DelegateChange) (*intent.DelegateChange, *fanout.Result) {
	var out [3][]intent.User
	for i, us := range [][]intent.User{d.Set, d.Add, d.Delete} {
		for _, u := range us {
			addrs, res := a.addresses(u)
			if res != nil {
				return nil, res
			}
			out[i] = append(out[i], addrs...)
		}
	}
	return &intent.DelegateChange{Replace: d.Replace, Set: out[0], Add: out[1], Delete: out[2]}, nil
}

// addresses are the delegate u (a group: its members) as users named by
// their e-mail addresses, so that intent's rules and its case-insensitive
// keys apply to addresses.
func (a *Adapter) addresses(u intent.User) ([]intent.User, *fanout.Result) {
	members := []intent.User{u}
	if u.IsGroup() {
		m, ok := a.d.Directory.Members(u)
		if !ok {
			return nil, &fanout.Result{Status: fanout.Permanent, Message: fmt.Sprintf("the delegate group %s is not mapped to its members", u)}
		}
		members = m
	}
	out := make([]intent.User, 0, len(members))
	for _, m := range members {
		acct, _ := a.d.Directory.Lookup(m)
		addr := emailOf(m, acct)
		if addr == "" {
			return nil, &fanout.Result{Status: fanout.Permanent, Message: fmt.Sprintf("the delegate %s is not mapped to a grommunio user (no e-mail address)", m)}
		}
		out = append(out, intent.User{UserName: addr})
	}
	return out, nil
}

// setDelegates applies change to the current list and writes it whole.
// A replacement is written without reading the list first: PUT replaces
// it (vendors.md), so what it held does not matter.
func (a *Adapter) setDelegates(ctx context.Context, id ids, change *intent.DelegateChange) (int, *fanout.Result) {
	var current []intent.User
	if !change.Replace {
		body, res := a.send(ctx, http.MethodGet, id.path("delegates"), nil)
		if res != nil {
			return 0, res
		}
		var cur struct {
			Data *[]string `json:"data"`
		}
		if err := json.Unmarshal(body, &cur); err != nil || cur.Data == nil {
			return 0, unreadable("GET "+id.path("delegates"), body)
		}
		current = make([]intent.User, 0, len(*cur.Data))
		for _, addr := range *cur.Data {
			current = append(current, intent.User{UserName: addr})
		}
	}
	list := []string{}
	for _, u := range change.Apply(current) {
		list = append(list, u.UserName)
	}
	put, _ := json.Marshal(list)
	return len(list), a.write(ctx, id.path("delegates"), put)
}

// write PUTs body and checks the 200's message: grommunio can answer 200
// to a write it refused (vendors.md), so only a known success message, or
// no body at all, is success.
func (a *Adapter) write(ctx context.Context, path string, body []byte) *fanout.Result {
	out, res := a.send(ctx, http.MethodPut, path, body)
	if res != nil {
		return res
	}
	if len(strings.TrimSpace(string(out))) == 0 {
		return nil
	}
	var m struct {
		Message string   `json:"message"`
		Errors  []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &m); err == nil && len(m.Errors) == 0 && a.success[normalize(m.Message)] {
		return nil
	}
	return &fanout.Result{Status: fanout.Permanent, VendorStatus: http.StatusOK,
		Message: "PUT " + path + ": grommunio answered 200 without success: " + a.scrub(errorText(http.StatusOK, out))}
}
