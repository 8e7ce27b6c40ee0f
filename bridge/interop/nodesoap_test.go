package interop_test

import (
	"path/filepath"
	"testing"
)

// TestNodeSoap runs the npm `soap` package (pinned by package-lock.json,
// installed with npm ci into the build cache) on the WSDL's SOAP 1.1 port and,
// with forceSoap12Headers, on its SOAP 1.2 port.
func TestNodeSoap(t *testing.T) {
	t.Parallel()
	requireStack(t, "node soap", "node and npm (Debian nodejs, npm)",
		[]string{"node", "-e", `process.exit(typeof fetch === "function" ? 0 : 1)`}, []string{"npm", "--version"})
	dir := interopDir("node-soap")
	for _, soap := range []string{"11", "12"} {
		t.Run("soap"+soap, func(t *testing.T) {
			b := newBridge(t)
			args := append([]string{"--build-dir", buildDir(t, b, "node-soap"), "--wsdl", b.WSDL(), "--calls", b.Calls(),
				"--expected", expectedPath(), "--soap", soap}, credentials()...)
			runClient(t, "node soap SOAP "+soap, dir, nil, filepath.Join(dir, "run.sh"), args...)
		})
	}
}
