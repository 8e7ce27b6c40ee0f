package logsink_test

import (
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/logsink"
)

// TestSuite: the log sink has no HTTP and no credentials; the suite
// checks what it declares and that a portal user's password never
// reaches its log.
func TestSuite(t *testing.T) {
	vendortest.Run(t, vendortest.Suite{
		Spec: fanout.Spec{Operations: fanout.Operations, Events: true, Key: fanout.ByCall, InProcess: true},
		Start: func(t *testing.T, _ vendortest.Options) vendortest.Target {
			log, buf := vendortest.Logger()
			c := logsink.Config{}
			c.Defaults()
			return vendortest.Target{Vendor: logsink.New(c, log), Log: buf}
		},
	})
}
