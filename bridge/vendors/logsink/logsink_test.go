package logsink_test

import (
	"context"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	_ "github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit/vendortest"
	"github.com/thereforebridge/thereforebridge/bridge/vendors/logsink"
)

func TestKeepAndRedaction(t *testing.T) {
	zero, two := 0, 2
	for _, tc := range []struct {
		name string
		keep *int
		want int
	}{{"default keeps up to 100", nil, 3}, {"keep 0 keeps none", &zero, 0}, {"keep 2 keeps the last 2", &two, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			log, buf := vendortest.Logger()
			s := logsink.New(logsink.Config{Keep: tc.keep}, log)
			for range 3 {
				if res := s.Deliver(context.Background(), vendortest.PortalUserCall()); res.Status != 0 {
					t.Fatalf("deliver: %+v", res)
				}
			}
			if n := len(s.Calls()); n != tc.want {
				t.Errorf("%d calls kept, want %d", n, tc.want)
			}
			if strings.Count(buf.String(), `"decoded call"`) != 3 {
				t.Errorf("want 3 log lines:\n%s", buf.String())
			}
			vendortest.AssertNoSecret(t, fanout.Result{}, buf, vendortest.PortalUserSecret)
		})
	}
}
