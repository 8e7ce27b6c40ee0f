package lineworks_test

import (
	"context"
	"encoding/json"
	. "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
	"github.com/thereforebridge/thereforebridge/generated"
)

// env is an adapter talking to a fresh fake.
type env struct {
	t     *testing.T
	fake  *fake.Fake
	a     *Adapter
	cfg   Config
	log   *vendortest.SafeBuffer
	clock *vendortest.Clock // the shared time of the adapter and the fake
}

// setup starts a fake and an adapter with Demo's config changed by opts.
// dir replaces the sample directory when not nil.
func setup(t *testing.T, dir identity.Directory, opts ...func(*Config)) *env {
	t.Helper()
	f := fake.New()
	clk := vendortest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	f.SetNow(clk.Now)
	e := vendortest.Setup(t, f, fake.Demo, New, func(c *Config, d *vendorkit.Deps) {
		d.Now = clk.Now
		if dir != nil {
			d.Directory = dir
		}
		for _, o := range opts {
			o(c)
		}
	})
	return &env{t: t, fake: f, a: e.Adapter, cfg: e.Config, log: e.Log, clock: clk}
}

// deliver runs one call and checks that no secret reached the result or
// the log: the client secret, the private key, any token issued.
func (e *env) deliver(call *fanout.Call) fanout.Result {
	e.t.Helper()
	res := e.a.Deliver(context.Background(), call)
	secrets := append([]string{e.cfg.ClientSecret.Value(), e.cfg.PrivateKey.Value(), fake.DemoClientSecret}, e.fake.Tokens()...)
	vendortest.AssertNoSecret(e.t, res, e.log, secrets...)
	return res
}

func on(enabled bool) *fanout.Call { return vendortest.OOFCall(vendortest.OOFParams(&enabled, false)) }

// oofFor is an out-of-office call for DOMAIN\name (or a group).
func oofFor(domain, name, userType string, enabled bool) *fanout.Call {
	t := generated.WSUserType(userType)
	p := &generated.SaveOutOfOfficeInfoForUserParams{IsOutOfOfficeEnabled: &enabled,
		User: &generated.WSUserUniversalIdentifier{DomainName: &domain, UserName: &name, UserType: &t}}
	return vendortest.OOFCall(p)
}

// connected is an out-of-office call for the authenticated caller.
func connected(caller string, enabled bool) *fanout.Call {
	p := &generated.SaveOutOfOfficeInfoForUserParams{IsOutOfOfficeEnabled: &enabled}
	o := intent.FromOOF(p, caller)
	return &fanout.Call{RequestID: "test-request", Operation: "SaveOutOfOfficeInfoForUser", Params: p, OutOfOffice: &o}
}

// directory has the sample users plus extra ones.
func directory(extra ...config.IdentityUser) identity.Directory {
	users := []config.IdentityUser{
		{Therefore: config.ThereforeRef{Domain: "CORP", Name: "jdoe"}, Email: "jdoe@example.com", DisplayName: "John Doe",
			Vendors: map[string]string{"lineworks": "jdoe@example.com"}},
	}
	return identity.FromConfig(config.Identity{Users: append(users, extra...)})
}

func messages(ss []fake.Status) []string {
	out := []string{}
	for _, s := range ss {
		msg := ""
		if s.StatusMessage != nil {
			msg = *s.StatusMessage
		}
		out = append(out, s.ScheduleType+" "+s.ProfileStatusID+" "+msg)
	}
	return out
}

