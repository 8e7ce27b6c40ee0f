package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

const migrateSynopsis = `usage: thereforebridge migrate [flags] [FILE]

Creates or upgrades the delivery store of the YAML config FILE (River's
tables and the bridge's own) and exits, so that a deployment can migrate
before it starts bridges (serve also migrates at start-up). Without FILE it
migrates the embedded demo's store. A SQLite store made by an earlier
bridge, whose file never shrinks, is rewritten once so that it does: run
it with the bridge stopped, with room for a second copy of the file.
`

const migrateFooter = `exit status: 0 when the store is up to date, 1 when the config is invalid
or the store cannot be migrated, 2 for a wrong command line.`

func migrate(args []string, stdout, stderr io.Writer) int {
	fs := newCmdFlags("migrate", migrateSynopsis, stdout, stderr)
	fs.footer = migrateFooter
	path, code, ok := parseFileCommand(fs, args)
	if !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e, err := openStore(ctx, path)
	if err != nil {
		fmt.Fprintln(stderr, "thereforebridge migrate:", err)
		return exitError
	}
	defer e.Stop(ctx)
	rewritten, err := e.Vacuum(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "thereforebridge migrate:", err)
		return exitError
	}
	if rewritten {
		fmt.Fprintf(stdout, "delivery store %s rewritten: its file now shrinks as deliveries settle\n", e.Describe())
	}
	fmt.Fprintf(stdout, "delivery store %s is up to date\n", e.Describe())
	return exitOK
}
