package thereforerest_test

import (
	"bytes"
	"context"
	"encoding/json"
	. "github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
	"github.com/thereforebridge/thereforebridge/bridge/xsd"
	"github.com/thereforebridge/thereforebridge/generated"
)

// setup starts a fake and an adapter on its Demo config, changed by mutate.
func setup(t *testing.T, mutate func(*Config)) (*fake.Fake, *Adapter, *vendortest.SafeBuffer) {
	t.Helper()
	f := fake.New()
	e := vendortest.Setup(t, f, fake.Demo, New, func(c *Config, _ *vendorkit.Deps) {
		if mutate != nil {
			mutate(c)
		}
	})
	return f, e.Adapter, e.Log
}

func str(s string) *string { return &s }
func i32(n int32) *int32   { return &n }

func dateTime(t *testing.T, s string) *xsd.DateTime {
	t.Helper()
	d, err := xsd.ParseDateTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

// fullPortalUser uses every member kind the contract has: dates with and
// without a zone, an exact decimal, the largest access mask, lists with
// nil items, tables, both enums.
func fullPortalUser(t *testing.T) *fanout.Call {
	base := func(n int32) *generated.WSIndexDataBase { return &generated.WSIndexDataBase{FieldNo: n} }
	utc, local := generated.WSTimeZoneUTC, generated.WSTimeZoneServerLocal
	dec := xsd.Decimal("+0012.50")
	money := 12.5
	p := &generated.SavePortalUserParams{
		IsOneTimePwd: vendortest.Bool(false),
		PortalUser: &generated.WSPortalUser{
			Email: str("full@example.com"), CtgryNo: 7, UserPwd: str(vendortest.PortalUserSecret),
			Conditions: &generated.ArrayOfWSCondition{WSCondition: []*generated.WSCondition{
				{Condition: str(">= 2024-01-01"), FieldNoOrName: str("Created"), TimeZone: &local},
				{Condition: str("ACME%"), FieldNoOrName: str("12"), TimeZone: &utc},
				{Condition: str("x"), FieldNoOrName: str("Name")},
			}},
			IndexDataItems: &generated.ArrayOfWSIndexDataItem{WSIndexDataItem: []*generated.WSIndexDataItem{
				{DateIndexData: &generated.WSIndexDataDate{WSIndexDataBase: base(1), DataValue: dateTime(t, "2017-07-23T00:00:00")}},
				{DateIndexData: &generated.WSIndexDataDate{WSIndexDataBase: base(0), FieldName: str("Due"), DataISO8601Value: str("2017-07-23")}},
				{DateTimeIndexData: &generated.WSIndexDataDateTime{WSIndexDataBase: base(2), DataValue: dateTime(t, "2018-05-03T14:45:00Z")}},
				{MoneyIndexData: &generated.WSIndexDataMoney{WSIndexDataBase: base(3), DecimalDataValue: &dec, DataValue: &money}},
				{LogicalIndexData: &generated.WSIndexDataLogical{WSIndexDataBase: base(4), DataValue: vendortest.Bool(true)}},
				{SingleKeywordData: &generated.WSIndexDataSingleKeyword{WSIndexDataBase: base(0), FieldName: str("Department_Text"), DataValue: str("Sales")}},
				{MultipleKeywordData: &generated.WSIndexDataMultipleKeyword{WSIndexDataBase: base(5),
					DataValue:  &generated.ArrayOfKeyword{Keyword: []*string{str("a"), nil, str("b")}},
					KeywordNos: &generated.ArrayOfKeywordNo{KeywordNo: []int32{3, 4}}}},
				{AccessMask: &generated.WSAccessMask{Value: 18446744073709551615},
					TableIndexData: &generated.WSIndexDataTable{WSIndexDataBase: base(6), DataValue: &generated.ArrayOfWSTableFieldDataRow{
						WSTableFieldDataRow: []*generated.WSTableFieldDataRow{
							{RowNo: i32(0), DataRowItems: &generated.ArrayOfWSTableFieldDataRowItem{WSTableFieldDataRowItem: []*generated.WSTableFieldDataRowItem{
								{IntIndexData: &generated.WSIndexDataInt{WSIndexDataBase: base(61), DataValue: i32(-5)}},
								{StringIndexData: &generated.WSIndexDataString{WSIndexDataBase: base(62), DataValue: str(`quote " and \ slash`)}},
							}}},
							{RowNo: i32(1)}, // no items: delete row 1
						}}}},
			}},
		},
	}
	return &fanout.Call{RequestID: "test-request", Operation: "SavePortalUser", Params: p}
}

func connectedOOF() *fanout.Call {
	return vendortest.OOFCall(&generated.SaveOutOfOfficeInfoForUserParams{IsOutOfOfficeEnabled: vendortest.Bool(true)})
}

func TestGoldenAndEndState(t *testing.T) {
	namesISO := func(c *Config) { c.EnumStyle, c.DateStyle = EnumNames, DateISO }
	cases := []struct {
		name   string
		mutate func(*Config)
		call   func(t *testing.T) *fanout.Call
		want   fanout.Status
		check  func(t *testing.T, s fake.State)
	}{
		{"oof-on", nil, func(*testing.T) *fanout.Call {
			return vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), false))
		},
			fanout.OK, func(t *testing.T, s fake.State) { wantUser(t, s, `CORP\jdoe`, true) }},
		{"oof-off", nil, func(*testing.T) *fanout.Call {
			return vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(false), false))
		},
			fanout.OK, func(t *testing.T, s fake.State) { wantUser(t, s, `CORP\jdoe`, false) }},
		{"delegates", nil, func(*testing.T) *fanout.Call { return vendortest.OOFCall(vendortest.OOFParams(nil, true)) },
			fanout.OK, func(t *testing.T, s fake.State) { wantUser(t, s, `CORP\jdoe`, false, `CORP\asmith`, `CORP\bwong`) }},
		// User nil goes as-is: Therefore applies it to the account the bridge connects as.
		{"oof-connected", nil, func(*testing.T) *fanout.Call { return connectedOOF() },
			fanout.OK, func(t *testing.T, s fake.State) { wantUser(t, s, fake.DemoUser, true) }},
		{"portaluser", nil, func(*testing.T) *fanout.Call { return vendortest.PortalUserCall() },
			fanout.OK, func(t *testing.T, s fake.State) {
				want := fake.PortalUser{Email: "portal@example.com", UserName: "portal1", QueryNo: 12, PasswordSet: true, OneTimePassword: true, IndexDataItems: 2}
				if got := s.PortalUsers["portal@example.com"]; got != want {
					t.Errorf("portal user = %+v, want %+v", got, want)
				}
			}},
		{"portaluser-full", nil, fullPortalUser, fanout.OK, func(t *testing.T, s fake.State) {
			if got := s.PortalUsers["full@example.com"]; got.Conditions != 3 || got.IndexDataItems != 8 || got.CtgryNo != 7 {
				t.Errorf("portal user = %+v", got)
			}
		}},
		// Names and ISO dates are options for other servers: a WCF server
		// (the fake) refuses them, which is why numbers and wcf are the default.
		{"portaluser-full-names-iso", namesISO, fullPortalUser, fanout.Permanent, func(t *testing.T, s fake.State) {
			if len(s.PortalUsers) != 0 {
				t.Errorf("portal users = %v, want none", s.PortalUsers)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, a, log := setup(t, tc.mutate)
			call := tc.call(t)
			res := a.Deliver(context.Background(), call)
			if res.Status != tc.want {
				t.Fatalf("Deliver = %+v, want %v", res, tc.want)
			}
			var out bytes.Buffer
			if err := json.Indent(&out, f.LastBody(call.Operation), "", "  "); err != nil {
				t.Fatal(err)
			}
			out.WriteByte('\n')
			golden.Check(t, filepath.Join(golden.Root(), "vendors", "therefore", tc.name+".json"), out.Bytes())
			tc.check(t, f.State())
			if strings.Contains(string(f.State().LastBodies[call.Operation]), vendortest.PortalUserSecret) {
				t.Error("the fake's state shows UserPwd")
			}
			vendortest.AssertNoSecret(t, res, log, fake.DemoPassword, vendortest.PortalUserSecret)
		})
	}
}

