package grommunio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// ids place a user in the admin API.
type ids struct{ domain, user int }

// path is the user's resource path below base_url.
func (i ids) path(sub string) string {
	return fmt.Sprintf("/domains/%d/users/%d/%s", i.domain, i.user, sub)
}

// parseIDs reads a directory id "<domainID>/<userID>".
func parseIDs(s string) (ids, bool) {
	d, u, ok := strings.Cut(s, "/")
	if !ok {
		return ids{}, false
	}
	di, err1 := strconv.Atoi(strings.TrimSpace(d))
	ui, err2 := strconv.Atoi(strings.TrimSpace(u))
	return ids{di, ui}, err1 == nil && err2 == nil && di >= 0 && ui >= 0
}

func notMapped(u intent.User, why string) *fanout.Result {
	return &fanout.Result{Status: fanout.Permanent, Message: fmt.Sprintf("%s is not mapped to a grommunio user (%s)", u, why)}
}

// emailOf is the address grommunio knows u by: the directory's id for
// grommunio when it is an address, the account's e-mail, or the name the
// call used when it is an address; "" when none.
func emailOf(u intent.User, acct identity.Account) string {
	for _, s := range []string{acct.ID(vendorName), acct.Email, u.UserName, u.Caller} {
		if strings.Count(s, "@") == 1 && !strings.HasPrefix(s, "@") && !strings.HasSuffix(s, "@") {
			return s
		}
	}
	return ""
}

// resolve returns u's ids: the directory's "<domainID>/<userID>" first,
// else a lookup of the user's e-mail address.
func (a *Adapter) resolve(ctx context.Context, u intent.User, acct identity.Account) (ids, *fanout.Result) {
	if id := acct.ID(vendorName); id != "" && !strings.Contains(id, "@") {
		if i, ok := parseIDs(id); ok {
			return i, nil
		}
		return ids{}, &fanout.Result{Status: fanout.Permanent,
			Message: fmt.Sprintf("the grommunio id %q of %s is neither <domainID>/<userID> nor an e-mail address", id, u)}
	}
	addr := emailOf(u, acct)
	if addr == "" {
		return ids{}, notMapped(u, "no e-mail address to look up")
	}
	i, res := a.users.Do(ctx, strings.ToLower(addr), func(ctx context.Context) (ids, fanout.Result) {
		return okOr(a.lookupUser(ctx, u, addr))
	})
	if res.Status != fanout.OK {
		return ids{}, &res
	}
	return i, nil
}

// okOr turns this package's (value, nil on success) into a cache's answer.
func okOr[V any](v V, res *fanout.Result) (V, fanout.Result) {
	if res != nil {
		return v, *res
	}
	return v, fanout.Result{Status: fanout.OK}
}

// lookupUser asks grommunio for the ids of the user with e-mail addr.
func (a *Adapter) lookupUser(ctx context.Context, u intent.User, addr string) (ids, *fanout.Result) {
	_, domainName, _ := strings.Cut(strings.ToLower(addr), "@")
	domainID, res := a.domainID(ctx, domainName)
	if res != nil {
		return ids{}, res
	}
	if domainID < 0 {
		return ids{}, notMapped(u, "grommunio has no domain "+domainName)
	}
	body, res := a.send(ctx, http.MethodGet, fmt.Sprintf("/domains/%d/users?username=%s", domainID, url.QueryEscape(addr)), nil)
	if res != nil {
		return ids{}, res
	}
	var list struct {
		Data []struct {
			ID       *int   `json:"ID"`
			Username string `json:"username"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return ids{}, unreadable("GET /domains/{id}/users", body)
	}
	for _, v := range list.Data {
		if v.ID != nil && strings.EqualFold(v.Username, addr) {
			return ids{domainID, *v.ID}, nil
		}
	}
	return ids{}, notMapped(u, "grommunio has no user "+addr)
}

// domainID returns the id of the domain named name, -1 when grommunio has
// none; one list of the domains fills the cache for all of them.
func (a *Adapter) domainID(ctx context.Context, name string) (int, *fanout.Result) {
	id, res := a.domains.Do(ctx, name, func(ctx context.Context) (int, fanout.Result) {
		return okOr(a.listDomains(ctx, name))
	})
	if res.Status != fanout.OK {
		return 0, &res
	}
	return id, nil
}

// listDomains lists the domains, keeps the ids of the others and returns
// name's, -1 when there is none (remembered too, so that calls for it do
// not list the domains each time).
func (a *Adapter) listDomains(ctx context.Context, name string) (int, *fanout.Result) {
	body, res := a.send(ctx, http.MethodGet, "/domains", nil)
	if res != nil {
		return 0, res
	}
	var list struct {
		Data []struct {
			ID   *int   `json:"ID"`
			Name string `json:"domainname"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return 0, unreadable("GET /domains", body)
	}
	found := -1
	for _, d := range list.Data {
		if d.ID == nil {
			continue
		}
		if strings.EqualFold(d.Name, name) {
			found = *d.ID
		} else {
			a.domains.Put(strings.ToLower(d.Name), *d.ID)
		}
	}
	return found, nil
}

func unreadable(what string, body []byte) *fanout.Result {
	return &fanout.Result{Status: fanout.Permanent, VendorStatus: http.StatusOK,
		Message: fmt.Sprintf("%s: unexpected answer %q", what, vendorkit.Truncate(string(body), 120))}
}
