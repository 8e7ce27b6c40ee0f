package superoffice_test

import (
	"encoding/base64"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice/fake"
)

func TestSuite(t *testing.T) {
	const wrong = "Wrong-Password-42"
	demo := func(baseURL string) superoffice.Config { return configFor(fake.AuthBasic, baseURL) }
	vendortest.Run(t, vendortest.Suite{
		Spec: fanout.Spec{Operations: []string{fanout.SaveOutOfOfficeInfoForUser}, Key: fanout.ByPerson},
		Start: func(t *testing.T, o vendortest.Options) vendortest.Target {
			f := fake.NewWithAuth(fake.AuthBasic)
			f.SetRateLimit(0)
			e := vendortest.Setup(t, o.Serving(f), demo, superoffice.New, func(c *superoffice.Config, _ *vendorkit.Deps) {
				if o.Refused {
					c.Password = config.NewSecret(wrong)
				}
			})
			basic := func(pass string) string { return base64.StdEncoding.EncodeToString([]byte(e.Config.User + ":" + pass)) }
			// SuperOffice's credentials go with every request: there is
			// no session to renew.
			return vendortest.Target{Vendor: e.Adapter, Log: e.Log, FailNext: f.FailNext,
				Secrets: func() []string { return append([]string{wrong, basic(wrong), basic(fake.DemoPassword)}, secrets...) }}
		},
	})
}
