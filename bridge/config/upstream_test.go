package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
)

func TestUpstreamAndDecode(t *testing.T) {
	t.Setenv("SVC_PW", "pw")
	c, err := config.Parse([]byte(noAuth+`upstream:
  url: https://tenant.thereforeonline.com/theservice/v0001/soapun
  auth: {username: svc, password: env:SVC_PW}
  allow: [ExecuteSingleQuery, GetDocument]
  forward_handled: true
decode:
  strict: true
`), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	u := c.Upstream
	if u.WSDLURL != u.URL+"?singleWsdl" || u.Timeout.D() != time.Minute || u.WSDLRefresh.D() != time.Hour {
		t.Errorf("defaults: %+v", u)
	}
	if u.Auth.Password.Value() != "pw" || !u.ForwardHandled || !c.Decode.Strict || len(u.Allow) != 2 {
		t.Errorf("values: %+v, decode %+v", u, c.Decode)
	}
	if d := config.Default(); !d.Upstream.Fake || d.Decode.Strict {
		t.Errorf("the embedded default should pass through to the fake and decode leniently")
	}
}

func TestUpstreamErrors(t *testing.T) {
	t.Setenv("SVC_PW", "pw")
	const url = "upstream:\n  url: https://t.example/soapun\n"
	tests := []struct{ yaml, want string }{
		{"upstream:\n  url: tenant.example/soapun\n", "test.yaml:2: upstream.url: must be an absolute http or https URL"},
		{"upstream:\n  url: https://u:p@t.example/soapun\n", "test.yaml:2: upstream.url: must not carry credentials; use upstream.auth"},
		{"upstream:\n  allow: [GetDocument]\n", "test.yaml:2: upstream.allow: needs upstream.url"},
		{"upstream:\n  forward_handled: true\n", "test.yaml:2: upstream.forward_handled: needs upstream.url"},
		{url + "  auth: {username: svc, password: env:SVC_PW}\n", "test.yaml:3: upstream.auth: needs upstream.allow, the operations the service account may be used for"},
		{url + "  auth: {username: svc}\n", "test.yaml:3: upstream.auth: set both username and password (env:NAME or file:/path)"},
		{url + "  auth:\n    username: svc\n    password: secret\n", "test.yaml:5: upstream.auth.password: a secret must be a reference"},
		{url + "  allow: [GetDocument, 'Get Document']\n", `test.yaml:3: upstream.allow[1]: "Get Document" is not an operation name such as ExecuteSingleQuery`},
		{url + "  allow: [GetDocument, GetDocument]\n", `test.yaml:3: upstream.allow[1]: "GetDocument" is listed twice`},
		{url + "  timeout: 10ms\n", "test.yaml:3: upstream.timeout: must be at least 1s, got 10ms"},
		{url + "  ca_file: /nonexistent/ca.pem\n", "test.yaml:3: upstream.ca_file: stat /nonexistent/ca.pem: no such file or directory"},
		{url + "  fake: true\n", "test.yaml:3: upstream.fake: set either upstream.url or upstream.fake, not both"},
		{"decode:\n  strict: sometimes\n", "test.yaml:2: decode.strict: cannot unmarshal"},
	}
	for _, tt := range tests {
		_, err := config.Parse([]byte(tt.yaml+noAuth), "test.yaml")
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
