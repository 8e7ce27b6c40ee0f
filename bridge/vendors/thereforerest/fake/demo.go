package fake

import (
	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest"
)

// Demo is the adapter's configuration that talks to a fake served at
// baseURL (its root) with the demo credentials and tenant.
func Demo(baseURL string) thereforerest.Config {
	return thereforerest.Config{
		BaseURL:  baseURL,
		User:     config.NewSecret(DemoUser),
		Password: config.NewSecret(DemoPassword),
		Tenant:   DemoTenant,
	}
}
