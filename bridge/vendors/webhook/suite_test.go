package webhook_test

import (
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook/fake"
)

const wrongSecret = "another-secret-of-length"

func TestSuite(t *testing.T) {
	vendortest.Run(t, vendortest.Suite{
		Spec: fanout.Spec{Operations: fanout.Operations, Events: true, Key: fanout.ByCall},
		Start: func(t *testing.T, o vendortest.Options) vendortest.Target {
			f := fake.New()
			e := vendortest.Setup(t, o.Serving(f), fake.Demo, webhook.New, func(c *webhook.Config, _ *vendorkit.Deps) {
				if o.Refused {
					c.Secret = config.NewSecret(wrongSecret)
				}
			})
			return vendortest.Target{Vendor: e.Adapter, Log: e.Log, FailNext: f.FailNext,
				Secrets: func() []string { return []string{fake.DemoSecret, wrongSecret} }}
		},
	})
}
