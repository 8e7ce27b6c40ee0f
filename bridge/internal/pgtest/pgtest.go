// Package pgtest starts a throwaway Postgres server for tests: Debian's
// postgresql binaries, a cluster in a temporary directory owned by the
// postgres system user (initdb refuses to run as root, and CI runs as
// root), listening only on 127.0.0.1 at a free port, removed when the test
// ends.
package pgtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Server is a running test cluster.
type Server struct {
	// DSN connects as the superuser postgres to the database postgres.
	DSN     string
	Port    int
	dir     string
	bin     string
	asOwner func(name string, args ...string) *exec.Cmd
	opts    Options
}

// Bin returns the directory of Debian's newest Postgres binaries
// (/usr/lib/postgresql/<version>/bin), or "" when none is installed.
func Bin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) < version(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start starts a cluster for t and stops it when t ends. It skips t, saying
// why, only when the Postgres binaries are not installed (.ci/deps installs
// them).
func Start(t testing.TB) *Server {
	t.Helper()
	if Bin() == "" {
		t.Skip("Postgres is not installed (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql, as .ci/deps does")
	}
	s, err := Launch(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Remove)
	return s
}

// Options are how Launch runs the server.
type Options struct {
	// Durable keeps fsync on, as a deployed server has it. Tests run
	// without it: they kill the bridge, never the machine.
	Durable bool
	// CPU, when not nil, pins the server's processes to that core
	// (taskset), e.g. away from a benchmark's server under test.
	CPU *int
}

// Launch starts a cluster in a new temporary directory; Remove stops it
// and deletes the directory.
func Launch(o Options) (*Server, error) {
	bin := Bin()
	if bin == "" {
		return nil, errors.New("Postgres is not installed (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql")
	}
	s := &Server{bin: bin, asOwner: exec.Command, opts: o}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	s.dir = dir
	fail := func(err error) (*Server, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	var prefix []string
	if o.CPU != nil {
		prefix = []string{"taskset", "-c", strconv.Itoa(*o.CPU)}
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fail(fmt.Errorf("running as root, and there is no postgres system user to run initdb as: %v", err))
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return fail(err)
		}
		prefix = append(prefix, "runuser", "-u", "postgres", "--")
	}
	if len(prefix) > 0 {
		s.asOwner = func(name string, args ...string) *exec.Cmd {
			return exec.Command(prefix[0], append(append(prefix[1:len(prefix):len(prefix)], name), args...)...)
		}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fail(err)
	}
	data := filepath.Join(dir, "data")
	if out, err := s.asOwner(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8").CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	// A free port can be taken by someone else before the server binds
	// it: try a few.
	for try := 0; ; try++ {
		if s.Port, err = FreePort(); err != nil {
			return fail(err)
		}
		if err = s.start(); err == nil {
			break
		} else if try == 4 {
			return fail(fmt.Errorf("pg_ctl start: %v", err))
		}
	}
	s.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
	return s, nil
}

// Remove stops the server and deletes its directory.
func (s *Server) Remove() {
	s.Stop()
	os.RemoveAll(s.dir)
}

// start starts the server on s.Port and waits until it accepts.
func (s *Server) start() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=200", s.Port, s.dir)
	if !s.opts.Durable {
		opts += " -c fsync=off"
	}
	out, err := s.asOwner(filepath.Join(s.bin, "pg_ctl"), "-D", filepath.Join(s.dir, "data"), "-l", filepath.Join(s.dir, "log"),
		"-o", opts, "-w", "-t", "60", "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fmt.Errorf("%v\n%s\n%s", err, out, lastLines(string(log), 20))
	}
	return nil
}

// Stop stops the server (fast: connections are cut), as a crash of the
// database would look to its clients; Restart starts it again.
func (s *Server) Stop() {
	s.asOwner(filepath.Join(s.bin, "pg_ctl"), "-D", filepath.Join(s.dir, "data"), "-m", "fast", "-w", "stop").Run()
}

// Restart starts a stopped server again on the same port.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.start(); err != nil {
		t.Fatalf("pg_ctl start: %v", err)
	}
}

// CreateDB creates a database and returns its DSN.
func (s *Server) CreateDB(t testing.TB, name string) string {
	t.Helper()
	dsn, err := s.NewDB(name)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// NewDB creates a database and returns its DSN.
func (s *Server) NewDB(name string) (string, error) {
	out, err := s.asOwner(filepath.Join(s.bin, "psql"), "-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-U", "postgres", "-d", "postgres",
		"-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE "+name).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("create database %s: %v\n%s", name, err, out)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, name), nil
}

// FreePort returns a port of 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
