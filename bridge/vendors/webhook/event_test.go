package webhook

import (
	"encoding/json"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/intent"
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
		got, err := eventJSON(ev)
		if err != nil || string(got) != string(want) {
			t.Errorf("eventJSON = %s, %v\nwant          %s", got, err, want)
		}
	}
}
