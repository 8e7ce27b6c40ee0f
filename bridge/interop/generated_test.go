package interop_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hooklift/gowsdl/soap"

	"github.com/thereforebridge/thereforebridge/bridge/xsd"
	"github.com/thereforebridge/thereforebridge/generated"
)

// TestGoGenerated drives the client gowsdl generated in generated/ (SOAP 1.1
// only, as gowsdl writes it) the way a Go user would: NewIThereforeService on
// a soap.NewClient for the endpoint with soap.WithBasicAuth (the demo caller),
// values built from the generated types. It compares the call log with
// testdata/interop/expected.json and expects a *soap.SOAPFault naming QueryNo
// for an invalid call, and a *soap.HTTPError with status 401 from a client
// whose password is wrong. Like the other clients it logs one line per check
// and `N passed, M failed`.
func TestGoGenerated(t *testing.T) {
	t.Parallel()
	b := newBridge(t)
	r := &results{t: t}
	defer r.summary()

	newService := func(password string) generated.IThereforeService {
		return generated.NewIThereforeService(soap.NewClient(b.Endpoint(),
			soap.WithRequestTimeout(30*time.Second), soap.WithBasicAuth(demoUser, password)))
	}
	svc := newService(demoPassword)
	r.log("# endpoint: %s (gowsdl soap client, SOAP 1.1, HTTP Basic as %s)", b.Endpoint(), demoUser)

	if _, err := svc.SaveOutOfOfficeInfoForUser(&generated.SaveOutOfOfficeInfoForUser{Parameters: goOOF()}); err != nil {
		r.fail("SaveOutOfOfficeInfoForUser: call succeeds", fmt.Sprintf("%T: %v", err, err))
	} else {
		r.ok("SaveOutOfOfficeInfoForUser: call succeeds")
	}
	if _, err := svc.SavePortalUser(&generated.SavePortalUser{Parameters: goPortal()}); err != nil {
		r.fail("SavePortalUser: call succeeds", fmt.Sprintf("%T: %v", err, err))
	} else {
		r.ok("SavePortalUser: call succeeds")
	}

	expected := map[string]any{}
	if data, err := os.ReadFile(expectedPath()); err != nil {
		r.fail("read expected.json", err.Error())
	} else if err := decodeJSON(data, &expected); err != nil {
		r.fail("parse expected.json", err.Error())
	}
	var entries []map[string]any
	resp, err := http.Get(b.Calls())
	switch {
	case err != nil:
		r.fail("call log fetched from "+b.Calls(), err.Error())
	default:
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if err := decodeJSON(buf.Bytes(), &entries); err != nil || len(entries) < 2 {
			r.fail("call log has at least 2 entries", fmt.Sprintf("%v: %.200s", err, buf.String()))
			entries = nil
		} else {
			r.ok(fmt.Sprintf("call log fetched (%d entries)", len(entries)))
		}
	}
	if entries != nil {
		last := entries[len(entries)-2:]
		for i, op := range []string{"SaveOutOfOfficeInfoForUser", "SavePortalUser"} {
			r.compare(op+": operation", op, lookup(last[i], "operation"))
			r.compare(op+": parameters", expected[op], lookup(last[i], "params"))
		}
	}

	const desc = "SavePortalUser with QueryNo=0, CtgryNo=0"
	_, err = svc.SavePortalUser(&generated.SavePortalUser{Parameters: &generated.SavePortalUserParams{
		PortalUser: &generated.WSPortalUser{Email: ptr("x@example.com"), QueryNo: 0, CtgryNo: 0},
	}})
	var fault *soap.SOAPFault
	switch {
	case err == nil:
		r.fail(desc+": returns *soap.SOAPFault", "no error")
	case !errors.As(err, &fault):
		r.fail(desc+": returns *soap.SOAPFault", fmt.Sprintf("%T: %v", err, err))
	default:
		r.ok(desc + ": returns *soap.SOAPFault")
		r.log("#   fault code=%q string=%q", fault.Code, fault.String)
		if strings.HasSuffix(fault.Code, ":Client") {
			r.ok(desc + ": fault code is Client")
		} else {
			r.fail(desc+": fault code is Client", "got "+fault.Code)
		}
		if strings.Contains(fault.String, "QueryNo") {
			r.ok(desc + ": fault string mentions QueryNo")
		} else {
			r.fail(desc+": fault string mentions QueryNo", "string was "+fault.String)
		}
	}

	// gowsdl's client returns *soap.HTTPError for any status >= 400 but 500.
	const wrongDesc = "SaveOutOfOfficeInfoForUser with a wrong password: returns *soap.HTTPError 401"
	_, err = newService("wrong-" + demoPassword).SaveOutOfOfficeInfoForUser(&generated.SaveOutOfOfficeInfoForUser{Parameters: goOOF()})
	var httpErr *soap.HTTPError
	switch {
	case err == nil:
		r.fail(wrongDesc, "no error")
	case !errors.As(err, &httpErr) || httpErr.StatusCode != http.StatusUnauthorized:
		r.fail(wrongDesc, fmt.Sprintf("%T: %v", err, err))
	default:
		r.ok(wrongDesc)
		r.log("#   %.200s", httpErr.Error())
	}
}

func ptr[T any](v T) *T { return &v }

func goUser(name, domain string, id int32) *generated.WSUserUniversalIdentifier {
	u := &generated.WSUserUniversalIdentifier{UserType: ptr(generated.WSUserTypeSingleUser)}
	if name != "" {
		u.UserName = ptr(name)
	}
	if domain != "" {
		u.DomainName = ptr(domain)
	}
	if id != 0 {
		u.UserId = ptr(id)
	}
	return u
}

