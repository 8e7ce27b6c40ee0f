package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
)

// stdin is what hash-password reads; a variable so that tests can give it
// a pipe or a pseudo-terminal.
var stdin io.Reader = os.Stdin

const hashPasswordSynopsis = `usage: thereforebridge hash-password

Reads a password and prints its bcrypt hash, the form auth.callers[].password_hash
takes. From a terminal it asks twice and does not echo what is typed;
otherwise it reads standard input (one line, up to 1024 bytes):

  printf '%s' "$PASSWORD" | thereforebridge hash-password
`

const hashPasswordFooter = `exit status: 0 with the hash printed, 1 when reading or hashing failed or
the two entries differ, 2 for a wrong command line or an empty password.`

func hashPassword(args []string, stdout, stderr io.Writer) int {
	fs := newCmdFlags("hash-password", hashPasswordSynopsis, stdout, stderr)
	fs.footer = hashPasswordFooter
	if _, code, ok := fs.parse(args, 0); !ok {
		return code
	}
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "hash-password:", err)
		return exitError
	}
	if pw == "" {
		fmt.Fprintln(stderr, "hash-password: the password is empty; type it, or give it on standard input")
		return exitUsage
	}
	h, err := auth.HashPassword(pw)
	if err != nil {
		fmt.Fprintln(stderr, "hash-password:", err)
		return exitError
	}
	fmt.Fprintln(stdout, h)
	return exitOK
}

// readPassword reads the password from a terminal without echo, asking
// twice so that a typo does not become the only valid password; from
// anything else (a pipe, a file) it reads one line.
func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		b, err := io.ReadAll(io.LimitReader(in, 1024))
		if err != nil {
			return "", err
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(line, "\r"), nil
	}
	fd := int(f.Fd())
	fmt.Fprint(prompt, "Password: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	if len(first) == 0 {
		return "", nil
	}
	fmt.Fprint(prompt, "Repeat: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	if !bytes.Equal(first, second) {
		return "", errors.New("the two entries differ; nothing hashed")
	}
	return string(first), nil
}
