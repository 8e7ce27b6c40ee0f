package contract_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/contract"
	_ "github.com/thereforebridge/thereforebridge/bridge/golden" // -update, accepted by every test package
	"github.com/thereforebridge/thereforebridge/generated"
)

// portalUser returns a SavePortalUser (as its JSON form) whose PortalUser
// is valid but for what items and extra change.
func portalUser(items string, extra ...string) string {
	u := `"Email":"jane@example.com","QueryNo":12,"CtgryNo":0`
	if len(extra) > 0 {
		u = strings.Join(extra, ",")
	}
	if items != "" {
		u += `,"IndexDataItems":{"WSIndexDataItem":[` + items + `]}`
	}
	return `{"Parameters":{"PortalUser":{` + u + `}}}`
}

func TestValidatePortalUser(t *testing.T) {
	const str = `{"StringIndexData":{"FieldNo":5,"DataValue":"x"}}`
	tests := []struct {
		name     string
		body     string
		wantPath string // "" when valid
		wantRule string
	}{
		{name: "minimal", body: portalUser("")},
		{name: "items of every kind", body: portalUser(str + `,{"IntIndexData":{"FieldNo":1}},{"LogicalIndexData":{"FieldNo":1}},{"MoneyIndexData":{"FieldNo":1}},` +
			`{"MultipleKeywordData":{"FieldNo":1}},{"SingleKeywordData":{"FieldNo":1}},{"DateIndexData":{"FieldNo":1,"DataValue":"2023-01-02T00:00:00"}},` +
			`{"DateTimeIndexData":{"FieldNo":1,"DataValue":"2023-01-02T10:00:00Z"}},{"TableIndexData":{"FieldNo":1}}`)},
		{name: "CtgryNo instead of QueryNo", body: portalUser("", `"Email":"a@b.c","CtgryNo":3`)},
		{name: "FieldNo 0 with a FieldName", body: portalUser(`{"IntIndexData":{"FieldNo":0,"FieldName":"Amount"}}`)},
		{name: "no parameters", body: `{}`, wantPath: "SavePortalUser/parameters", wantRule: "parameters is required"},
		{name: "no PortalUser", body: `{"Parameters":{}}`, wantPath: "SavePortalUser/parameters/PortalUser", wantRule: "mandatory"},
		{name: "no Email", body: portalUser("", `"QueryNo":1`), wantPath: "SavePortalUser/parameters/PortalUser/Email", wantRule: "mandatory"},
		{name: "a blank Email", body: portalUser("", `"Email":"  ","QueryNo":1`), wantPath: "SavePortalUser/parameters/PortalUser/Email", wantRule: "must not be nil or empty"},
		{name: "negative QueryNo", body: portalUser("", `"Email":"a@b.c","QueryNo":-1,"CtgryNo":2`), wantPath: "SavePortalUser/parameters/PortalUser/QueryNo", wantRule: "must not be negative, got -1"},
		{name: "negative CtgryNo", body: portalUser("", `"Email":"a@b.c","QueryNo":1,"CtgryNo":-2`), wantPath: "SavePortalUser/parameters/PortalUser/CtgryNo", wantRule: "must not be negative, got -2"},
		{name: "neither QueryNo nor CtgryNo", body: portalUser("", `"Email":"a@b.c"`), wantPath: "SavePortalUser/parameters/PortalUser/QueryNo", wantRule: "one of QueryNo or CtgryNo"},
		{name: "a nil condition", body: portalUser("", `"Email":"a@b.c","QueryNo":1,"Conditions":{"WSCondition":[{"Condition":"x"},null]}`), wantPath: "SavePortalUser/parameters/PortalUser/Conditions/WSCondition[2]", wantRule: "must not be nil"},
		{name: "a nil item", body: portalUser(str + `,null`), wantPath: "SavePortalUser/parameters/PortalUser/IndexDataItems/WSIndexDataItem[2]", wantRule: "must not be nil"},
		{name: "an empty item", body: portalUser(`{}`), wantPath: "SavePortalUser/parameters/PortalUser/IndexDataItems/WSIndexDataItem[1]", wantRule: "holds no index data"},
		{name: "two values in one item", body: portalUser(`{"IntIndexData":{"FieldNo":1},"StringIndexData":{"FieldNo":2}}`), wantPath: "SavePortalUser/parameters/PortalUser/IndexDataItems/WSIndexDataItem[1]", wantRule: "holds IntIndexData and StringIndexData; exactly one"},
		{name: "negative FieldNo", body: portalUser(`{"IntIndexData":{"FieldNo":-3}}`), wantPath: "SavePortalUser/parameters/PortalUser/IndexDataItems/WSIndexDataItem[1]/IntIndexData/FieldNo", wantRule: "must be >= 0, got -3"},
		{name: "FieldNo 0 without a FieldName", body: portalUser(`{"IntIndexData":{"FieldNo":0,"FieldName":" "}}`), wantPath: "SavePortalUser/parameters/PortalUser/IndexDataItems/WSIndexDataItem[1]/IntIndexData/FieldName", wantRule: "FieldName must name the field"},
		{name: "no FieldNo at all", body: portalUser(`{"StringIndexData":{}}`), wantPath: "SavePortalUser/parameters/PortalUser/IndexDataItems/WSIndexDataItem[1]/StringIndexData/FieldName", wantRule: "FieldNo is 0"},

		{name: "a date", body: portalUser(`{"DateIndexData":{"FieldNo":1,"DataISO8601Value":"2017-07-23"}}`)},
		{name: "a date's ISO value wins over DataValue", body: portalUser(`{"DateIndexData":{"FieldNo":1,"DataISO8601Value":"2017-07-23","DataValue":"2017-07-23T00:00:00+02:00"}}`)},
		{name: "a date with a time", body: portalUser(`{"DateIndexData":{"FieldNo":1,"DataISO8601Value":"2017-07-23T10:00:00Z"}}`), wantPath: "WSIndexDataItem[1]/DateIndexData/DataISO8601Value", wantRule: "is not an ISO 8601 date; use YYYY-MM-DD"},
		{name: "no year 0", body: portalUser(`{"DateIndexData":{"FieldNo":1,"DataISO8601Value":"0000-01-01"}}`), wantPath: "DateIndexData/DataISO8601Value", wantRule: "is not a calendar date"},
		{name: "a leap day", body: portalUser(`{"DateIndexData":{"FieldNo":1,"DataISO8601Value":"2024-02-29"}}`)},
		{name: "no such date", body: portalUser(`{"DateIndexData":{"FieldNo":1,"DataISO8601Value":"2017-02-30"}}`), wantPath: "DateIndexData/DataISO8601Value", wantRule: "is not a calendar date"},
		{name: "a date's DataValue with an offset", body: portalUser(`{"DateIndexData":{"FieldNo":1,"DataValue":"2017-07-23T00:00:00+02:00"}}`), wantPath: "DateIndexData/DataValue", wantRule: "has a zone offset"},
		{name: "a date's DataValue in UTC", body: portalUser(`{"DateIndexData":{"FieldNo":1,"DataValue":"2017-07-23T00:00:00Z"}}`)},
		{name: "a date time", body: portalUser(`{"DateTimeIndexData":{"FieldNo":1,"DataISO8601Value":"2018-05-03T14:45:00Z"}}`)},
		{name: "a date time without seconds", body: portalUser(`{"DateTimeIndexData":{"FieldNo":1,"DataISO8601Value":"2018-05-03T14:45Z"}}`)},
		{name: "a date time at +00:00 with fractions", body: portalUser(`{"DateTimeIndexData":{"FieldNo":1,"DataISO8601Value":"2018-05-03T14:45:00.125+00:00"}}`)},
		{name: "a date time not in UTC", body: portalUser(`{"DateTimeIndexData":{"FieldNo":1,"DataISO8601Value":"2018-05-03T14:45:00+01:00"}}`), wantPath: "DateTimeIndexData/DataISO8601Value", wantRule: "is not in UTC"},
		{name: "a date time without a zone", body: portalUser(`{"DateTimeIndexData":{"FieldNo":1,"DataISO8601Value":"2018-05-03T14:45:00"}}`), wantPath: "DateTimeIndexData/DataISO8601Value", wantRule: "is not an ISO 8601 UTC date time"},
		{name: "no such date time", body: portalUser(`{"DateTimeIndexData":{"FieldNo":1,"DataISO8601Value":"2018-13-03T14:45:00Z"}}`), wantPath: "DateTimeIndexData/DataISO8601Value", wantRule: "is not a valid date time"},

		{name: "a table", body: portalUser(`{"TableIndexData":{"FieldNo":1,"DataValue":{"WSTableFieldDataRow":[{"RowNo":0,"DataRowItems":{"WSTableFieldDataRowItem":[{"StringIndexData":{"FieldNo":45}}]}},{"RowNo":1}]}}}`)},
		{name: "a nil row", body: portalUser(`{"TableIndexData":{"FieldNo":1,"DataValue":{"WSTableFieldDataRow":[null]}}}`), wantPath: "TableIndexData/DataValue/WSTableFieldDataRow[1]", wantRule: "a table row must not be nil"},
		{name: "a negative RowNo", body: portalUser(`{"TableIndexData":{"FieldNo":1,"DataValue":{"WSTableFieldDataRow":[{"RowNo":-1}]}}}`), wantPath: "WSTableFieldDataRow[1]/RowNo", wantRule: "rows start at 0"},
		{name: "a nil row item", body: portalUser(`{"TableIndexData":{"FieldNo":1,"DataValue":{"WSTableFieldDataRow":[{"DataRowItems":{"WSTableFieldDataRowItem":[null]}}]}}}`), wantPath: "DataRowItems/WSTableFieldDataRowItem[1]", wantRule: "a row item must not be nil"},
		{name: "a row item with two values", body: portalUser(`{"TableIndexData":{"FieldNo":1,"DataValue":{"WSTableFieldDataRow":[{"DataRowItems":{"WSTableFieldDataRowItem":[{"IntIndexData":{"FieldNo":1},"StringIndexData":{"FieldNo":2}}]}}]}}}`), wantPath: "WSTableFieldDataRowItem[1]", wantRule: "exactly one index data value"},
		{name: "a row item's date", body: portalUser(`{"TableIndexData":{"FieldNo":1,"DataValue":{"WSTableFieldDataRow":[{"DataRowItems":{"WSTableFieldDataRowItem":[{"DateIndexData":{"FieldNo":1,"DataISO8601Value":"x"}}]}}]}}}`), wantPath: "WSTableFieldDataRowItem[1]/DateIndexData/DataISO8601Value", wantRule: "not an ISO 8601 date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body generated.SavePortalUser
			if err := json.Unmarshal([]byte(tt.body), &body); err != nil {
				t.Fatalf("test input: %v", err)
			}
			check(t, contract.Validate(&body), tt.wantPath, tt.wantRule)
		})
	}
}

