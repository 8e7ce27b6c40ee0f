package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/server"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	grommuniofake "github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio/fake"
	lineworksfake "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
	superofficefake "github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice/fake"
	thereforefake "github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
	webhookfake "github.com/thereforebridge/thereforebridge/bridge/vendors/webhook/fake"
)

// secretsOf collects every config.Secret value in a vendor config.
func secretsOf(v any) []string {
	var out []string
	var walk func(reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			if s, ok := v.Interface().(config.Secret); ok {
				// Some configs hold a user name as a Secret too (the Therefore
				// demo's "bridge"); a value that short is not distinctive
				// enough to scan for (it is inside "thereforebridge").
				if len(s.Value()) >= 8 {
					out = append(out, s.Value())
				}
				return
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		}
	}
	walk(reflect.ValueOf(v))
	return out
}

// TestNoSecretInLogs runs the embedded default (every vendor a fake) with
// inbound auth, with debug logging, through successes, vendor failures and
// auth failures, and scans every log line and every answer for every
// secret used: the caller's password, UserPwd, and each vendor's
// credentials.
func TestNoSecretInLogs(t *testing.T) {
	const callerPassword = "Caller-Pa55word!"
	const userPwd = "Portal-Pa55word!"
	secrets := []string{callerPassword, userPwd}
	for _, c := range []any{grommuniofake.Demo("http://x"), superofficefake.Demo("http://x"), thereforefake.Demo("http://x"), webhookfake.Demo("http://x"), lineworksfake.Demo("http://x")} {
		secrets = append(secrets, secretsOf(c)...)
	}
	if len(secrets) < 6 {
		t.Fatalf("only %d secrets found; the vendor configs hide them differently than expected", len(secrets))
	}
	hash, _ := auth.HashPassword(callerPassword)
	cfg := config.Default()
	cfg.Auth = config.Auth{Realm: "x", ReplayWindow: config.Duration(time.Minute), Callers: []config.Caller{{Name: "jdoe", PasswordHash: hash}}}
	cfg.Fanout.InitialBackoff = config.Duration(time.Millisecond)
	log, logs := vendortest.Logger() // JSON, debug level
	srv, err := server.Build(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(t.Context())
	h := srv.Handler()
	portal := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><SavePortalUser xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><parameters xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types"><a:PortalUser><a:CtgryNo>3</a:CtgryNo><a:Email>p@example.com</a:Email><a:UserName>p1</a:UserName><a:UserPwd>` + userPwd + `</a:UserPwd></a:PortalUser></parameters></SavePortalUser></s:Body></s:Envelope>`
	var answers strings.Builder
	do := func(body string, user, pw string) {
		req := httptest.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
		req.Header.Set("Content-Type", "text/xml; charset=utf-8")
		if user != "" {
			req.SetBasicAuth(user, pw)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		answers.WriteString(rec.Body.String())
		io.Copy(io.Discard, rec.Body)
	}
	do(portal, "jdoe", callerPassword)
	do(string(nilUserOOF("")), "jdoe", callerPassword)
	do(portal, "jdoe", callerPassword+"x") // wrong password
	do(portal, "mallory", callerPassword)
	do(strings.Replace(portal, "<a:CtgryNo>3</a:CtgryNo>", "<a:CtgryNo>x</a:CtgryNo>", 1), "jdoe", callerPassword) // decode fault
	if !strings.Contains(logs.String(), `"vendor call"`) {
		t.Fatal("no vendor call was logged; the scan would prove nothing")
	}
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Errorf("a log line holds the secret %q...", s[:3])
		}
		if strings.Contains(answers.String(), s) {
			t.Errorf("an answer holds the secret %q...", s[:3])
		}
	}
}
