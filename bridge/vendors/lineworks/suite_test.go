package lineworks_test

import (
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	. "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
)

func TestSuite(t *testing.T) {
	const wrong = "not-the-client-secret"
	vendortest.Run(t, vendortest.Suite{
		Spec: fanout.Spec{Operations: []string{fanout.SaveOutOfOfficeInfoForUser}, Key: fanout.ByPerson},
		Start: func(t *testing.T, refused bool) vendortest.Target {
			e := setup(t, nil, func(c *Config) {
				if refused {
					c.ClientSecret = config.NewSecret(wrong)
				}
			})
			return vendortest.Target{Vendor: e.a, Log: e.log, FailNext: e.fake.FailNext, ExpireSession: e.fake.ExpireTokens,
				Secrets: func() []string {
					return append([]string{wrong, fake.DemoClientSecret, e.cfg.PrivateKey.Value()}, e.fake.Tokens()...)
				}}
		},
	})
}
