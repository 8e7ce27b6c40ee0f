package fanout

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/generated"
)

func TestTrailingString(t *testing.T) {
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
		start, end, ok := trailingString(raw, "UserPwd", tc.old)
		if ok != tc.ok {
			t.Errorf("%s: ok = %v, want %v (%s)", tc.name, ok, tc.ok, raw)
			continue
		}
		if !ok {
			continue
		}
		repl, _ := MarshalJSON("[new <&>]")
		got := slices.Concat(raw[:start], repl, raw[end:])
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

// The password is replaced the same way whether the caller has the
// parameters' encoding or not, and the parameters are left as they were.
func TestAppendPortalPasswordJSON(t *testing.T) {
	email, pwd := "a@b.c", `s3"cret<&>`
	p := &generated.SavePortalUserParams{PortalUser: &generated.WSPortalUser{Email: &email, UserPwd: &pwd, QueryNo: 7}}
	raw, err := MarshalJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	inPlace, err := AppendPortalPasswordJSON([]byte("head:"), p, raw, "sealed")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := AppendPortalPasswordJSON(nil, p, nil, "sealed")
	if err != nil {
		t.Fatal(err)
	}
	if string(inPlace) != "head:"+string(fresh) || strings.Contains(string(fresh), "s3") || !strings.Contains(string(fresh), `"UserPwd":"sealed"`) {
		t.Errorf("in place %s\nfresh    %s", inPlace, fresh)
	}
	if *p.PortalUser.UserPwd != pwd {
		t.Errorf("the parameters' password became %q", *p.PortalUser.UserPwd)
	}
}

// AppendJSON is MarshalJSON after what dst holds, made in one allocation
// with room for reserve bytes more.
func TestAppendJSON(t *testing.T) {
	v := map[string]any{"html": "<&>", "n": []int{1, 2, 3}}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	want := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	for _, dst := range [][]byte{nil, []byte("prefix "), make([]byte, 0, 1024)} {
		keep := string(dst)
		got, err := AppendJSON(dst, v, 1)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != keep+string(want) {
			t.Errorf("AppendJSON(%q) = %s, want %s%s", keep, got, keep, want)
		}
		if cap(dst) < len(got) && cap(got)-len(got) < 1 {
			t.Errorf("AppendJSON(%q): no room reserved after the encoding (len %d, cap %d)", keep, len(got), cap(got))
		}
	}
	if _, err := AppendJSON([]byte("x"), make(chan int), 0); err == nil {
		t.Error("AppendJSON of a channel: no error")
	}
}
