package thereforerest_test

import (
	"encoding/base64"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	. "github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
)

func TestSuite(t *testing.T) {
	const wrong = "wrong-password"
	basic := func(pass string) string { return base64.StdEncoding.EncodeToString([]byte(fake.DemoUser + ":" + pass)) }
	vendortest.Run(t, vendortest.Suite{
		Spec: fanout.Spec{Operations: fanout.Operations, Key: fanout.ByPerson},
		Start: func(t *testing.T, o vendortest.Options) vendortest.Target {
			f := fake.New()
			e := vendortest.Setup(t, o.Serving(f), fake.Demo, New, func(c *Config, _ *vendorkit.Deps) {
				if o.Refused {
					c.Password = config.NewSecret(wrong)
				}
			})
			return vendortest.Target{Vendor: e.Adapter, Log: e.Log, FailNext: f.FailNext,
				Secrets: func() []string { return []string{fake.DemoPassword, wrong, basic(fake.DemoPassword), basic(wrong)} }}
		},
	})
}
