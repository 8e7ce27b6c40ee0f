package fake

import (
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks"
)

// Demo is the adapter's configuration that talks to a fake served at
// baseURL (its root, which may carry a path prefix: both the API and the
// token endpoint are below it) with the demo app, whose key is a public
// demo key.
func Demo(baseURL string) lineworks.Config {
	baseURL = strings.TrimRight(baseURL, "/")
	return lineworks.Config{
		BaseURL:        baseURL + APIPath,
		TokenURL:       baseURL + TokenPath,
		ClientID:       DemoClientID,
		ClientSecret:   config.NewSecret(DemoClientSecret),
		ServiceAccount: DemoServiceAccount,
		PrivateKey:     config.NewSecret(DemoPrivateKeyPEM),
	}
}
