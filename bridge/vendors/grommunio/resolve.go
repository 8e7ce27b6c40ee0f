package grommunio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	key := strings.ToLower(addr)
	if i, ok := a.ids.get(a.ids.users, key, a.d.Now()); ok {
		return i, nil
	}
	// One lookup at a time: a burst of calls for one user looks it up once.
	select {
	case a.ids.sem <- struct{}{}:
	case <-ctx.Done():
		res := vendorkit.FromError(ctx.Err())
		return ids{}, &res
	}
	defer func() { <-a.ids.sem }()
	if i, ok := a.ids.get(a.ids.users, key, a.d.Now()); ok {
		return i, nil
	}
	_, domainName, _ := strings.Cut(key, "@")
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
			i := ids{domainID, *v.ID}
			a.ids.put(a.ids.users, key, i, a.d.Now().Add(a.c.LookupTTL.D()))
			return i, nil
		}
	}
	return ids{}, notMapped(u, "grommunio has no user "+addr)
}

// domainID returns the id of the domain named name, -1 when grommunio has
// none; the domain list is cached with the users.
func (a *Adapter) domainID(ctx context.Context, name string) (int, *fanout.Result) {
	if i, ok := a.ids.get(a.ids.domains, name, a.d.Now()); ok {
		return i.domain, nil
	}
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
	expires := a.d.Now().Add(a.c.LookupTTL.D())
	for _, d := range list.Data {
		if d.ID == nil {
			continue
		}
		a.ids.put(a.ids.domains, strings.ToLower(d.Name), ids{domain: *d.ID}, expires)
		if strings.EqualFold(d.Name, name) {
			found = *d.ID
		}
	}
	if found < 0 { // remembered too, so that calls for it do not list the domains each time
		a.ids.put(a.ids.domains, name, ids{domain: -1}, expires)
	}
	return found, nil
}

func unreadable(what string, body []byte) *fanout.Result {
	return &fanout.Result{Status: fanout.Permanent, VendorStatus: http.StatusOK,
		Message: fmt.Sprintf("%s: unexpected answer %q", what, vendorkit.Truncate(string(body), 120))}
}

func (c *idCache) get(m map[string]cached, key string, now time.Time) (ids, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := m[key]
	return e.ids, ok && now.Before(e.expires)
}

func (c *idCache) put(m map[string]cached, key string, i ids, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m[key] = cached{ids: i, expires: expires}
}