func TestOutOfOffice(t *testing.T) {
	ghost := config.IdentityUser{Therefore: config.ThereforeRef{Domain: "CORP", Name: "ghost"}, Email: "ghost@example.com"}
	ext := config.IdentityUser{Therefore: config.ThereforeRef{Domain: "CORP", Name: "ext"},
		Vendors: map[string]string{"lineworks": "externalKey:EMP/ 9"}}
	long := config.IdentityUser{Therefore: config.ThereforeRef{Domain: "CORP", Name: "long"}, Email: "bwong@example.com",
		DisplayName: "Bartholomew Wongsakul-Montgomery-Featherstonehaugh"}
	cases := []struct {
		name   string
		dir    identity.Directory
		opts   []func(*Config)
		before func(f *fake.Fake)
		calls  []*fanout.Call
		want   fanout.Status
		msg    string                 // in the last result's message
		user   string                 // whose statuses to check
		end    []string               // ScheduleType ProfileStatusID message
		check  func(*testing.T, *env) // more end-state checks
	}{
		{name: "on creates the status", calls: []*fanout.Call{on(true)}, want: fanout.OK, msg: "status created",
			user: "jdoe@example.com", end: []string{"PRESENT ABSENCE [OOF] John Doe is out of the office"}},
		{name: "on twice updates and never makes a second", calls: []*fanout.Call{on(true), on(true)}, want: fanout.OK,
			msg: "status updated", user: "jdoe@example.com", end: []string{"PRESENT ABSENCE [OOF] John Doe is out of the office"},
			check: func(t *testing.T, e *env) {
				if n := e.fake.State().Calls["POST /users/{userId}/user-profile-statuses"]; n != 1 {
					t.Errorf("%d POSTs, want 1", n)
				}
			}},
		{name: "on takes over the member's own present status", before: func(f *fake.Fake) { f.AddStatus("jdoe@example.com", "BUSY", "in meetings") },
			calls: []*fanout.Call{on(true)}, want: fanout.OK, msg: "took over the member's own status BUSY",
			user: "jdoe@example.com", end: []string{"PRESENT ABSENCE [OOF] John Doe is out of the office"}},
		{name: "off removes the bridge's status", calls: []*fanout.Call{on(true), on(false)}, want: fanout.OK, msg: "status removed",
			user: "jdoe@example.com", end: []string{}},
		{name: "off without a status is done", calls: []*fanout.Call{on(false)}, want: fanout.OK, msg: "no status of the bridge to remove",
			user: "jdoe@example.com", end: []string{}},
		{name: "off leaves the member's own status", before: func(f *fake.Fake) { f.AddStatus("jdoe@example.com", "BUSY", "in meetings") },
			calls: []*fanout.Call{on(false)}, want: fanout.OK, msg: "no status of the bridge to remove",
			user: "jdoe@example.com", end: []string{"PRESENT BUSY in meetings"}},
		{name: "unchanged with delegates sends nothing", calls: []*fanout.Call{vendortest.OOFCall(vendortest.OOFParams(nil, true))},
			want: fanout.OK, msg: "nothing to change", user: "jdoe@example.com", end: []string{},
			check: func(t *testing.T, e *env) {
				if n := e.fake.TokenRequests() + len(e.fake.Requests()); n != 0 {
					t.Errorf("%d requests, want none", n)
				}
			}},
		{name: "delegates are ignored", calls: []*fanout.Call{vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), true))},
			want: fanout.OK, msg: "status created", user: "jdoe@example.com", end: []string{"PRESENT ABSENCE [OOF] John Doe is out of the office"}},
		{name: "e-mail from the directory", calls: []*fanout.Call{oofFor("CORP", "asmith", "SingleUser", true)}, want: fanout.OK,
			user: "asmith@example.com", end: []string{"PRESENT ABSENCE [OOF] Anna Smith is out of the office"}},
		{name: "the connected user", calls: []*fanout.Call{connected("jdoe", true)}, want: fanout.OK,
			user: "jdoe@example.com", end: []string{"PRESENT ABSENCE [OOF] John Doe is out of the office"}},
		{name: "externalKey mapping is URL-encoded", dir: directory(ext), before: func(f *fake.Fake) { f.AddUser("ext@example.com", "EMP/ 9") },
			calls: []*fanout.Call{oofFor("CORP", "ext", "SingleUser", true)}, want: fanout.OK,
			user: "externalKey:EMP/ 9", end: []string{"PRESENT ABSENCE [OOF] ext is out of the office"},
			check: func(t *testing.T, e *env) {
				if p := e.fake.Requests()[0].Path; p != "/v1.0/users/externalKey:EMP%2F%209/user-profile-statuses" {
					t.Errorf("path %s", p)
				}
			}},
		{name: "unmapped user", calls: []*fanout.Call{oofFor("CORP", "nobody", "SingleUser", true)}, want: fanout.Permanent,
			msg: `CORP\nobody is not mapped to a lineworks user`, user: "jdoe@example.com", end: []string{}},
		{name: "member unknown to LINE WORKS", dir: directory(ghost), calls: []*fanout.Call{oofFor("CORP", "ghost", "SingleUser", true)},
			want: fanout.Permanent, msg: `LINE WORKS has no member CORP\ghost (ghost@example.com): 404 NOT_FOUND`, user: "jdoe@example.com", end: []string{}},
		{name: "a status the domain does not use", opts: []func(*Config){func(c *Config) { c.StatusType = "CUSTOM01" }},
			calls: []*fanout.Call{on(true)}, want: fanout.Permanent, msg: "400 INVALID_PARAMETER: Not used status.", user: "jdoe@example.com", end: []string{}},
		{name: "long messages are cut to 50 characters", dir: directory(long), calls: []*fanout.Call{oofFor("CORP", "long", "SingleUser", true)},
			want: fanout.OK, user: "bwong@example.com", end: []string{"PRESENT ABSENCE [OOF] Bartholomew Wongsakul-Montgomery-Featherston"}},
		{name: "auto replies", opts: []func(*Config){func(c *Config) { c.AutoReplyInternal = "{{.Name}} is away since {{.Date}}." }},
			calls: []*fanout.Call{on(true)}, want: fanout.OK, user: "jdoe@example.com", end: []string{"PRESENT ABSENCE [OOF] John Doe is out of the office"},
			check: func(t *testing.T, e *env) {
				m := e.fake.Statuses("jdoe@example.com")[0].AutoReplyMail
				if m == nil || m.Internal == nil || m.Internal.Content != "John Doe is away since 2026-03-02." || m.External != nil {
					t.Errorf("autoReplyMail %+v", m)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, tc.dir, tc.opts...)
			if tc.before != nil {
				tc.before(e.fake)
			}
			var res fanout.Result
			for _, c := range tc.calls {
				res = e.deliver(c)
			}
			if res.Status != tc.want || !strings.Contains(res.Message, tc.msg) {
				t.Errorf("got %v %q, want %v containing %q", res.Status, res.Message, tc.want, tc.msg)
			}
			if got := messages(e.fake.Statuses(tc.user)); strings.Join(got, "|") != strings.Join(tc.end, "|") {
				t.Errorf("statuses of %s: %q, want %q", tc.user, got, tc.end)
			}
			for _, s := range e.fake.Statuses(tc.user) {
				if s.StatusMessage != nil && utf8.RuneCountInString(*s.StatusMessage) > MaxStatusMessage {
					t.Errorf("message longer than %d characters: %q", MaxStatusMessage, *s.StatusMessage)
				}
			}
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
}

// TestGolden records the exact API requests of the sample calls.
func TestGolden(t *testing.T) {
	cases := []struct {
		name  string
		calls []*fanout.Call
	}{
		{"oof-on", []*fanout.Call{on(true)}},
		{"oof-on-again", []*fanout.Call{on(true), on(true)}},
		{"oof-off", []*fanout.Call{on(true), on(false)}},
		{"delegates", []*fanout.Call{vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), true))}},
		{"unchanged", []*fanout.Call{vendortest.OOFCall(vendortest.OOFParams(nil, true))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, nil)
			for _, c := range tc.calls {
				if res := e.deliver(c); res.Status != fanout.OK {
					t.Fatalf("%v %s", res.Status, res.Message)
				}
			}
			reqs := e.fake.Requests()
			if reqs == nil {
				reqs = []fake.Request{}
			}
			got, err := json.MarshalIndent(reqs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join(golden.Root(), "vendors", "lineworks", tc.name+".json"), append(got, '\n'))
		})
	}
}

