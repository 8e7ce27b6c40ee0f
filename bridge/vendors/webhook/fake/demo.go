package fake

import (
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/webhook"
)

// Demo is the adapter's configuration that posts to a fake served at
// baseURL (its root), signing with DemoSecret.
func Demo(baseURL string) webhook.Config {
	return webhook.Config{URL: strings.TrimRight(baseURL, "/") + path, Secret: config.NewSecret(DemoSecret)}
}
