package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCommandLines pins what each command line does: its exit code and
// what it prints where. Help goes to stdout with exit 0; a usage error to
// stderr with exit 2, and nothing is done.
func TestCommandLines(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("listen: 127.0.0.1:9000\nauth:\n  insecure_no_auth: true\nvendors:\n  log:\n    operations: [SavePortalUser]\n"), 0o644)
	missing := filepath.Join(dir, "prod.yaml")
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string // substrings; "" checks nothing
	}{
		{"no command", nil, exitUsage, "", "commands:"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"top-level help", []string{"--help"}, exitOK, "hash-password", ""},
		{"--version", []string{"--version"}, exitOK, runtime.Version(), ""},
		{"version", []string{"version"}, exitOK, "commit ", ""},
		{"version with an argument", []string{"version", "x"}, exitUsage, "", "takes no arguments"},

		{"serve -h", []string{"serve", "-h"}, exitOK, "-listen", ""},
		{"serve --help", []string{"serve", "--help"}, exitOK, "exit status", ""},
		{"serve help after FILE", []string{"serve", "x.yaml", "-h"}, exitOK, "usage: thereforebridge serve", ""},
		{"serve two files", []string{"serve", "a.yaml", "b.yaml"}, exitUsage, "", `unexpected argument "b.yaml"`},
		{"serve unknown flag after FILE", []string{"serve", "a.yaml", "-lisen", "x"}, exitUsage, "", "flag provided but not defined: -lisen"},
		{"serve FILE and another -config", []string{"serve", "-config", "a.yaml", "b.yaml"}, exitUsage, "", "two config files"},
		{"serve a missing FILE", []string{"serve", missing, "-listen", "127.0.0.1:0"}, exitError, "", "prod.yaml"},

		{"check-config -h", []string{"check-config", "-h"}, exitOK, "usage: thereforebridge check-config [flags] [FILE]", ""},
		{"check-config FILE", []string{"check-config", good}, exitOK, "good.yaml: ok", ""},
		{"check-config a missing FILE", []string{"check-config", missing}, exitError, "", "prod.yaml"},
		{"check-config two files", []string{"check-config", good, good}, exitUsage, "", "unexpected argument"},
		{"check-config same file twice", []string{"check-config", "-config", good, good}, exitOK, "good.yaml: ok", ""},

		{"hash-password -h", []string{"hash-password", "-h"}, exitOK, "does not echo", ""},
		{"hash-password with an argument", []string{"hash-password", "secret"}, exitUsage, "", "takes no arguments"},

		{"call -h lists every flag", []string{"call", "-h"}, exitOK, "-basic", ""},
		{"call -h documents exit codes", []string{"call", "--help"}, exitOK, "4  could not reach the bridge", ""},
		{"call oof -h", []string{"call", "oof", "-h"}, exitOK, "3  the bridge answered with a SOAP fault", ""},
		{"call without operation", []string{"call"}, exitUsage, "", "flags of call portal"},
		{"call unknown operation", []string{"call", "nonsense"}, exitUsage, "", `unknown operation "nonsense"`},
		{"call -basic without colon", []string{"call", "oof", "-basic", "nocolon", "-off"}, exitUsage, "", "-basic wants USER:PASSWORD"},
		{"call with a positional", []string{"call", "oof", "-off", "extra"}, exitUsage, "", "takes no arguments"},
		{"call a non-HTTP URL", []string{"call", "oof", "-url", "ftp://host/x", "-off"}, exitUsage, "", "-url wants an http://"},
		{"call -on -off", []string{"call", "oof", "-on", "-off"}, exitUsage, "", "-on and -off exclude each other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tc.args, &out, &errOut)
			if code != tc.code {
				t.Errorf("%q: exit %d, want %d\nstdout: %s\nstderr: %s", tc.args, code, tc.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("%q: stdout lacks %q:\n%s", tc.args, tc.stdout, out.String())
			}
			if !strings.Contains(errOut.String(), tc.stderr) {
				t.Errorf("%q: stderr lacks %q:\n%s", tc.args, tc.stderr, errOut.String())
			}
			if tc.code == exitOK && errOut.Len() > 0 {
				t.Errorf("%q: success wrote to stderr: %s", tc.args, errOut.String())
			}
		})
	}
}

func TestParseServe(t *testing.T) {
	tests := []struct {
		args []string
		want serveOptions
	}{
		{nil, serveOptions{}},
		{[]string{"prod.yaml"}, serveOptions{configPath: "prod.yaml"}},
		{[]string{"prod.yaml", "-listen", "0.0.0.0:8443"}, serveOptions{configPath: "prod.yaml", listen: "0.0.0.0:8443"}},
		{[]string{"-listen=0.0.0.0:8443", "prod.yaml"}, serveOptions{configPath: "prod.yaml", listen: "0.0.0.0:8443"}},
		{[]string{"-config", "prod.yaml", "--listen", ":1"}, serveOptions{configPath: "prod.yaml", listen: ":1"}},
		{[]string{"prod.yaml", "-admin-listen", "127.0.0.1:9"}, serveOptions{configPath: "prod.yaml", adminAddr: "127.0.0.1:9"}},
		{[]string{"-listen", ":1", "--", "-odd name.yaml"}, serveOptions{configPath: "-odd name.yaml", listen: ":1"}},
	}
	for _, tc := range tests {
		var out, errOut bytes.Buffer
		got, code, ok := parseServe(tc.args, &out, &errOut)
		if !ok || code != exitOK || got != tc.want {
			t.Errorf("%q: %+v (ok %v, code %d), want %+v; %s", tc.args, got, ok, code, tc.want, errOut.String())
		}
	}
}

// TestCallUnreachable: no bridge at the URL is exit 4, not the fault's 3.
func TestCallUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	var out, errOut bytes.Buffer
	if code := run([]string{"call", "oof", "-url", "http://" + addr + "/theservice/v0001/soapun", "-off"}, &out, &errOut); code != exitUnreachable {
		t.Fatalf("exit %d, want %d: %s", code, exitUnreachable, errOut.String())
	}
	if !strings.Contains(errOut.String(), "could not reach the bridge") {
		t.Errorf("stderr: %s", errOut.String())
	}
}

func TestIsFault(t *testing.T) {
	tests := []struct {
		reply string
		want  bool
	}{
		{`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode></s:Fault></s:Body></s:Envelope>`, true},
		{`<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header/><env:Body><env:Fault/></env:Body></env:Envelope>`, true},
		{`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><R><Fault/></R></s:Body></s:Envelope>`, false},
		{`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><Fault/></s:Header><s:Body><R/></s:Body></s:Envelope>`, false},
		{`<html><body><h1>Not Found</h1></body></html>`, false},
		{`not xml`, false},
	}
	for _, tc := range tests {
		if got := isFault([]byte(tc.reply)); got != tc.want {
			t.Errorf("isFault(%s) = %v, want %v", tc.reply, got, tc.want)
		}
	}
}
