package upstream_test

// The -update flag is shared by every test package of the module, so that
// `go test ./... -update` is accepted everywhere (bridge/golden).
import _ "github.com/thereforebridge/thereforebridge/bridge/golden"
