package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
)

// stdin is what hash-password reads; a variable so that tests can feed it.
var stdin io.Reader = os.Stdin

func hashPassword(args []string, stdout, stderr io.Writer) int {
	b, err := io.ReadAll(io.LimitReader(stdin, 1024))
	if err != nil {
		fmt.Fprintln(stderr, "hash-password:", err)
		return 1
	}
	pw := strings.TrimRight(string(b), "\r\n")
	if pw == "" {
		fmt.Fprintln(stderr, "hash-password: give the password on standard input")
		return 2
	}
	h, err := auth.HashPassword(pw)
	if err != nil {
		fmt.Fprintln(stderr, "hash-password:", err)
		return 1
	}
	fmt.Fprintln(stdout, h)
	return 0
}