func goOOF() *generated.SaveOutOfOfficeInfoForUserParams {
	return &generated.SaveOutOfOfficeInfoForUserParams{
		User:                 goUser("jdoe", "CORP", 0),
		IsOutOfOfficeEnabled: ptr(true),
		DelegateUsersToAdd: &generated.ArrayOfWSUserUniversalIdentifier{WSUserUniversalIdentifier: []*generated.WSUserUniversalIdentifier{
			goUser("asmith", "CORP", 0),
			goUser("", "", 42),
		}},
	}
}

func base(no int32) *generated.WSIndexDataBase { return &generated.WSIndexDataBase{FieldNo: no} }

func goPortal() *generated.SavePortalUserParams {
	row := &generated.WSTableFieldDataRow{
		RowNo: ptr(int32(0)),
		DataRowItems: &generated.ArrayOfWSTableFieldDataRowItem{WSTableFieldDataRowItem: []*generated.WSTableFieldDataRowItem{
			{StringIndexData: &generated.WSIndexDataString{WSIndexDataBase: base(71), DataValue: ptr("row-a")}},
			{IntIndexData: &generated.WSIndexDataInt{WSIndexDataBase: base(72), DataValue: ptr(int32(3))}},
		}},
	}
	return &generated.SavePortalUserParams{
		IsOneTimePwd: ptr(true),
		PortalUser: &generated.WSPortalUser{
			Email:    ptr("portal@example.com"),
			QueryNo:  12,
			UserName: ptr("portal1"),
			UserPwd:  ptr("s3cret!"),
			Conditions: &generated.ArrayOfWSCondition{WSCondition: []*generated.WSCondition{
				{Condition: ptr(">=5"), FieldNoOrName: ptr("Amount"), TimeZone: ptr(generated.WSTimeZoneUTC)},
				{Condition: ptr("2024-01-01"), FieldNoOrName: ptr("Created"), TimeZone: ptr(generated.WSTimeZoneServerLocal)},
			}},
			IndexDataItems: &generated.ArrayOfWSIndexDataItem{WSIndexDataItem: []*generated.WSIndexDataItem{
				{StringIndexData: &generated.WSIndexDataString{WSIndexDataBase: base(1), DataValue: ptr("hello")}},
				{IntIndexData: &generated.WSIndexDataInt{WSIndexDataBase: base(2), DataValue: ptr(int32(7))}},
				{DateIndexData: &generated.WSIndexDataDate{WSIndexDataBase: base(3), DataISO8601Value: ptr("2017-07-23")}},
				{LogicalIndexData: &generated.WSIndexDataLogical{WSIndexDataBase: base(4), DataValue: ptr(true)}},
				{MoneyIndexData: &generated.WSIndexDataMoney{WSIndexDataBase: base(5), DecimalDataValue: ptr(xsd.Decimal("1234.50"))}},
				{SingleKeywordData: &generated.WSIndexDataSingleKeyword{WSIndexDataBase: base(6), DataValue: ptr("Sales")}},
				{TableIndexData: &generated.WSIndexDataTable{WSIndexDataBase: base(7), DataValue: &generated.ArrayOfWSTableFieldDataRow{
					WSTableFieldDataRow: []*generated.WSTableFieldDataRow{row},
				}}},
			}},
		},
	}
}

// ---------------------------------------------------------------------------
// Checks, in the same shape as the script clients' output.

type results struct {
	t              *testing.T
	passed, failed int
}

func (r *results) log(format string, args ...any) { r.t.Helper(); r.t.Logf(format, args...) }
func (r *results) ok(desc string)                 { r.t.Helper(); r.passed++; r.t.Log("ok - " + desc) }
func (r *results) fail(desc, detail string) {
	r.t.Helper()
	r.failed++
	r.t.Errorf("FAIL - %s: %s", desc, detail)
}
func (r *results) summary() { r.t.Helper(); r.t.Logf("%d passed, %d failed", r.passed, r.failed) }

type absentT struct{}

var absent = absentT{}

func lookup(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	return absent
}

func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

func show(v any) string {
	if v == absent {
		return "(absent)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// compare: every expected member decoded with the same JSON type and value; a
// decoded member that was not sent fails unless it is null.
func (r *results) compare(path string, want, got any) {
	r.t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			r.fail(path, "sent "+show(want)+", decoded "+show(got))
			return
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r.compare(path+"."+k, w[k], lookup(g, k))
		}
		keys = keys[:0]
		for k := range g {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if _, sent := w[k]; !sent && g[k] != nil {
				r.fail(path+"."+k+" (not sent)", "sent (absent), decoded "+show(g[k]))
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			r.fail(path+" (array)", "sent "+show(want)+", decoded "+show(got))
			return
		}
		if len(g) != len(w) {
			r.fail(path+" (item count)", fmt.Sprintf("sent %d, decoded %d", len(w), len(g)))
		} else {
			r.ok(fmt.Sprintf("%s (item count %d)", path, len(w)))
		}
		for i, v := range w {
			var gv any = absent
			if i < len(g) {
				gv = g[i]
			}
			r.compare(fmt.Sprintf("%s[%d]", path, i), v, gv)
		}
	default:
		same := false
		switch w := want.(type) {
		case json.Number:
			if g, ok := got.(json.Number); ok {
				wf, _ := w.Float64()
				gf, _ := g.Float64()
				same = wf == gf
			}
		case string, bool:
			same = got == want
		case nil:
			same = got == nil
		}
		if same {
			r.ok(path + " = " + show(want))
		} else {
			r.fail(path, "sent "+show(want)+", decoded "+show(got))
		}
	}
}
