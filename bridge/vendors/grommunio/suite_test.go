package grommunio_test

import (
	"net/http"
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
		Start: func(t *testing.T, o vendortest.Options) vendortest.Target {
			f, rec := fake.New(), &recorder{}
			e := vendortest.Setup(t, o.Serving(f), fake.Demo, grommunio.New, func(c *grommunio.Config, d *vendorkit.Deps) {
				d.HTTP = &http.Client{Transport: rec}
				if o.Refused {
					c.Password = config.NewSecret(wrong)
				}
			})
			return vendortest.Target{Vendor: e.Adapter, Log: e.Log, FailNext: f.FailNext, ExpireSession: f.ExpireTokens,
				Secrets: func() []string {
					secrets := []string{fake.DemoPassword, wrong}
					rec.mu.Lock()
					defer rec.mu.Unlock()
					for _, s := range rec.reqs {
						if jwt := strings.TrimPrefix(s.Cookie, "grommunioAuthJwt="); jwt != "" {
							secrets = append(secrets, jwt)
						}
					}
					return secrets
				}}
		},
	})
}