func wantUser(t *testing.T, s fake.State, name string, oof bool, delegates ...string) {
	t.Helper()
	got := s.Users[name]
	if got.OutOfOffice != oof || !reflect.DeepEqual(got.Delegates, append([]string{}, delegates...)) {
		t.Errorf("%s = %+v, want out of office %v, delegates %v", name, got, oof, delegates)
	}
}

// TestDelegateRules runs a sequence against one fake: the end state shows
// that the lists arrive as the SOAP client sent them.
func TestDelegateRules(t *testing.T) {
	f, a, _ := setup(t, nil)
	ids := func(names ...string) *generated.ArrayOfWSUserUniversalIdentifier {
		l := &generated.ArrayOfWSUserUniversalIdentifier{}
		for _, n := range names {
			l.WSUserUniversalIdentifier = append(l.WSUserUniversalIdentifier, &generated.WSUserUniversalIdentifier{DomainName: str("CORP"), UserName: str(n)})
		}
		return l
	}
	steps := []*generated.SaveOutOfOfficeInfoForUserParams{
		vendortest.OOFParams(vendortest.Bool(true), true), // on, + asmith, bwong
		{User: &generated.WSUserUniversalIdentifier{UserId: i32(101)}, DelegateUsersToDelete: ids("asmith", "bwong"), DelegateUsersToAdd: ids("bwong")},
	}
	for i, p := range steps {
		if res := a.Deliver(context.Background(), vendortest.OOFCall(p)); res.Status != fanout.OK {
			t.Fatalf("step %d: %+v", i, res)
		}
	}
	wantUser(t, f.State(), `CORP\jdoe`, true, `CORP\bwong`) // bwong in both lists stays
	replace := vendortest.OOFParams(nil, false)
	replace.DelegateUsers = ids()
	replace.DelegateUsersToAdd = ids("asmith")
	if res := a.Deliver(context.Background(), vendortest.OOFCall(replace)); res.Status != fanout.OK {
		t.Fatal(res)
	}
	wantUser(t, f.State(), `CORP\jdoe`, true) // an empty DelegateUsers clears, the Add list is ignored
}

