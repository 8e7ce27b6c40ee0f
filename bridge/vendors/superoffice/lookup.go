package superoffice

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
)

// target is a resolved associate; key is its cache key when it was looked
// up ("" when the directory mapped it).
type target struct {
	id  int32
	key string
}

// resolve finds u's associate id: the directory's superoffice id first,
// else GET /User/{userName}, cached.
func (a *Adapter) resolve(ctx context.Context, requestID string, u intent.User, acct identity.Account, mapped bool) (target, fanout.Result) {
	if s := acct.ID(name); mapped && s != "" {
		id, err := strconv.ParseInt(s, 10, 32)
		if err != nil || id <= 0 {
			return target{}, fanout.Result{Status: fanout.Permanent,
				Message: fmt.Sprintf("identity: the superoffice id %q of %s is not an associate id (a positive number)", s, u)}
		}
		return target{id: int32(id)}, fanout.Result{Status: fanout.OK}
	}
	userName := u.UserName
	if mapped && acct.UserName != "" {
		userName = acct.UserName
	}
	if userName == "" {
		userName = u.Caller
	}
	switch {
	case userName == "":
		return target{}, fanout.Result{Status: fanout.Permanent, Message: notMapped(u) + " (no user name to look up)"}
	case isNumber(userName):
		// SuperOffice routes GET /User/{number} to the lookup by id.
		return target{}, fanout.Result{Status: fanout.Permanent,
			Message: notMapped(u) + fmt.Sprintf(" (the numeric user name %q cannot be looked up; map it in the directory)", userName)}
	}
	key := strings.ToLower(userName) // SuperOffice user names are case-insensitive
	id, res := a.ids.Do(ctx, key, func(ctx context.Context) (int32, fanout.Result) { return a.lookup(ctx, requestID, u, userName) })
	return target{id: id, key: key}, res
}

func notMapped(u intent.User) string { return fmt.Sprintf("%s is not mapped to a superoffice user", u) }

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// lookup asks SuperOffice for userName's associate id; requestID is the
// call that started it (concurrent calls for the same name share it).
func (a *Adapter) lookup(ctx context.Context, requestID string, u intent.User, userName string) (int32, fanout.Result) {
	what := fmt.Sprintf("looking up the SuperOffice user %q for %s", userName, u)
	resp, body, err := a.send(ctx, http.MethodGet, "/User/"+url.PathEscape(userName), nil)
	if err != nil {
		return 0, a.transportFailure(err, what)
	}
	missing := fanout.Result{Status: fanout.Permanent, VendorStatus: resp.StatusCode,
		Message: notMapped(u) + fmt.Sprintf(" (SuperOffice has no user named %q)", userName)}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return 0, missing
	case resp.StatusCode/100 != 2:
		return 0, a.failure(resp, body, what)
	}
	var user *struct {
		AssociateID int32 `json:"AssociateId"`
	}
	if err := json.Unmarshal(body, &user); err != nil {
		return 0, fanout.Result{Status: fanout.Permanent, VendorStatus: resp.StatusCode,
			Message: fmt.Sprintf("%s: the answer is not a User: %v", what, err)}
	}
	if user == nil || user.AssociateID <= 0 { // an agent's "null" for no such user
		return 0, missing
	}
	a.d.Log.LogAttrs(ctx, slog.LevelDebug, "superoffice user looked up", slog.String("vendor", name),
		slog.String("request_id", requestID), slog.String("user", u.String()), slog.String("user_name", userName), slog.Int("associate_id", int(user.AssociateID)))
	return user.AssociateID, fanout.Result{Status: fanout.OK}
}
