package grommunio_test

import (
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio/fake"
)

func TestSuite(t *testing.T) {
	const wrong = "Wrong-Password-42"
	vendortest.Run(t, vendortest.Suite{
		Spec: fanout.Spec{Operations: []string{fanout.SaveOutOfOfficeInfoForUser}, Key: fanout.ByPerson},
		Start: func(t *testing.T, refused bool) vendortest.Target {
			e := newEnv(t, func(c *grommunio.Config, _ *vendorkit.Deps) {
				if refused {
					c.Password = config.NewSecret(wrong)
				}
			})
			return vendortest.Target{Vendor: e.a, Log: e.log, FailNext: e.fake.FailNext, ExpireSession: e.fake.ExpireTokens,
				Secrets: func() []string {
					secrets := []string{fake.DemoPassword, wrong}
					e.rec.mu.Lock()
					defer e.rec.mu.Unlock()
					for _, s := range e.rec.reqs {
						if jwt := strings.TrimPrefix(s.Cookie, "grommunioAuthJwt="); jwt != "" {
							secrets = append(secrets, jwt)
						}
					}
					return secrets
				}}
		},
	})
}
