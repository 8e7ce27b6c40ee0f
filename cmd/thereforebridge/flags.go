package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes shared by every subcommand. call adds two of its own
// (exitFault, exitUnreachable) so that scripts can tell a refusal by the
// bridge from a bridge that is not there.
const (
	exitOK    = 0 // done
	exitError = 1 // the command ran and failed (invalid config, listen error, ...)
	exitUsage = 2 // the command line is wrong; nothing was done
)

// cmdFlags is one subcommand's flag set with the text that heads its
// usage. Its parse lets flags and positional arguments interleave, so that
// `serve bridge.yaml -listen :8443` means what it says instead of silently
// dropping -listen, which is what flag.Parse does after the first
// positional argument.
type cmdFlags struct {
	*flag.FlagSet
	synopsis string // usage lines and description, printed before the flags
	footer   string // printed after the flags (exit codes, examples)
	stdout   io.Writer
	stderr   io.Writer
}

func newCmdFlags(name, synopsis string, stdout, stderr io.Writer) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // parse decides where the usage goes
	return &cmdFlags{FlagSet: fs, synopsis: synopsis, stdout: stdout, stderr: stderr}
}

// usage writes the full usage: synopsis, every flag with its default, and
// the footer.
func (f *cmdFlags) usage(w io.Writer) {
	fmt.Fprint(w, strings.TrimRight(f.synopsis, "\n")+"\n")
	if hasFlags(f.FlagSet) {
		fmt.Fprint(w, "\nflags:\n")
		f.SetOutput(w)
		f.PrintDefaults()
		f.SetOutput(f.stderr)
	}
	if f.footer != "" {
		fmt.Fprint(w, "\n"+strings.TrimRight(f.footer, "\n")+"\n")
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parse parses args, flags anywhere among at most maxPos positional
// arguments ("--" ends the flags). It returns the positional arguments, or
// ok false and the exit code: 0 after -h/--help (full usage on stdout), 2
// after a usage error (the error and the full usage on stderr).
func (f *cmdFlags) parse(args []string, maxPos int) (pos []string, code int, ok bool) {
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.usage(f.stdout)
				return nil, exitOK, false
			}
			// flag has already written the error line.
			f.usage(f.stderr)
			return nil, exitUsage, false
		}
		rest := f.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) > maxPos {
		extra := pos[maxPos:]
		if maxPos == 0 {
			f.usageError("takes no arguments, got %q", strings.Join(extra, " "))
		} else {
			f.usageError("unexpected argument %q", strings.Join(extra, " "))
		}
		return nil, exitUsage, false
	}
	return pos, exitOK, true
}

// usageError reports a wrong command line with the full usage and returns
// exitUsage.
func (f *cmdFlags) usageError(format string, a ...any) int {
	fmt.Fprintf(f.stderr, "thereforebridge %s: %s\n\n", f.Name(), fmt.Sprintf(format, a...))
	f.usage(f.stderr)
	return exitUsage
}
