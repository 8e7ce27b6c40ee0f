package webhook

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/generated"
)

// TestEventJSON: the event with its parameters spliced in is what
// encoding/json writes for it.
func TestEventJSON(t *testing.T) {
	on := true
	for _, ev := range []Event{
		{ID: "c1", Operation: "SavePortalUser", RequestID: "r1", Params: json.RawMessage(`{"PortalUser":{"Email":"a@b.c"}}`)},
		{ID: `odd "params":null <&>`, Operation: "SaveOutOfOfficeInfoForUser", RequestID: "", Params: json.RawMessage(`{"x":[1,2]}`),
			OutOfOffice: &intent.OutOfOffice{User: intent.User{UserName: "jdoe"}, Enabled: &on}},
	} {
		want, err := marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		got, err := eventJSON(ev, nil)
		if err != nil || string(got) != string(want) {
			t.Errorf("eventJSON = %s, %v\nwant          %s", got, err, want)
		}
	}
}

// A call's ParamsJSON, when the engine has them, are sent as they are:
// the body is byte for byte the one made by encoding Params, and a
// password the event must not carry is masked all the same.
func TestBodyFromParamsJSON(t *testing.T) {
	email, pwd, on := "a@b.c", "s3cret <&>", true
	oof := &generated.SaveOutOfOfficeInfoForUserParams{User: &generated.WSUserUniversalIdentifier{UserName: &email}, IsOutOfOfficeEnabled: &on}
	portal := &generated.SavePortalUserParams{PortalUser: &generated.WSPortalUser{Email: &email, UserPwd: &pwd}}
	for _, tc := range []struct {
		name    string
		secrets bool
		call    fanout.Call
	}{
		{"oof", false, fanout.Call{ChangeID: "c1", Operation: fanout.SaveOutOfOfficeInfoForUser, Params: oof,
			OutOfOffice: &intent.OutOfOffice{User: intent.User{UserName: email}, Enabled: &on}}},
		{"portal, password masked", false, fanout.Call{ChangeID: "c2", Operation: fanout.SavePortalUser, Params: portal}},
		{"portal, include_secrets", true, fanout.Call{ChangeID: "c3", Operation: fanout.SavePortalUser, Params: portal}},
	} {
		a := &Adapter{c: Config{IncludeSecrets: tc.secrets}}
		want, err := a.body(&tc.call)
		if err != nil {
			t.Fatal(err)
		}
		with := tc.call
		if with.ParamsJSON, err = fanout.MarshalJSON(with.Params); err != nil {
			t.Fatal(err)
		}
		got, err := a.body(&with)
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: body with ParamsJSON = %s, %v\nwant %s", tc.name, got, err, want)
		}
		if strings.Contains(string(got), "s3cret") != tc.secrets {
			t.Errorf("%s: the password is in the body: %v, want %v: %s", tc.name, !tc.secrets, tc.secrets, got)
		}
	}
}