func TestAuthAndHeaders(t *testing.T) {
	oof := func() *fanout.Call { return vendortest.OOFCall(vendortest.OOFParams(vendortest.Bool(true), false)) }
	cases := []struct {
		name       string
		mutate     func(*Config)
		fake       func(*fake.Fake)
		want       fanout.Status
		wantStatus int
		wantMsg    string
		wantCall   fake.Call
	}{
		{"basic", func(c *Config) { c.TimezoneIANA = "Europe/Berlin" }, nil, fanout.OK, 200, "",
			fake.Call{Operation: "SaveOutOfOfficeInfoForUser", Auth: "basic", Tenant: fake.DemoTenant, TimeZone: "Europe/Berlin", Status: 200}},
		{"wrong password", func(c *Config) { c.Password = config.NewSecret("wrong-password") }, nil, fanout.Permanent, 401, "AccessDenied: Invalid credentials",
			fake.Call{Operation: "SaveOutOfOfficeInfoForUser", Tenant: fake.DemoTenant, Status: 401}},
		{"bearer", func(c *Config) {
			c.User, c.Password, c.Token = config.Secret{}, config.Secret{}, config.NewSecret(fake.DemoToken)
		}, nil, fanout.OK, 200, "",
			fake.Call{Operation: "SaveOutOfOfficeInfoForUser", Auth: "bearer", Tenant: fake.DemoTenant, Status: 200}},
		{"wrong bearer", func(c *Config) {
			c.User, c.Password, c.Token = config.Secret{}, config.Secret{}, config.NewSecret("not-the-token")
		}, nil, fanout.Permanent, 401, "Invalid credentials",
			fake.Call{Operation: "SaveOutOfOfficeInfoForUser", Tenant: fake.DemoTenant, Status: 401}},
		{"connection token", func(c *Config) { c.Password, c.UseToken = config.NewSecret(fake.DemoConnectionToken), true }, nil, fanout.OK, 200, "",
			fake.Call{Operation: "SaveOutOfOfficeInfoForUser", Auth: "basic+token", Tenant: fake.DemoTenant, UseToken: true, Status: 200}},
		{"password sent as token", func(c *Config) { c.UseToken = true }, nil, fanout.Permanent, 401, "Invalid credentials",
			fake.Call{Operation: "SaveOutOfOfficeInfoForUser", Tenant: fake.DemoTenant, UseToken: true, Status: 401}},
		{"missing tenant", func(c *Config) { c.Tenant = "" }, nil, fanout.Permanent, 500, "Tenant name is required",
			fake.Call{Operation: "SaveOutOfOfficeInfoForUser", Auth: "basic", Status: 500}},
		{"tenant under another header", func(c *Config) { c.TenantHeader = "X-Tenant" }, nil, fanout.Permanent, 500, "Tenant name is required",
			fake.Call{Operation: "SaveOutOfOfficeInfoForUser", Auth: "basic", Status: 500}},
		{"unknown tenant", func(c *Config) { c.Tenant = "other" }, nil, fanout.Permanent, 500, `ObjectNotFound: tenant "other" does not exist`,
			fake.Call{Operation: "SaveOutOfOfficeInfoForUser", Auth: "basic", Tenant: "other", Status: 500}},
		{"on-premises, no tenant", func(c *Config) { c.Tenant = "" }, func(f *fake.Fake) { f.RequireTenant(false) }, fanout.OK, 200, "",
			fake.Call{Operation: "SaveOutOfOfficeInfoForUser", Auth: "basic", Status: 200}},
		{"base URL with a path", func(c *Config) { c.BaseURL += "/prefix/" }, nil, fanout.Permanent, 404, "ObjectNotFound: no operation at /prefix/theservice/v0001/restun/SaveOutOfOfficeInfoForUser",
			fake.Call{Operation: "/prefix/theservice/v0001/restun/SaveOutOfOfficeInfoForUser", Auth: "basic", Tenant: fake.DemoTenant, Status: 404}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, a, log := setup(t, tc.mutate)
			if tc.fake != nil {
				tc.fake(f)
			}
			res := a.Deliver(context.Background(), oof())
			if res.Status != tc.want || res.VendorStatus != tc.wantStatus || !strings.Contains(res.Message, tc.wantMsg) {
				t.Errorf("Deliver = %+v, want %v, %d, %q", res, tc.want, tc.wantStatus, tc.wantMsg)
			}
			if calls := f.State().Calls; len(calls) != 1 || calls[0] != tc.wantCall {
				t.Errorf("calls = %+v, want [%+v]", calls, tc.wantCall)
			}
			vendortest.AssertNoSecret(t, res, log, fake.DemoPassword, fake.DemoToken, fake.DemoConnectionToken, "wrong-password", "not-the-token")
		})
	}
}

