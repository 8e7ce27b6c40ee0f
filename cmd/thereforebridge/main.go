// Command thereforebridge serves Therefore's IThereforeService SOAP
// operations SaveOutOfOfficeInfoForUser and SavePortalUser and carries each
// call to the configured REST vendors.
//
//	thereforebridge serve [-config file.yaml] [-listen addr]
//	thereforebridge check-config [-config file.yaml]
//	thereforebridge call oof|portal [flags]
//	thereforebridge version
//
// Each subcommand lives in its own file and is one line of the commands
// table below.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// A command is one subcommand: run gets the arguments after its name and
// returns the process exit code.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

// commands is the table of subcommands, in the order usage lists them.
var commands = []command{
	{"serve", "run the bridge (default config: the embedded local demo)", serve},
	{"check-config", "validate a config file and print what would be called", checkConfig},
	{"call", "send one SOAP call (oof or portal) and print the reply", call},
	{"hash-password", "read a password on stdin, print its bcrypt hash for auth.callers", hashPassword},
	{"version", "print the version", printVersion},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: thereforebridge <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-14s%s\n", c.name, c.summary)
	}
	return b.String()
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage())
		return 0
	}
	fmt.Fprintf(stderr, "thereforebridge: unknown command %q\n%s", args[0], usage())
	return 2
}

func printVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stdout, "thereforebridge", version())
	return 0
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return bi.Main.Version + " " + s.Value
			}
		}
		return bi.Main.Version
	}
	return "unknown"
}
