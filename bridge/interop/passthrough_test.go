package interop_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
)

// The pass-through checks: each stack generates its client from the
// bridge's ?wsdl in pass-through mode (the embedded default passes through
// to the Therefore fake's SOAP face), calls GetDocument, which the bridge
// does not handle, and must get the fake's answer field for field; a
// missing document must raise the stack's own fault type with the fake's
// message.

// passthroughExpected writes what the clients must see, taken from the
// fake itself, and returns the file's path.
func passthroughExpected(t *testing.T) string {
	t.Helper()
	d := fake.Documents[0]
	want := map[string]any{
		"request": map[string]any{"DocNo": d.DocNo},
		"document": map[string]any{"CheckedOutBy": nil, "CtgryNo": d.CtgryNo, "DocNo": d.DocNo, "StreamCount": 1,
			"Title": d.Title, "VersionNo": d.VersionNo},
		"missing": map[string]any{"DocNo": 999},
		"fault":   "The document with number 999 does not exist.",
	}
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "passthrough-expected.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPassThroughZeep(t *testing.T) {
	t.Parallel()
	requireStack(t, "python3-zeep", "Debian python3-zeep", []string{debianPython, "-c", "import zeep"})
	dir := interopDir("passthrough")
	for _, soap := range []string{"11", "12"} {
		t.Run("soap"+soap, func(t *testing.T) {
			b := newBridge(t)
			args := append([]string{filepath.Join(dir, "zeep_client.py"), "--soap", soap, "--wsdl", b.WSDL(), "--expected", passthroughExpected(t)}, credentials()...)
			runClient(t, "zeep pass-through SOAP "+soap, dir, nil, debianPython, args...)
		})
	}
}

func TestPassThroughPHPSoapClient(t *testing.T) {
	t.Parallel()
	requireStack(t, "PHP SoapClient", "Debian php-cli php-soap", []string{"php", "-r", `exit(class_exists("SoapClient") ? 0 : 1);`})
	dir := interopDir("passthrough")
	for _, soap := range []string{"11", "12"} {
		t.Run("soap"+soap, func(t *testing.T) {
			b := newBridge(t)
			args := append([]string{filepath.Join(dir, "php_client.php"), "--soap", soap, "--wsdl", b.WSDL(), "--expected", passthroughExpected(t)}, credentials()...)
			runClient(t, "PHP SoapClient pass-through SOAP "+soap, dir, nil, "php", args...)
		})
	}
}

func TestPassThroughMonoWCF(t *testing.T) {
	t.Parallel()
	requireStack(t, "Mono WCF", "Debian mono-devel",
		[]string{"svcutil", "--help"}, []string{"mcs", "--version"}, []string{"mono", "--version"}, []string{"curl", "--version"})
	b := newBridge(t)
	dir := interopDir("passthrough")
	args := append([]string{"--build-dir", buildDir(t, b, "passthrough"), "--wsdl", b.WSDL(), "--calls", b.Calls(),
		"--expected", passthroughExpected(t), "--soap", "11"}, credentials()...)
	runClient(t, "Mono WCF pass-through SOAP 11", dir, []string{"MONO_CLIENT=" + filepath.Join(dir, "PassThrough.cs")},
		filepath.Join(interopDir("mono-wcf"), "run.sh"), args...)
}
