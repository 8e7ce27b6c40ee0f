package fake

import (
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice"
)

// Demo is the adapter's configuration that talks to a fake served at
// baseURL (its root) with Basic auth, the mode of New.
func Demo(baseURL string) superoffice.Config {
	return superoffice.Config{BaseURL: strings.TrimSuffix(baseURL, "/") + "/api/v1", Auth: superoffice.AuthBasic,
		User: DemoUser, Password: config.NewSecret(DemoPassword)}
}
