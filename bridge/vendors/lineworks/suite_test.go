package lineworks_test

import (
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	. "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
)

func TestSuite(t *testing.T) {
	const wrong = "not-the-client-secret"
	vendortest.Run(t, vendortest.Suite{
		Spec: fanout.Spec{Operations: []string{fanout.SaveOutOfOfficeInfoForUser}, Key: fanout.ByPerson},
		Start: func(t *testing.T, o vendortest.Options) vendortest.Target {
			f := fake.New()
			e := vendortest.Setup(t, o.Serving(f), fake.Demo, New, func(c *Config, _ *vendorkit.Deps) {
				if o.Refused {
					c.ClientSecret = config.NewSecret(wrong)
				}
			})
			return vendortest.Target{Vendor: e.Adapter, Log: e.Log, FailNext: f.FailNext, ExpireSession: f.ExpireTokens,
				Secrets: func() []string {
					return append([]string{wrong, fake.DemoClientSecret, e.Config.PrivateKey.Value()}, f.Tokens()...)
				}}
		},
	})
}
