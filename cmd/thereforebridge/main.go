// Command thereforebridge serves Therefore's IThereforeService SOAP
// operations SaveOutOfOfficeInfoForUser and SavePortalUser and carries each
// call to the configured REST vendors.
//
//	thereforebridge serve [flags] [FILE]
//	thereforebridge check-config [FILE]
//	thereforebridge call oof|portal [flags]
//	thereforebridge deliveries list|show|retry|discard [flags] [FILE]
//	thereforebridge migrate [FILE]
//	thereforebridge hash-password
//	thereforebridge --version
//
// `thereforebridge <command> -h` prints a command's full usage.
//
// Each subcommand lives in its own file and is one line of the commands
// table below.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/buildinfo"
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
	{"deliveries", "list, show, retry or discard the deliveries not yet made", deliveries},
	{"migrate", "create or upgrade the delivery store and exit", migrate},
	{"fakes", "serve the five vendor fakes out of process, with faults injectable over HTTP", fakes},
	{"hash-password", "read a password (no echo at a terminal), print its bcrypt hash for auth.callers", hashPassword},
	{"version", "print the version, commit and Go version (same as --version)", printVersion},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: thereforebridge <command> [flags] [args]\n       thereforebridge --version\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-14s%s\n", c.name, c.summary)
	}
	b.WriteString("\n'thereforebridge <command> -h' prints the command's flags and exit codes.\n" +
		"Exit status: 0 done, 1 failed, 2 wrong command line; call also 3 for a SOAP fault\n" +
		"and 4 when it could not reach the bridge.\n")
	return b.String()
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return exitUsage
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage())
		return exitOK
	case "-version", "--version":
		return printVersion(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "thereforebridge: unknown command %q\n\n%s", args[0], usage())
	return exitUsage
}

func printVersion(args []string, stdout, stderr io.Writer) int {
	fs := newCmdFlags("version", "usage: thereforebridge version | thereforebridge --version\n\nPrints the version, the commit and the Go version of this binary.\n", stdout, stderr)
	if _, code, ok := fs.parse(args, 0); !ok {
		return code
	}
	fmt.Fprintln(stdout, buildinfo.Get())
	return exitOK
}