func TestApplicationErrors(t *testing.T) {
	unknown := vendortest.OOFParams(vendortest.Bool(true), false)
	unknown.User.UserName = str("nobody")
	noEmail := vendortest.PortalUserCall()
	noEmail.Params.(*generated.SavePortalUserParams).PortalUser.Email = nil
	cases := []struct {
		name    string
		mutate  func(*Config)
		call    *fanout.Call
		want    fanout.Status
		wantMsg string
	}{
		{"unknown user", nil, vendortest.OOFCall(unknown), fanout.Permanent, `ObjectNotFound: user "CORP\\nobody" was not found`},
		{"unknown user retried when configured so", func(c *Config) { c.PermanentErrorCodes = []string{} }, vendortest.OOFCall(unknown), fanout.Retryable, "ObjectNotFound"},
		{"missing e-mail", nil, noEmail, fanout.Permanent, "InvalidArgument: Email is mandatory"},
		{"wrong parameter type", nil, &fanout.Call{Operation: "SavePortalUser", Params: "x"}, fanout.Permanent, "not *generated.SavePortalUserParams"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, a, log := setup(t, tc.mutate)
			res := a.Deliver(context.Background(), tc.call)
			if res.Status != tc.want || !strings.Contains(res.Message, tc.wantMsg) {
				t.Errorf("Deliver = %+v, want %v with %q", res, tc.want, tc.wantMsg)
			}
			vendortest.AssertNoSecret(t, res, log, fake.DemoPassword, vendortest.PortalUserSecret)
		})
	}
}

