package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestSystemdUnit verifies deploy/thereforebridge.service with
// systemd-analyze, which also requires ExecStart's binary to exist: the
// test points it at an executable of its own. systemd-analyze exits 0 on
// an unknown key or a misspelt value and only prints a warning, so any
// output fails the test.
func TestSystemdUnit(t *testing.T) {
	analyze := lookTool(t, "systemd-analyze", "systemd")
	b, err := os.ReadFile("deploy/thereforebridge.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, want := range []string{"Type=notify", "StateDirectory=thereforebridge", "LoadCredential=", "ExecReload=", "NoNewPrivileges=yes", "ProtectSystem=strict"} {
		if !strings.Contains(unit, "\n"+want) {
			t.Errorf("the unit lacks %s", want)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "thereforebridge.service")
	os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/thereforebridge", exe)), 0o644)
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestContainerImage builds the image with `make image` and checks its
// config and files. Running it is tried too, but machines that refuse
// containers (crun: setrlimit) only get the inspection.
func TestContainerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a container image: not in -short")
	}
	podman := lookTool(t, "podman", "podman")
	lookTool(t, "make", "make")
	image := fmt.Sprintf("localhost/thereforebridge-test:%d", os.Getpid())
	if out, err := exec.Command("make", "-C", "../..", "image", "IMAGE="+image, "VERSION=v0.0.0-test").CombinedOutput(); err != nil {
		t.Fatalf("make image: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command(podman, "rmi", "-f", image).Run() })

	out, err := exec.Command(podman, "image", "inspect", "--format", "{{json .Config}}", image).Output()
	if err != nil {
		t.Fatal("podman image inspect:", err)
	}
	var cfg struct {
		User         string
		Entrypoint   []string
		Cmd          []string
		ExposedPorts map[string]struct{}
		Volumes      map[string]struct{}
		Env          []string
	}
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if cfg.User == "" || cfg.User == "0" || strings.HasPrefix(cfg.User, "root") || strings.HasPrefix(cfg.User, "0:") {
		t.Errorf("runs as %q, want a non-root user", cfg.User)
	}
	if !slices.Equal(cfg.Entrypoint, []string{"/usr/bin/thereforebridge"}) {
		t.Errorf("entrypoint %q", cfg.Entrypoint)
	}
	if len(cfg.Cmd) == 0 || cfg.Cmd[0] != "serve" {
		t.Errorf("cmd %q, want serve", cfg.Cmd)
	}
	if _, ok := cfg.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports %v, want 8080/tcp", cfg.ExposedPorts)
	}
	if _, ok := cfg.Volumes["/var/lib/thereforebridge"]; !ok {
		t.Errorf("volumes %v, want /var/lib/thereforebridge", cfg.Volumes)
	}
	if !slices.Contains(cfg.Env, "STATE_DIRECTORY=/var/lib/thereforebridge") {
		t.Errorf("env %q lacks STATE_DIRECTORY", cfg.Env)
	}

	// The files, from a created (never started) container.
	cid, err := exec.Command(podman, "create", image).Output()
	if err != nil {
		t.Fatal("podman create:", err)
	}
	id := strings.TrimSpace(string(cid))
	defer exec.Command(podman, "rm", "-f", id).Run()
	cmd := exec.Command(podman, "export", id)
	tarball, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	files := map[string]*tar.Header{}
	tr := tar.NewReader(tarball)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[strings.Trim(h.Name, "/")] = h
	}
	cmd.Wait()
	if h := files["usr/bin/thereforebridge"]; h == nil || h.Mode&0o111 == 0 {
		t.Errorf("no executable /usr/bin/thereforebridge")
	}
	if h := files["etc/ssl/certs/ca-certificates.crt"]; h == nil || h.Size < 1000 {
		t.Errorf("no CA certificates")
	}
	if h := files["var/lib/thereforebridge"]; h == nil || h.Uid != 65532 {
		t.Errorf("state directory missing or not owned by the bridge's user: %+v", h)
	}
	if h := files["var/lib"]; h == nil || h.Uid != 0 {
		t.Errorf("/var/lib should stay root's: %+v", h)
	}

	run, err := exec.Command(podman, "run", "--rm", image, "--version").CombinedOutput()
	switch {
	case err != nil && strings.Contains(string(run), "setrlimit"):
		t.Logf("this machine refuses to run containers (%s): checked the image without running it", strings.TrimSpace(string(run)))
	case err != nil:
		t.Errorf("podman run --version: %v\n%s", err, run)
	case !strings.Contains(string(run), "thereforebridge v0.0.0-test"):
		t.Errorf("the image's binary says %q, want the stamped version", run)
	}
}

// TestDist runs `make dist` for the host's platform and checks what a
// release needs: a static binary (no ELF interpreter, so it runs FROM
// scratch and on any glibc or musl), the stamped version, and a
// SHA256SUMS that verifies.
func TestDist(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary: not in -short")
	}
	lookTool(t, "make", "make")
	lookTool(t, "sha256sum", "coreutils")
	dir := t.TempDir()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	if out, err := exec.Command("make", "-C", "../..", "dist", "DIST="+dir, "PLATFORMS="+platform, "VERSION=v0.0.0-test").CombinedOutput(); err != nil {
		t.Fatalf("make dist: %v\n%s", err, out)
	}
	name := "thereforebridge-" + runtime.GOOS + "-" + runtime.GOARCH
	bin := filepath.Join(dir, name)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked", name)
		}
	}
	f.Close()
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "thereforebridge v0.0.0-test commit ") {
		t.Errorf("--version: %q, %v", out, err)
	}
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(bin)
	sum := sha256.Sum256(b)
	if want := hex.EncodeToString(sum[:]) + "  " + name + "\n"; string(sums) != want {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", sums, want)
	}
}
