package interop_test

import (
	"path/filepath"
	"testing"
)

// TestGSOAP builds a gSOAP C++ client from ?wsdl (wsdl2h, soapcpp2 -j -C
// with -1 or -2 forcing the SOAP version, g++ against libgsoap++) and runs it.
func TestGSOAP(t *testing.T) {
	t.Parallel()
	requireStack(t, "gSOAP", "Debian gsoap libgsoap-dev g++",
		[]string{"wsdl2h", "-h"}, []string{"soapcpp2", "-h"}, []string{"g++", "--version"},
		[]string{"test", "-f", "/usr/include/stdsoap2.h"}, []string{"curl", "--version"})
	dir := interopDir("gsoap")
	for _, soap := range []string{"11", "12"} {
		t.Run("soap"+soap, func(t *testing.T) {
			b := newBridge(t)
			args := append([]string{"--build-dir", buildDir(t, b, "gsoap"), "--wsdl", b.WSDL(), "--calls", b.Calls(),
				"--expected", expectedPath(), "--soap", soap}, credentials()...)
			runClient(t, "gSOAP SOAP "+soap, dir, nil, filepath.Join(dir, "run.sh"), args...)
		})
	}
}
