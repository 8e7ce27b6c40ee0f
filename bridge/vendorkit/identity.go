package vendorkit

import "github.com/thereforebridge/thereforebridge/bridge/config"

func identityConfig() config.Identity { return config.Identity{} }