func TestValidateOutOfOffice(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantPath string
		wantRule string
	}{
		{name: "empty parameters change nothing", body: `{"Parameters":{}}`},
		{name: "a user by id, delegates by name", body: `{"Parameters":{"User":{"UserId":7},"DelegateUsersToAdd":{"WSUserUniversalIdentifier":[{"UserName":"b","DomainName":"CORP"}]}}}`},
		{name: "no parameters", body: `{}`, wantPath: "SaveOutOfOfficeInfoForUser/parameters", wantRule: "send an empty <parameters/>"},
		{name: "a user without id or name", body: `{"Parameters":{"User":{"DomainName":"CORP"}}}`, wantPath: "SaveOutOfOfficeInfoForUser/parameters/User", wantRule: "set UserId"},
		{name: "a user with a blank name", body: `{"Parameters":{"User":{"UserName":" "}}}`, wantPath: "SaveOutOfOfficeInfoForUser/parameters/User", wantRule: "set UserId"},
		{name: "a user id of 0", body: `{"Parameters":{"User":{"UserId":0}}}`, wantPath: "SaveOutOfOfficeInfoForUser/parameters/User/UserId", wantRule: "must be > 0, got 0"},
		{name: "a nil delegate", body: `{"Parameters":{"DelegateUsers":{"WSUserUniversalIdentifier":[{"UserId":1},null]}}}`, wantPath: "SaveOutOfOfficeInfoForUser/parameters/DelegateUsers/WSUserUniversalIdentifier[2]", wantRule: "must not be nil"},
		{name: "a bad delegate to delete", body: `{"Parameters":{"DelegateUsersToDelete":{"WSUserUniversalIdentifier":[{"UserId":-4}]}}}`, wantPath: "SaveOutOfOfficeInfoForUser/parameters/DelegateUsersToDelete/WSUserUniversalIdentifier[1]/UserId", wantRule: "must be > 0, got -4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body generated.SaveOutOfOfficeInfoForUser
			if err := json.Unmarshal([]byte(tt.body), &body); err != nil {
				t.Fatalf("test input: %v", err)
			}
			check(t, contract.Validate(&body), tt.wantPath, tt.wantRule)
		})
	}
}

