package fake

import (
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio"
)

// Demo is the adapter's configuration that talks to a fake served at
// baseURL (its root) as the fake's administrator.
func Demo(baseURL string) grommunio.Config {
	return grommunio.Config{
		BaseURL:  strings.TrimRight(baseURL, "/") + "/api/v1",
		User:     config.NewSecret(DemoUser),
		Password: config.NewSecret(DemoPassword),
	}
}
