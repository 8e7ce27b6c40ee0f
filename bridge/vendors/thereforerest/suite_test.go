package thereforerest_test

import (
	. "github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
)

func TestSuite(t *testing.T) {
	vendortest.Run(t, vendortest.Suite{
		Spec: fanout.Spec{Operations: fanout.Operations, Key: fanout.ByPerson},
		Start: func(t *testing.T, refused bool) vendortest.Target {
			f, a, log := setup(t, func(c *Config) {
				if refused {
					c.Password = config.NewSecret("wrong-password")
				}
			})
			return vendortest.Target{Vendor: a, Log: log, FailNext: f.FailNext,
				Secrets: func() []string { return []string{fake.DemoPassword, "wrong-password"} }}
		},
	})
}
