package lineworks_test

import (
	"encoding/base64"
	"encoding/json"
	. "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
)

// The fake must refuse what LINE WORKS refuses; these tests talk to it
// directly, as a careless client would.

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func rawFake(t *testing.T) (*fake.Fake, string) {
	f := fake.New()
	f.SetNow(func() time.Time { return t0 })
	return f, vendortest.Serve(t, f).URL
}

// assertion signs claims with the demo key.
func assertion(t *testing.T, c Claims) string {
	t.Helper()
	key, err := ParsePrivateKey(fake.DemoPrivateKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := SignJWT(key, c)
	if err != nil {
		t.Fatal(err)
	}
	return jwt
}

func demoClaims() Claims {
	return Claims{Iss: fake.DemoClientID, Sub: fake.DemoServiceAccount, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix()}
}

func tokenForm(t *testing.T, scope string) url.Values {
	return url.Values{"assertion": {assertion(t, demoClaims())}, "grant_type": {fake.JWTBearer},
		"client_id": {fake.DemoClientID}, "client_secret": {fake.DemoClientSecret}, "scope": {scope}}
}

// send makes one request and decodes a JSON answer.
func send(t *testing.T, method, u, contentType, body string, h map[string]string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, b := vendortest.Do(t, nil, req)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out, resp.Header
}

func token(t *testing.T, base, scope string) string {
	t.Helper()
	code, out, _ := send(t, "POST", base+fake.TokenPath, "application/x-www-form-urlencoded", tokenForm(t, scope).Encode(), nil)
	if code != 200 {
		t.Fatalf("token: %d %v", code, out)
	}
	if _, ok := out["expires_in"].(string); !ok {
		t.Errorf("expires_in is %T, want a string as LINE WORKS sends it", out["expires_in"])
	}
	return out["access_token"].(string)
}

func TestFakeTokenEndpoint(t *testing.T) {
	_, base := rawFake(t)
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"x"}`)) + "."
	cases := []struct {
		name, method, ctype string
		edit                func(url.Values)
		code                int
		err, desc           string
	}{
		{"GET", "GET", "", func(url.Values) {}, 405, "invalid_request", "POST"},
		{"JSON body", "POST", "application/json", func(url.Values) {}, 400, "invalid_request", "form-urlencoded"},
		{"no scope", "POST", "", func(v url.Values) { v.Del("scope") }, 400, "invalid_request", "scope"},
		{"wrong grant", "POST", "", func(v url.Values) { v.Set("grant_type", "client_credentials") }, 400, "unsupported_grant_type", ""},
		{"wrong secret", "POST", "", func(v url.Values) { v.Set("client_secret", "x") }, 401, "invalid_client", ""},
		{"unknown scope", "POST", "", func(v url.Values) { v.Set("scope", "user,root") }, 400, "invalid_scope", ""},
		{"not a JWT", "POST", "", func(v url.Values) { v.Set("assertion", "abc") }, 400, "invalid_grant", "not a JWT"},
		{"unsigned JWT", "POST", "", func(v url.Values) { v.Set("assertion", none) }, 400, "invalid_grant", "RS256"},
		{"tampered JWT", "POST", "", func(v url.Values) {
			p := strings.Split(v.Get("assertion"), ".")
			c := demoClaims()
			c.Sub = "someone.serviceaccount@example.com"
			p[1] = strings.Split(assertion(t, c), ".")[1]
			v.Set("assertion", strings.Join(p, "."))
		}, 400, "invalid_grant", "signature"},
		{"wrong iss", "POST", "", func(v url.Values) {
			c := demoClaims()
			c.Iss = "other"
			v.Set("assertion", assertion(t, c))
		}, 400, "invalid_grant", "iss"},
		{"61 minutes", "POST", "", func(v url.Values) {
			c := demoClaims()
			c.Exp = c.Iat + 3660
			v.Set("assertion", assertion(t, c))
		}, 400, "invalid_grant", "60 minutes"},
		{"expired", "POST", "", func(v url.Values) {
			c := demoClaims()
			c.Iat, c.Exp = c.Iat-7200, c.Iat-3600
			v.Set("assertion", assertion(t, c))
		}, 400, "invalid_grant", "expired"},
		{"valid", "POST", "", func(url.Values) {}, 200, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := tokenForm(t, "user")
			tc.edit(form)
			ctype := tc.ctype
			if ctype == "" {
				ctype = "application/x-www-form-urlencoded"
			}
			code, out, _ := send(t, tc.method, base+fake.TokenPath, ctype, form.Encode(), nil)
			desc, _ := out["error_description"].(string)
			if code != tc.code || (tc.err != "" && out["error"] != tc.err) || !strings.Contains(desc, tc.desc) {
				t.Errorf("got %d %v, want %d %s containing %q", code, out, tc.code, tc.err, tc.desc)
			}
		})
	}
}

func TestFakeAPI(t *testing.T) {
	f, base := rawFake(t)
	tok, botTok := token(t, base, "user"), token(t, base, "bot")
	statuses := base + fake.APIPath + "/users/jdoe@example.com/user-profile-statuses"
	bearer := map[string]string{"Authorization": "Bearer " + tok}
	const js = "application/json"
	future, later := t0.Add(24*time.Hour).Format(time.RFC3339), t0.Add(48*time.Hour).Format(time.RFC3339)
	past := t0.Add(-time.Hour).Format(time.RFC3339)
	cases := []struct {
		name, method, url, ctype, body string
		h                              map[string]string
		before                         func()
		code                           int
		errCode, desc                  string
		field, value                   string // a field of the answer
	}{
		{name: "no token", method: "GET", url: statuses, code: 401, errCode: "UNAUTHORIZED"},
		{name: "unknown token", method: "GET", url: statuses, h: map[string]string{"Authorization": "Bearer nope"}, code: 401, errCode: "UNAUTHORIZED"},
		{name: "scope bot", method: "GET", url: statuses, h: map[string]string{"Authorization": "Bearer " + botTok}, code: 403, errCode: "FORBIDDEN"},
		{name: "no content type", method: "POST", url: statuses, h: bearer, body: `{"profileStatusId":"AWAY"}`, code: 415},
		{name: "unknown field", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"AWAY","status":"x"}`, code: 400, errCode: "INVALID_PARAMETER"},
		{name: "no profileStatusId", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"statusMessage":"x"}`, code: 400, desc: "profileStatusId is required"},
		{name: "unknown profileStatusId", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"HOLIDAY"}`, code: 400, desc: "not an allowed value"},
		{name: "not used status", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"CUSTOM03"}`, code: 400, desc: "Not used status."},
		{name: "51 characters", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"AWAY","statusMessage":"` + strings.Repeat("é", 51) + `"}`, code: 400, desc: "50 characters"},
		{name: "startTime needs endTime", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"AWAY","startTime":"` + future + `"}`, code: 400, desc: "startTime needs endTime."},
		{name: "schedule in the past", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"AWAY","startTime":"` + past + `","endTime":"` + future + `"}`, code: 400, desc: "in the future"},
		{name: "bad date", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"AWAY","endTime":"2026-03-05"}`, code: 400, desc: "YYYY-MM-DDThh:mm:ssTZD"},
		{name: "me", method: "GET", url: base + fake.APIPath + "/users/me/user-profile-statuses", h: bearer, code: 400, desc: "me keyword"},
		{name: "unknown member", method: "GET", url: base + fake.APIPath + "/users/zed@example.com/user-profile-statuses", h: bearer, code: 404, errCode: "NOT_FOUND"},
		{name: "unknown path", method: "GET", url: base + fake.APIPath + "/users/jdoe@example.com/statuses", h: bearer, code: 404, errCode: "NOT_FOUND"},
		{name: "DELETE the list", method: "DELETE", url: statuses, h: bearer, code: 405},
		{name: "statuses disabled", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"AWAY"}`,
			before: func() { f.EnableStatuses(false) }, code: 400, desc: "The status must be enable."},
		// The life of a status.
		{name: "create present", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"AWAY","statusMessage":"lunch"}`,
			before: func() { f.EnableStatuses(true) }, code: 200},
		{name: "a second present", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"BUSY"}`, code: 409, errCode: "CONFLICT"},
		{name: "create reserved", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"ABSENCE","startTime":"` + future + `","endTime":"` + later + `"}`, code: 200},
		{name: "a second reserved", method: "POST", url: statuses, ctype: js, h: bearer, body: `{"profileStatusId":"BUSY","startTime":"` + future + `","endTime":"` + later + `"}`, code: 409},
		{name: "patch keeps the rest", method: "PATCH", url: statuses + "/uprofile-0001-4aae-c330-01e94337846b", ctype: js, h: bearer, body: `{"statusMessage":"back at 2"}`, code: 200,
			field: "profileStatusId", value: "AWAY"},
		{name: "delete", method: "DELETE", url: statuses + "/uprofile-0001-4aae-c330-01e94337846b", h: bearer, code: 204},
		{name: "delete again", method: "DELETE", url: statuses + "/uprofile-0001-4aae-c330-01e94337846b", h: bearer, code: 404, errCode: "NOT_FOUND"},
	}
	for _, tc := range cases { // in order: the last ones share state
		if tc.before != nil {
			tc.before()
		}
		code, out, hdr := send(t, tc.method, tc.url, tc.ctype, tc.body, tc.h)
		desc, _ := out["description"].(string)
		if code != tc.code || (tc.errCode != "" && out["code"] != tc.errCode) || !strings.Contains(desc, tc.desc) {
			t.Errorf("%s: got %d %v, want %d %s containing %q", tc.name, code, out, tc.code, tc.errCode, tc.desc)
		}
		if tc.field != "" && out[tc.field] != tc.value {
			t.Errorf("%s: %s is %v, want %s", tc.name, tc.field, out[tc.field], tc.value)
		}
		if code == 200 && hdr.Get("rateLimit-limit") != "240" {
			t.Errorf("%s: rateLimit-limit %q", tc.name, hdr.Get("rateLimit-limit"))
		}
	}
	got := messages(f.Statuses("jdoe@example.com"))
	if want := []string{"RESERVED ABSENCE "}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("end state %q, want %q", got, want)
	}
}
