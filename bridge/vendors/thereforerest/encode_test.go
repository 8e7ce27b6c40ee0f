package thereforerest

import (
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/xsd"
	"github.com/thereforebridge/thereforebridge/generated"
)

func TestJSONNumber(t *testing.T) {
	cases := map[string]string{
		"12.50": "12.50", "+0012.50": "12.50", ".5": "0.5", "-.5": "-0.5", "3.": "3", "0": "0", "-0": "-0",
		"000": "0", "123456789012345678901234567890.000000001": "123456789012345678901234567890.000000001",
	}
	for in, want := range cases {
		if got, err := jsonNumber(in); err != nil || got != want {
			t.Errorf("jsonNumber(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := jsonNumber("1e5"); err == nil {
		t.Error("jsonNumber(1e5): want an error, xs:decimal has no exponent")
	}
}

func TestEncodeStyles(t *testing.T) {
	d, _ := xsd.ParseDateTime("1969-12-31T23:59:59.5Z")
	gt := generated.WSUserTypeUserGroup
	params := &generated.SaveOutOfOfficeInfoForUserParams{User: &generated.WSUserUniversalIdentifier{UserType: &gt}}
	cases := []struct {
		enc  encoder
		v    any
		want string
	}{
		{encoder{}, params, `{"User":{"UserType":2}}`},
		{encoder{enumNames: true}, params, `{"User":{"UserType":"UserGroup"}}`},
		{encoder{}, &generated.WSIndexDataDate{DataValue: &d}, `{"DataValue":"/Date(-500)/"}`},
		{encoder{isoDates: true}, &generated.WSIndexDataDate{DataValue: &d}, `{"DataValue":"1969-12-31T23:59:59.5Z"}`},
		{encoder{}, &generated.ArrayOfKeywordNo{}, `[]`},
	}
	for _, tc := range cases {
		got, err := tc.enc.encode(tc.v)
		if err != nil || string(got) != tc.want {
			t.Errorf("encode(%+v) = %s, %v; want %s", tc.v, got, err, tc.want)
		}
	}
	bad := generated.WSUserType("Robot")
	_, err := encoder{}.encode(&generated.SaveOutOfOfficeInfoForUserParams{User: &generated.WSUserUniversalIdentifier{UserType: &bad}})
	if err == nil || !strings.Contains(err.Error(), `body/User/UserType: no number is known for WSUserType value "Robot"`) {
		t.Errorf("an unknown enum value: %v", err)
	}
	// In a list, the error names the item.
	_, err = encoder{}.encode(&generated.SaveOutOfOfficeInfoForUserParams{DelegateUsers: &generated.ArrayOfWSUserUniversalIdentifier{
		WSUserUniversalIdentifier: []*generated.WSUserUniversalIdentifier{{UserType: &gt}, {UserType: &bad}}}})
	if err == nil || !strings.Contains(err.Error(), `body/DelegateUsers[1]/UserType: no number is known for WSUserType value "Robot"`) {
		t.Errorf("an unknown enum value in a list: %v", err)
	}
}

func TestParseFault(t *testing.T) {
	cases := []struct {
		status int
		body   string
		want   fault
	}{
		{500, `{"WSError":{"ErrorCode":-1073741604,"ErrorCodeString":"SyntaxError","ErrorMessage":"Syntax error near = 5"}}`, fault{"SyntaxError", "Syntax error near = 5"}},
		{500, `{"ErrorCode":42,"Message":"broken"}`, fault{"42", "broken"}},
		{400, `{"ExceptionType":"System.Runtime.Serialization.SerializationException","Message":"bad JSON"}`, fault{"", "bad JSON"}},
		{500, `"Tenant name is required"`, fault{"", "Tenant name is required"}},
		{500, `Tenant name is required`, fault{"", "Tenant name is required"}},
		{502, `<html><head><title>502 Bad Gateway</title></head></html>`, fault{"", "502 Bad Gateway"}},
		{503, `<html></html>`, fault{"", "Service Unavailable"}},
		{404, ``, fault{"", "Not Found"}},
		{400, `{"other":1}`, fault{"", "Bad Request"}},
	}
	for _, tc := range cases {
		if got := parseFault(tc.status, []byte(tc.body)); got != tc.want {
			t.Errorf("parseFault(%d, %s) = %+v, want %+v", tc.status, tc.body, got, tc.want)
		}
	}
}

func TestConfigCheck(t *testing.T) {
	const password = "a-therefore-password"
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string // "" means valid
	}{
		{"demo", func(*Config) {}, ""},
		{"relative URL", func(c *Config) { c.BaseURL = "therefore.example" }, "base_url: must be an absolute http(s) URL"},
		{"URL with credentials", func(c *Config) { c.BaseURL = "https://u:p@therefore.example" }, "base_url: must hold no credentials"},
		{"no credentials", func(c *Config) { c.User, c.Password = config.Secret{}, config.Secret{} }, "user: set user and password (Basic) or token (Bearer)"},
		{"both kinds", func(c *Config) { c.Token = config.NewSecret("t0ken") }, "token: use either"},
		{"password only", func(c *Config) { c.User = config.Secret{} }, "user: required with password"},
		{"user only", func(c *Config) { c.Password = config.Secret{} }, "password: required with user"},
		{"use_token with bearer", func(c *Config) {
			c.User, c.Password, c.Token, c.UseToken = config.Secret{}, config.Secret{}, config.NewSecret("t0ken"), true
		}, "use_token: needs user and password"},
		{"colon in user", func(c *Config) { c.User = config.NewSecret("a:b") }, "user: must not contain ':'"},
		{"bad header", func(c *Config) { c.TenantHeader = "Tenant Name" }, "tenant_header:"},
		{"tenant with newline", func(c *Config) { c.Tenant = "a\r\nX-Evil: 1" }, "tenant: must not contain control characters"},
		{"bad zone", func(c *Config) { c.TimezoneIANA = "Berlin time" }, "timezone_iana:"},
		{"enum style", func(c *Config) { c.EnumStyle = "ints" }, "enum_style: must be numbers or names"},
		{"date style", func(c *Config) { c.DateStyle = "unix" }, "date_style: must be wcf or iso"},
		{"timeout", func(c *Config) { c.Timeout = config.Duration(-1) }, "timeout: must be between"},
		{"empty code", func(c *Config) { c.PermanentErrorCodes = []string{""} }, "permanent_error_codes:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{BaseURL: "http://127.0.0.1:1", User: config.NewSecret("bridge"), Password: config.NewSecret(password), Tenant: "demo"}
			tc.mutate(&c)
			vendortest.CheckConfig(t, &c, tc.want, password)
		})
	}
}
