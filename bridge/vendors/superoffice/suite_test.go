package superoffice_test

import (
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice"
)

func TestSuite(t *testing.T) {
	const wrong = "Wrong-Password-42"
	vendortest.Run(t, vendortest.Suite{
		Spec: fanout.Spec{Operations: []string{fanout.SaveOutOfOfficeInfoForUser}, Key: fanout.ByPerson},
		Start: func(t *testing.T, refused bool) vendortest.Target {
			e := newEnv(t, withConfig(func(c *superoffice.Config) {
				if refused {
					c.Password = config.NewSecret(wrong)
				}
			}))
			// SuperOffice's credentials go with every request: there is
			// no session to renew.
			return vendortest.Target{Vendor: e.a, Log: e.log, FailNext: e.fake.FailNext,
				Secrets: func() []string { return append([]string{wrong}, secrets...) }}
		},
	})
}
