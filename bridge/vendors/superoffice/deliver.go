package superoffice

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
)

// presenceBody is the UserPresenceStatus carrier. An empty message is
// left out: the documented "back" body is {"Status": "StatusNormal"}.
type presenceBody struct {
	Status  string `json:"Status"`
	Message string `json:"Message,omitempty"`
}

// Spec implements fanout.Vendor: presence follows out of office, per person.
func (a *Adapter) Spec() fanout.Spec {
	return fanout.Spec{Operations: []string{fanout.SaveOutOfOfficeInfoForUser}, Key: fanout.ByPerson}
}

// Deliver implements fanout.Vendor: one attempt, no retries.
func (a *Adapter) Deliver(ctx context.Context, call *fanout.Call) fanout.Result {
	oof := call.OutOfOffice
	switch {
	case oof == nil:
		return fanout.Result{Status: fanout.Permanent, Message: "the call carries no out-of-office change"}
	case oof.Enabled == nil && oof.Delegates != nil:
		return fanout.Result{Status: fanout.OK, Message: "delegates are not a SuperOffice concept; nothing to change"}
	case oof.Enabled == nil:
		return fanout.Result{Status: fanout.OK, Message: "IsOutOfOfficeEnabled not given; nothing to change"}
	}
	side := a.back
	if *oof.Enabled {
		side = a.away
	}
	return a.set(ctx, call, oof.User, side, *oof.Enabled)
}

// set gives one user the presence of side.
func (a *Adapter) set(ctx context.Context, call *fanout.Call, u intent.User, side presence, enabled bool) fanout.Result {
	acct, mapped := a.d.Directory.Lookup(u)
	t, res := a.resolve(ctx, call.RequestID, u, acct, mapped)
	if res.Status != fanout.OK {
		return res
	}
	body := presenceBody{Status: side.status, Message: side.message.Render(vendorkit.NewTextData(u, acct, a.d.Now(), enabled))}
	what := fmt.Sprintf("setting the presence of %s (associate %d)", u, t.id)
	resp, b, err := a.send(ctx, http.MethodPut, fmt.Sprintf("/User/%d/UserPresenceStatus", t.id), body)
	if err != nil {
		return a.transportFailure(err, what)
	}
	if resp.StatusCode/100 != 2 {
		if resp.StatusCode == http.StatusNotFound && t.key != "" {
			a.ids.Forget(t.key) // the cached id is stale: look it up afresh next time
		}
		return a.failure(resp, b, what)
	}
	a.d.Log.LogAttrs(ctx, slog.LevelDebug, "superoffice presence set", slog.String("vendor", name),
		slog.String("request_id", call.RequestID), slog.String("user", u.String()),
		slog.Int("associate_id", int(t.id)), slog.String("presence_status", side.status))
	return fanout.Result{Status: fanout.OK, VendorStatus: resp.StatusCode,
		Message: fmt.Sprintf("%s (associate %d): %s", u, t.id, side.status)}
}