// TestTooManyRequests: Therefore sends no Retry-After, so none is made up.
func TestTooManyRequests(t *testing.T) {
	f, a, _ := setup(t, nil)
	f.FailNext(1, http.StatusTooManyRequests)
	if res := a.Deliver(context.Background(), vendortest.PortalUserCall()); res.Status != fanout.Retryable || res.RetryAfter != 0 {
		t.Errorf("Deliver = %+v, want retryable without RetryAfter", res)
	}
}

func TestTransportFailures(t *testing.T) {
	t.Run("dropped connection", func(t *testing.T) {
		f, a, _ := setup(t, nil)
		f.DropConnections(1)
		if res := a.Deliver(context.Background(), vendortest.PortalUserCall()); res.Status != fanout.Retryable {
			t.Errorf("Deliver = %+v, want retryable", res)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		f, a, _ := setup(t, func(c *Config) { c.Timeout = config.Duration(20 * time.Millisecond) })
		f.Delay(time.Second)
		res := a.Deliver(context.Background(), vendortest.PortalUserCall())
		if res.Status != fanout.Retryable || !strings.Contains(res.Message, "timed out") {
			t.Errorf("Deliver = %+v, want retryable timed out", res)
		}
	})
}

// TestSecretsScrubbed: a server that echoes the credentials in its error
// cannot make them reach a result or a log line.
func TestSecretsScrubbed(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]any{"Message": "denied for " + u + ":" + p + " " + r.Header.Get("Authorization")})
	})
	e := vendortest.Setup(t, echo, fake.Demo, New, nil)
	res := e.Adapter.Deliver(context.Background(), vendortest.PortalUserCall())
	if res.Status != fanout.Permanent || !strings.Contains(res.Message, "denied for") {
		t.Errorf("Deliver = %+v", res)
	}
	vendortest.AssertNoSecret(t, res, e.Log, fake.DemoPassword, strings.TrimPrefix(e.Adapter.Authz(), "Basic "), vendortest.PortalUserSecret)
}

func TestConcurrentDeliveries(t *testing.T) {
	f, a, _ := setup(t, nil)
	const n = 100
	var wg sync.WaitGroup
	results := make([]fanout.Result, n)
	for i := range n {
		wg.Go(func() { results[i] = a.Deliver(context.Background(), vendortest.PortalUserCall()) })
	}
	wg.Wait()
	for i, res := range results {
		if res.Status != fanout.OK {
			t.Fatalf("call %d: %+v", i, res)
		}
	}
	// Basic auth on every call: no login round trips, exactly one request each.
	if calls := f.State().Calls; len(calls) != n {
		t.Errorf("the fake saw %d calls, want %d", len(calls), n)
	}
}