// TestConflict: a create that loses a race answers 409 "only one PRESENT
// status"; it counts as done only once the statuses, read again, show
// what was asked.
func TestConflict(t *testing.T) {
	const (
		ours  = "[OOF] John Doe is out of the office"
		reply = "{{.Name}} is away."
	)
	withReply := func(c *Config) { c.AutoReplyInternal = reply }
	cases := []struct {
		name  string
		opts  []func(*Config)
		race  string // the body that lands first; "" for the same as the bridge's
		want  fanout.Status
		msg   string
		reqs  string   // the requests of the first attempt
		end   []string // after the first attempt
		again string   // the message of a second attempt, when it is needed
	}{
		{name: "the same state set concurrently", want: fanout.OK, msg: "status already set",
			reqs: "GET POST GET", end: []string{"PRESENT ABSENCE " + ours}},
		{name: "the same state with auto replies", opts: []func(*Config){withReply}, want: fanout.OK, msg: "status already set",
			reqs: "GET POST GET", end: []string{"PRESENT ABSENCE " + ours}},
		{name: "the member's own status set meanwhile", race: `{"profileStatusId":"BUSY","statusMessage":"in meetings"}`,
			want: fanout.OK, msg: "took over the member's own status BUSY", reqs: "GET POST GET PUT", end: []string{"PRESENT ABSENCE " + ours}},
		{name: "our status with another message", race: `{"profileStatusId":"ABSENCE","statusMessage":"[OOF] an older text"}`,
			want: fanout.Retryable, msg: "409 CONFLICT", reqs: "GET POST GET", end: []string{"PRESENT ABSENCE [OOF] an older text"},
			again: "status updated"},
		{name: "our status without the auto reply", opts: []func(*Config){withReply},
			race: `{"profileStatusId":"ABSENCE","statusMessage":"` + ours + `"}`,
			want: fanout.Retryable, msg: "another content", reqs: "GET POST GET", end: []string{"PRESENT ABSENCE " + ours},
			again: "status updated"},
		{name: "our status of another type", race: `{"profileStatusId":"AWAY","statusMessage":"` + ours + `"}`,
			want: fanout.Retryable, msg: "another content", reqs: "GET POST GET", end: []string{"PRESENT AWAY " + ours},
			again: "status updated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil, tc.opts...)
			e.fake.RaceNextCreate("jdoe@example.com", tc.race)
			res := e.deliver(on(true))
			if res.Status != tc.want || !strings.Contains(res.Message, tc.msg) {
				t.Errorf("got %v %q, want %v containing %q", res.Status, res.Message, tc.want, tc.msg)
			}
			var methods []string
			for _, r := range e.fake.Requests() {
				methods = append(methods, r.Method)
			}
			if got := strings.Join(methods, " "); got != tc.reqs {
				t.Errorf("requests %s, want %s", got, tc.reqs)
			}
			if got := messages(e.fake.Statuses("jdoe@example.com")); strings.Join(got, "|") != strings.Join(tc.end, "|") {
				t.Errorf("statuses %q, want %q", got, tc.end)
			}
			if tc.again == "" {
				return
			}
			if res := e.deliver(on(true)); res.Status != fanout.OK || res.Message != tc.again {
				t.Errorf("the next attempt: %v %q, want ok %q", res.Status, res.Message, tc.again)
			}
			got := e.fake.Statuses("jdoe@example.com")
			if len(got) != 1 || got[0].ProfileStatusID != "ABSENCE" || *got[0].StatusMessage != ours ||
				(len(tc.opts) > 0) != (got[0].AutoReplyMail != nil) {
				t.Errorf("after the next attempt: %q", messages(got))
			}
		})
	}
}
