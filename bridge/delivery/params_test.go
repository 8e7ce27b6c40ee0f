package delivery

import (
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/generated"
)

// A call carries its change's encoded parameters only when its Params
// are the change's own: not for a group's member, nor for a fold.
func TestCallsParamsJSON(t *testing.T) {
	e := &Engine{}
	name, on, off := "jdoe", true, false
	change := func(enabled *bool) *Change {
		c, err := NewChange("r", "demo", "", fanout.SaveOutOfOfficeInfoForUser, &generated.SaveOutOfOfficeInfoForUserParams{
			User: &generated.WSUserUniversalIdentifier{UserName: &name}, IsOutOfOfficeEnabled: enabled}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := e.encode(c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := change(&on), change(&off)
	self := a.OutOfOffice.User
	member := intent.User{UserName: "asmith"}
	for _, tc := range []struct {
		name    string
		spec    fanout.Spec
		pending []pendingChange
		carries bool
	}{
		{"event, as called", fanout.Spec{Events: true}, []pendingChange{{1, a, self}}, true},
		{"event, a group's member", fanout.Spec{Events: true}, []pendingChange{{1, a, member}}, false},
		{"state, one change", fanout.Spec{}, []pendingChange{{1, a, self}}, false},
		{"state, a fold", fanout.Spec{}, []pendingChange{{1, a, self}, {2, b, self}}, false},
	} {
		for _, call := range calls(tc.spec, tc.pending) {
			if (call.ParamsJSON != nil) != tc.carries {
				t.Errorf("%s: ParamsJSON %s, want carried: %v", tc.name, call.ParamsJSON, tc.carries)
				continue
			}
			if call.ParamsJSON == nil {
				continue
			}
			want, err := fanout.MarshalJSON(call.Params)
			if err != nil || string(call.ParamsJSON) != string(want) {
				t.Errorf("%s: ParamsJSON %s, want %s (%v)", tc.name, call.ParamsJSON, want, err)
			}
		}
	}
}
