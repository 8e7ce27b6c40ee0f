package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/delivery"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/generated"
)

// refusing is a vendor that refuses every call permanently, as a vendor
// does for a user it does not know.
type refusing struct{}

func (refusing) Name() string      { return "crm" }
func (refusing) Spec() fanout.Spec { return fanout.Spec{Operations: fanout.Operations} }
func (refusing) Deliver(context.Context, *fanout.Call) fanout.Result {
	return fanout.Result{Status: fanout.Permanent, VendorStatus: 404, Message: "no such user\nat the CRM"}
}

// failedStore writes a config whose store holds one failed OOF delivery
// for ghost and one failed portal delivery with a password, and returns
// the config's path and the OOF change's id.
func failedStore(t *testing.T) (cfgPath, changeID string) {
	t.Helper()
	dir := t.TempDir()
	store := "sqlite:" + filepath.Join(dir, "d.db")
	cfgPath = filepath.Join(dir, "bridge.yaml")
	os.WriteFile(cfgPath, []byte("listen: 127.0.0.1:9000\nauth:\n  insecure_no_auth: true\ndelivery:\n  store: "+store+"\nvendors:\n  log: {}\n"), 0o600)
	ctx := context.Background()
	e, err := delivery.Open(ctx, delivery.Config{Store: store, EncryptionKey: bytes.Repeat([]byte{0xab}, 32)},
		[]fanout.Target{fanout.TargetConfig{}.Target(refusing{})}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Stop(ctx)
	user, on := "ghost", true
	oof, _ := delivery.NewChange("r1", "demo", "", fanout.SaveOutOfOfficeInfoForUser,
		&generated.SaveOutOfOfficeInfoForUserParams{User: &generated.WSUserUniversalIdentifier{UserName: &user}, IsOutOfOfficeEnabled: &on}, time.Now())
	email, pw := "p@example.com", "portal-secret-pw"
	portal, _ := delivery.NewChange("r2", "demo", "", fanout.SavePortalUser,
		&generated.SavePortalUserParams{PortalUser: &generated.WSPortalUser{Email: &email, UserPwd: &pw}}, time.Now())
	for _, c := range []*delivery.Change{oof, portal} {
		if _, err := e.Accept(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ds, err := e.List(ctx, delivery.Filter{State: delivery.StateFailed})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deliveries did not fail: %+v", ds)
		}
	}
	return cfgPath, oof.ID
}

func TestDeliveriesCommand(t *testing.T) {
	cfg, id := failedStore(t)
	tests := []struct {
		args         []string
		code         int
		contains     string
		lacks        string
		stderrHas    string
		stdoutIsJSON bool
	}{
		{args: []string{"deliveries", "-h"}, contains: "list|show|retry|discard"},
		{args: []string{"deliveries"}, code: exitUsage, stderrHas: "name an action"},
		{args: []string{"deliveries", "purge", cfg}, code: exitUsage, stderrHas: `unknown action "purge"`},
		{args: []string{"deliveries", "list", cfg, "-state", "stuck"}, code: exitUsage, stderrHas: "-state stuck: one of pending, retrying, failed, dead"},
		{args: []string{"deliveries", "show", cfg}, code: exitUsage, stderrHas: "show needs -change ID"},
		{args: []string{"deliveries", "discard", cfg}, code: exitUsage, stderrHas: "discard needs a filter"},
		{args: []string{"deliveries", "discard", cfg, "-all", "-vendor", "crm"}, code: exitUsage, stderrHas: "not both"},
		{args: []string{"deliveries", "list", filepath.Join(t.TempDir(), "none.yaml")}, code: exitError, stderrHas: "none.yaml"},
		{args: []string{"deliveries", "list", cfg}, contains: "failed  crm     name:ghost", lacks: "portal-secret-pw"},
		{args: []string{"deliveries", "list", cfg}, contains: "HTTP 404: no such user at the CRM"},
		{args: []string{"deliveries", "list", cfg, "-user", "GHOST", "-state", "failed", "-vendor", "crm"}, contains: "name:ghost", lacks: "p@example.com"},
		{args: []string{"deliveries", "list", cfg, "-vendor", "other"}, contains: "no deliveries match"},
		{args: []string{"deliveries", "list", cfg, "-json", "-user", "p@"}, contains: `"key": "portal:p@example.com"`, stdoutIsJSON: true},
		{args: []string{"deliveries", "show", cfg, "-change", id}, contains: `"IsOutOfOfficeEnabled": true`},
		{args: []string{"deliveries", "show", cfg, "-vendor", "crm", "-key", "portal:p@example.com", "-seq", "2"}, contains: `"UserPwd": "***"`, lacks: "portal-secret-pw"},
		{args: []string{"deliveries", "show", cfg, "-json", "-vendor", "crm", "-key", "portal:p@example.com", "-seq", "2"}, contains: `"UserPwd": "***"`, lacks: "sealed:", stdoutIsJSON: true},
		{args: []string{"deliveries", "show", cfg, "-change", "nope"}, code: exitError, stderrHas: "no delivery not yet made matches"},
		{args: []string{"deliveries", "retry", cfg, "-user", "ghost"}, contains: "1 deliveries retried"},
		{args: []string{"deliveries", "list", cfg, "-state", "pending"}, contains: "pending  crm     name:ghost"},
		{args: []string{"deliveries", "retry", cfg, "-state", "pending"}, code: exitError, stderrHas: "already"},
		{args: []string{"deliveries", "discard", cfg, "-all", "-json"}, contains: `"discarded": 1`, stdoutIsJSON: true},
		{args: []string{"deliveries", "discard", cfg, "-state", "pending"}, contains: "1 deliveries discarded"},
		{args: []string{"deliveries", "list", "-config", cfg}, contains: "no deliveries match"},
		{args: []string{"migrate", "-h"}, contains: "usage: thereforebridge migrate"},
		{args: []string{"migrate", cfg}, contains: "is up to date"},
		{args: []string{"migrate", cfg, "extra"}, code: exitUsage, stderrHas: "unexpected argument"},
	}
	for _, tc := range tests {
		var out, errOut bytes.Buffer
		code := run(tc.args, &out, &errOut)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", tc.args, code, tc.code, out.String(), errOut.String())
			continue
		}
		if !strings.Contains(out.String(), tc.contains) {
			t.Errorf("%v: output lacks %q:\n%s", tc.args, tc.contains, out.String())
		}
		if tc.lacks != "" && strings.Contains(out.String(), tc.lacks) {
			t.Errorf("%v: output shows %q:\n%s", tc.args, tc.lacks, out.String())
		}
		if !strings.Contains(errOut.String(), tc.stderrHas) {
			t.Errorf("%v: stderr lacks %q:\n%s", tc.args, tc.stderrHas, errOut.String())
		}
		if tc.stdoutIsJSON && !strings.HasPrefix(strings.TrimSpace(out.String()), "{") && !strings.HasPrefix(strings.TrimSpace(out.String()), "[") {
			t.Errorf("%v: not JSON:\n%s", tc.args, out.String())
		}
	}
}