// check compares err with the wanted violation: wantPath is a suffix of
// its path, wantRule a part of its rule.
func check(t *testing.T, err error, wantPath, wantRule string) {
	t.Helper()
	if wantPath == "" {
		if err != nil {
			t.Fatalf("Validate: %v, want no violation", err)
		}
		return
	}
	var v *contract.Violation
	if !errors.As(err, &v) {
		t.Fatalf("Validate: %v (%T), want a *Violation at %s", err, err, wantPath)
	}
	if !strings.HasSuffix(v.Path, wantPath) || !strings.Contains(v.Rule, wantRule) {
		t.Errorf("Validate: %q, want a violation at ...%s saying %q", err, wantPath, wantRule)
	}
	if v.Error() != v.Path+": "+v.Rule {
		t.Errorf("Error() = %q", v.Error())
	}
}

func TestValidateUnknownBody(t *testing.T) {
	err := contract.Validate(&struct{}{})
	var v *contract.Violation
	if err == nil || errors.As(err, &v) {
		t.Errorf("Validate of an unknown type: %v, want an internal error, not a Violation", err)
	}
}

// TestValidateAllocatesNothing: a valid request is checked without a
// single allocation, whatever its size (paths are formatted only for a
// violation), since 10,000 items are common.
func TestValidateAllocatesNothing(t *testing.T) {
	item := `{"StringIndexData":{"FieldNo":5}},{"DateIndexData":{"FieldNo":1,"DataISO8601Value":"2017-07-23"}},` +
		`{"DateTimeIndexData":{"FieldNo":1,"DataISO8601Value":"2018-05-03T14:45:00Z"}},` +
		`{"TableIndexData":{"FieldNo":1,"DataValue":{"WSTableFieldDataRow":[{"RowNo":0,"DataRowItems":{"WSTableFieldDataRowItem":[{"StringIndexData":{"FieldNo":45}},{"DateIndexData":{"FieldNo":2}}]}}]}}}`
	var body generated.SavePortalUser
	if err := json.Unmarshal([]byte(portalUser(strings.TrimSuffix(strings.Repeat(item+",", 50), ","))), &body); err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(10, func() {
		if err := contract.Validate(&body); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("Validate of 200 valid items allocates %.0f times, want 0", allocs)
	}
}
