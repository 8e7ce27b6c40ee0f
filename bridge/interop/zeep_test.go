package interop_test

import (
	"path/filepath"
	"testing"
)

// debianPython is the interpreter Debian's python3-zeep is installed for;
// a python3 earlier on PATH (pyenv) would not see it.
const debianPython = "/usr/bin/python3"

// TestZeep drives Python zeep, over both bindings, through both operations
// and an invalid call.
func TestZeep(t *testing.T) {
	t.Parallel()
	requireStack(t, "python3-zeep", "Debian python3-zeep", []string{debianPython, "-c", "import zeep"})
	script := filepath.Join(interopDir("zeep"), "client.py")
	for _, soap := range []string{"11", "12"} {
		t.Run("soap"+soap, func(t *testing.T) {
			b := newBridge(t)
			args := append([]string{script, "--soap", soap, "--wsdl", b.WSDL(), "--calls", b.Calls()}, credentials()...)
			runClient(t, "zeep SOAP "+soap, interopDir("zeep"), nil, debianPython, args...)
		})
	}
}
