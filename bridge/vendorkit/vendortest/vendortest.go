// Package vendortest gives every vendor adapter's tests the same sample
// calls, directory and checks, so each vendor gets the same scrutiny: Run
// (suite.go) is the suite every vendor package calls once — what it
// declares, the result class of each HTTP status, session renewal,
// refused credentials, and that no secret ever reaches a result message
// or a log line, even from a vendor that echoes the request. It also sets
// up what every such test needs (env.go): the vendor's fake on an httptest
// server, an adapter on its demo configuration, a settable clock, and raw
// requests.
package vendortest

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/generated"
)

// Directory maps the sample users: CORP\jdoe (John Doe, with ids at
// superoffice "17" and lineworks "jdoe@example.com"), CORP\asmith and
// CORP\bwong (e-mail only), and the group CORP\sales = jdoe + asmith.
func Directory() *identity.Static {
	return identity.FromConfig(config.Identity{
		Users: []config.IdentityUser{
			{Therefore: config.ThereforeRef{Domain: "CORP", Name: "jdoe"}, Aliases: []config.ThereforeRef{{Caller: "jdoe"}},
				Email: "jdoe@example.com", DisplayName: "John Doe",
				Vendors: map[string]string{"superoffice": "17", "lineworks": "jdoe@example.com"}},
			{Therefore: config.ThereforeRef{Domain: "CORP", Name: "asmith"}, Email: "asmith@example.com", DisplayName: "Anna Smith"},
			{Therefore: config.ThereforeRef{Domain: "CORP", Name: "bwong"}, Email: "bwong@example.com", DisplayName: "Ben Wong"},
		},
		Groups: []config.IdentityGroup{{Therefore: config.ThereforeRef{Domain: "CORP", Name: "sales"},
			Members: []config.ThereforeRef{{Domain: "CORP", Name: "jdoe"}, {Domain: "CORP", Name: "asmith"}}}},
	})
}

// Logger returns a JSON logger and the buffer it writes to.
func Logger() (*slog.Logger, *SafeBuffer) {
	var b SafeBuffer
	return slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

// SafeBuffer is a bytes.Buffer safe for concurrent writers.
type SafeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SafeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written.
func (s *SafeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Deps returns adapter dependencies with the sample directory and a
// capturing logger.
func Deps() (vendorkit.Deps, *SafeBuffer) {
	log, buf := Logger()
	return vendorkit.Deps{Log: log, Directory: Directory()}.WithDefaults(), buf
}

func str(s string) *string { return &s }

func user(domain, name string) *generated.WSUserUniversalIdentifier {
	t := generated.WSUserTypeSingleUser
	return &generated.WSUserUniversalIdentifier{DomainName: str(domain), UserName: str(name), UserType: &t}
}

// OOFParams is the sample SaveOutOfOfficeInfoForUser for CORP\jdoe with
// IsOutOfOfficeEnabled = enabled (nil: unchanged) and, when addDelegates,
// DelegateUsersToAdd CORP\asmith and CORP\bwong.
func OOFParams(enabled *bool, addDelegates bool) *generated.SaveOutOfOfficeInfoForUserParams {
	p := &generated.SaveOutOfOfficeInfoForUserParams{User: user("CORP", "jdoe"), IsOutOfOfficeEnabled: enabled}
	if addDelegates {
		p.DelegateUsersToAdd = &generated.ArrayOfWSUserUniversalIdentifier{
			WSUserUniversalIdentifier: []*generated.WSUserUniversalIdentifier{user("CORP", "asmith"), user("CORP", "bwong")}}
	}
	return p
}

// ChangeID is the change id of the sample calls.
const ChangeID = "test-change"

// OOFCall wraps params as the delivery engine would.
func OOFCall(p *generated.SaveOutOfOfficeInfoForUserParams) *fanout.Call {
	o := intent.FromOOF(p, "")
	return &fanout.Call{ChangeID: ChangeID, RequestID: "test-request", Operation: "SaveOutOfOfficeInfoForUser", Params: p, OutOfOffice: &o, Attempt: 1}
}

// Bool returns a pointer to b.
func Bool(b bool) *bool { return &b }

// PortalUserCall is the sample SavePortalUser.
func PortalUserCall() *fanout.Call {
	fieldNo := func(n int32) *generated.WSIndexDataBase { return &generated.WSIndexDataBase{FieldNo: n} }
	seven := int32(7)
	p := &generated.SavePortalUserParams{
		IsOneTimePwd: Bool(true),
		PortalUser: &generated.WSPortalUser{
			Email: str("portal@example.com"), QueryNo: 12, UserName: str("portal1"), UserPwd: str("S3cret-Portal!"),
			IndexDataItems: &generated.ArrayOfWSIndexDataItem{WSIndexDataItem: []*generated.WSIndexDataItem{
				{StringIndexData: &generated.WSIndexDataString{WSIndexDataBase: fieldNo(1), DataValue: str("hello")}},
				{IntIndexData: &generated.WSIndexDataInt{WSIndexDataBase: fieldNo(2), DataValue: &seven}},
			}},
		},
	}
	return &fanout.Call{ChangeID: ChangeID, RequestID: "test-request", Operation: "SavePortalUser", Params: p, Attempt: 1}
}

// PortalUserSecret is the UserPwd in PortalUserCall, for leak checks.
const PortalUserSecret = "S3cret-Portal!"

// AssertNoSecret fails when any secret appears in the result's message or
// in the captured log.
func AssertNoSecret(t testing.TB, res fanout.Result, log *SafeBuffer, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(res.Message, s) {
			t.Errorf("the result message leaks a secret: %q", res.Message)
		}
		if log != nil && strings.Contains(log.String(), s) {
			t.Errorf("the log leaks a secret %q", s[:min(3, len(s))]+"...")
		}
	}
}

// RetryClasses is the table every adapter is checked against: for each
// vendor HTTP status, the class the adapter must report.
var RetryClasses = []struct {
	Status int
	Want   fanout.Status
}{
	{400, fanout.Permanent}, {403, fanout.Permanent}, {404, fanout.Permanent}, {408, fanout.Retryable},
	{409, fanout.Permanent}, {422, fanout.Permanent}, {429, fanout.Retryable}, {500, fanout.Retryable},
	{501, fanout.Permanent}, {502, fanout.Retryable}, {503, fanout.Retryable}, {504, fanout.Retryable},
}
