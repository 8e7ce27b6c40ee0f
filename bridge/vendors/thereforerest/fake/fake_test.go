package fake

import (
	"net/http"
	"strings"
	"testing"

	_ "github.com/thereforebridge/thereforebridge/bridge/golden" // -update is accepted
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
)

// TestEnforces sends raw requests: what the fake refuses, and how.
func TestEnforces(t *testing.T) {
	const oof = restPath + "SaveOutOfOfficeInfoForUser"
	const portal = restPath + "SavePortalUser"
	cases := []struct {
		name       string
		method     string
		path       string
		header     map[string]string // replaces the good defaults; "" deletes
		body       string
		wantStatus int
		wantInBody string
	}{
		{"valid", "POST", oof, nil, `{"IsOutOfOfficeEnabled":true,"User":{"UserId":101}}`, 200, ""},
		{"valid null members", "POST", oof, nil, `{"IsOutOfOfficeEnabled":null,"User":null,"DelegateUsers":null}`, 200, ""},
		{"GET", "GET", oof, nil, ``, 405, "use POST"},
		{"unknown operation", "POST", restPath + "GetDocument", nil, `{}`, 404, "no operation"},
		{"no credentials", "POST", oof, map[string]string{"Authorization": ""}, `{}`, 401, "Authentication required"},
		{"missing tenant", "POST", oof, map[string]string{"TenantName": ""}, `{}`, 500, "Tenant name is required"},
		{"text body", "POST", oof, map[string]string{"Content-Type": "text/plain"}, `{}`, 415, "expected application/json"},
		{"unknown member", "POST", oof, nil, `{"Enabled":true}`, 400, `unknown field \"Enabled\"`},
		{"parameters wrapper", "POST", oof, nil, `{"parameters":{"IsOutOfOfficeEnabled":true}}`, 400, "unknown field"},
		{"enum by name", "POST", oof, nil, `{"User":{"UserName":"bridge","UserType":"SingleUser"}}`, 400, "UserType"},
		{"enum out of range", "POST", oof, nil, `{"User":{"UserName":"bridge","UserType":4}}`, 400, "1..3"},
		{"list as a wrapper object", "POST", oof, nil, `{"DelegateUsers":{"WSUserUniversalIdentifier":[]}}`, 400, "cannot unmarshal object"},
		{"trailing data", "POST", oof, nil, `{} {}`, 400, "data after the JSON object"},
		{"unknown user", "POST", oof, nil, `{"User":{"DomainName":"CORP","UserName":"nobody"}}`, 500, "ObjectNotFound"},
		{"ISO date", "POST", portal, nil, `{"PortalUser":{"Email":"a@example.com","QueryNo":1,"IndexDataItems":[{"DateIndexData":{"FieldNo":1,"DataValue":"2017-07-23T00:00:00"}}]}}`, 400, "/Date(ms)/"},
		{"WCF date with offset", "POST", portal, nil, `{"PortalUser":{"Email":"a@example.com","QueryNo":1,"IndexDataItems":[{"DateIndexData":{"FieldNo":1,"DataValue":"/Date(1500768000000+0200)/"}}]}}`, 200, ""},
		{"decimal as a string", "POST", portal, nil, `{"PortalUser":{"Email":"a@example.com","QueryNo":1,"IndexDataItems":[{"MoneyIndexData":{"FieldNo":1,"DecimalDataValue":"1.5"}}]}}`, 400, "not a number"},
		{"table in a table", "POST", portal, nil, `{"PortalUser":{"Email":"a@example.com","QueryNo":1,"IndexDataItems":[{"TableIndexData":{"FieldNo":1,"DataValue":[{"DataRowItems":[{"TableIndexData":{}}]}]}}]}}`, 400, "unknown field"},
		{"no e-mail", "POST", portal, nil, `{"PortalUser":{"QueryNo":1}}`, 500, "Email is mandatory"},
		{"no query or category", "POST", portal, nil, `{"PortalUser":{"Email":"a@example.com"}}`, 500, "QueryNo or CtgryNo"},
	}
	srv := vendortest.Serve(t, New())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			req.SetBasicAuth(DemoUser, DemoPassword)
			req.Header.Set("TenantName", DemoTenant)
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tc.header {
				req.Header.Del(k)
				if v != "" {
					req.Header.Set(k, v)
				}
			}
			resp, b := vendortest.Do(t, nil, req)
			if resp.StatusCode != tc.wantStatus || !strings.Contains(string(b), tc.wantInBody) {
				t.Errorf("%d %s, want %d with %q", resp.StatusCode, b, tc.wantStatus, tc.wantInBody)
			}
			if tc.wantStatus == 200 && len(b) != 0 {
				t.Errorf("body %q, want an empty answer", b)
			}
			if tc.wantStatus == 401 && resp.Header.Get("WWW-Authenticate") != `Basic realm="Therefore"` {
				t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}
