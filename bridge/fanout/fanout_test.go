package fanout

import (
	"encoding/json"
	"testing"
)

func TestReplaceTrailingString(t *testing.T) {
	type user struct {
		Email   string  `json:"Email"`
		UserPwd *string `json:"UserPwd,omitempty"`
	}
	type params struct {
		PortalUser *user `json:"PortalUser"`
	}
	pwd := `s3"cr<e>t\&`
	for _, tc := range []struct {
		name string
		v    any
		old  string
		ok   bool
	}{
		{"nested", params{&user{"a@b.c", &pwd}}, pwd, true},
		{"flat", user{"a@b.c", &pwd}, pwd, true},
		{"alone", struct {
			UserPwd string `json:"UserPwd"`
		}{pwd}, pwd, true},
		{"another password", params{&user{"a@b.c", &pwd}}, "other", false},
		{"no password", params{&user{"a@b.c", nil}}, pwd, false},
		{"the value names the member", user{`x","UserPwd":"` + pwd, nil}, pwd, false},
		{"not an object", []string{pwd}, pwd, false},
	} {
		raw, err := MarshalJSON(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ReplaceTrailingString(raw, "UserPwd", tc.old, "[new <&>]")
		if ok != tc.ok {
			t.Errorf("%s: ok = %v, want %v (%s)", tc.name, ok, tc.ok, raw)
			continue
		}
		if !ok {
			continue
		}
		// The same as encoding the value with the member replaced.
		var generic map[string]any
		if err := json.Unmarshal(raw, &generic); err != nil {
			t.Fatal(err)
		}
		m := generic
		if pu, nested := m["PortalUser"].(map[string]any); nested {
			m = pu
		}
		m["UserPwd"] = "[new <&>]"
		want, _ := MarshalJSON(generic)
		var g any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%s: %s does not decode: %v", tc.name, got, err)
		}
		again, _ := MarshalJSON(g)
		if string(again) != string(want) {
			t.Errorf("%s: %s\nwant %s", tc.name, got, want)
		}
	}
}
