package interop_test

import (
	"path/filepath"
	"testing"
)

// TestMonoWCF generates a WCF proxy from ?wsdl with Mono's svcutil, compiles
// it with mcs and runs it with mono over BasicHttpBinding (SOAP 1.1), a SOAP
// 1.2 CustomBinding without addressing (the WSDL's 1.2 binding) and one with
// WS-Addressing 1.0 (what WSHttpBinding-style clients send).
func TestMonoWCF(t *testing.T) {
	t.Parallel()
	requireStack(t, "Mono WCF", "Debian mono-devel",
		[]string{"svcutil", "--help"}, []string{"mcs", "--version"}, []string{"mono", "--version"}, []string{"curl", "--version"})
	dir := interopDir("mono-wcf")
	for _, soap := range []string{"11", "12", "12wsa"} {
		t.Run("soap"+soap, func(t *testing.T) {
			b := newBridge(t)
			args := append([]string{"--build-dir", buildDir(t, b, "mono-wcf"), "--wsdl", b.WSDL(), "--calls", b.Calls(),
				"--expected", expectedPath(), "--soap", soap}, credentials()...)
			runClient(t, "Mono WCF SOAP "+soap, dir, nil, filepath.Join(dir, "run.sh"), args...)
		})
	}
}
