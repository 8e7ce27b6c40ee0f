package interop_test

import (
	"path/filepath"
	"testing"
)

// TestPerlSOAPLite sends hand-built SOAP::Lite calls over SOAP 1.1 and 1.2.
func TestPerlSOAPLite(t *testing.T) {
	t.Parallel()
	requireStack(t, "Perl SOAP::Lite", "Debian libsoap-lite-perl",
		[]string{"perl", "-MSOAP::Lite", "-MJSON::PP", "-MLWP::UserAgent", "-e", "1"})
	dir := interopDir("perl-soaplite")
	for _, soap := range []string{"11", "12"} {
		t.Run("soap"+soap, func(t *testing.T) {
			b := newBridge(t)
			args := append([]string{"--wsdl", b.WSDL(), "--calls", b.Calls(), "--expected", expectedPath(), "--soap", soap}, credentials()...)
			runClient(t, "SOAP::Lite SOAP "+soap, dir, nil, filepath.Join(dir, "run.sh"), args...)
		})
	}
}
