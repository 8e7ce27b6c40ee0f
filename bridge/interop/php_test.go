package interop_test

import (
	"path/filepath"
	"testing"
)

// TestPHPSoapClient runs PHP's SoapClient in WSDL mode over SOAP 1.1 and 1.2.
func TestPHPSoapClient(t *testing.T) {
	t.Parallel()
	requireStack(t, "PHP SoapClient", "Debian php-cli php-soap",
		[]string{"php", "-r", `exit(class_exists("SoapClient") ? 0 : 1);`})
	dir := interopDir("php")
	for _, soap := range []string{"11", "12"} {
		t.Run("soap"+soap, func(t *testing.T) {
			b := newBridge(t)
			args := append([]string{"--wsdl", b.WSDL(), "--calls", b.Calls(), "--expected", expectedPath(), "--soap", soap}, credentials()...)
			runClient(t, "PHP SoapClient SOAP "+soap, dir, nil, filepath.Join(dir, "run.sh"), args...)
		})
	}
}
