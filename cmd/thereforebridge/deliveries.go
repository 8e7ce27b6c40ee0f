package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/delivery"
)

const deliveriesSynopsis = `usage: thereforebridge deliveries list|show|retry|discard [flags] [FILE]

Shows and acts on the deliveries not yet made, in the delivery store of the
YAML config FILE (as serve opens it: without FILE, the embedded demo's
store in ./state/ or $STATE_DIRECTORY). It works beside a running bridge:
it never delivers anything itself; the bridge's workers make what it
retries.

  list     the deliveries the filters select, oldest first
  show     one change with its parameters (a portal password masked) and
           its deliveries: -change ID, or -vendor, -key and -seq
  retry    make failed and dead deliveries pending again (with a fresh
           delivery.max_age) and try retrying ones now; a state target is
           sent the latest state of the key
  discard  remove failed and dead deliveries (-state pending|retrying to
           remove those); it needs a filter, or -all

States: pending (waiting or being worked), retrying (its key in backoff),
failed (the vendor refused it), dead (retried past delivery.max_age).
`

const deliveriesFooter = `exit status: 0 done (list: also when nothing matches), 1 when the store
cannot be read or show finds nothing, 2 for a wrong command line.`

// deliveriesOptions is the command line of deliveries, parsed.
type deliveriesOptions struct {
	action     string
	configPath string
	filter     delivery.Filter
	all, json  bool
}

func deliveries(args []string, stdout, stderr io.Writer) int {
	opts, code, ok := parseDeliveries(args, stdout, stderr)
	if !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := openStore(ctx, opts.configPath)
	if err != nil {
		fmt.Fprintln(stderr, "thereforebridge deliveries:", err)
		return exitError
	}
	defer e.Stop(ctx)
	if err := runDeliveries(ctx, e, opts, stdout); err != nil {
		fmt.Fprintln(stderr, "thereforebridge deliveries:", err)
		return exitError
	}
	return exitOK
}

func parseDeliveries(args []string, stdout, stderr io.Writer) (opts deliveriesOptions, code int, ok bool) {
	fs := newCmdFlags("deliveries", deliveriesSynopsis, stdout, stderr)
	fs.footer = deliveriesFooter
	f := &opts.filter
	fs.StringVar(&opts.configPath, "config", "", "the config file, same as FILE")
	fs.StringVar(&f.State, "state", "", "only deliveries in this state: "+strings.Join(delivery.States, ", "))
	fs.StringVar(&f.Vendor, "vendor", "", "only deliveries to this vendor")
	fs.StringVar(&f.User, "user", "", "only deliveries whose key or user contains this (any case)")
	fs.StringVar(&f.Key, "key", "", "only the deliveries of this exact key (as list prints it)")
	fs.Int64Var(&f.Seq, "seq", 0, "only the delivery with this sequence number (with -vendor and -key)")
	fs.StringVar(&f.ChangeID, "change", "", "only the deliveries of this change id")
	fs.IntVar(&f.Limit, "limit", 500, "list at most this many")
	fs.BoolVar(&opts.all, "all", false, "discard: every failed and dead delivery, with no other filter")
	fs.BoolVar(&opts.json, "json", false, "print JSON instead of a table")
	pos, code, ok := fs.parse(args, 2)
	if !ok {
		return opts, code, false
	}
	if len(pos) == 0 {
		return opts, fs.usageError("name an action: list, show, retry or discard"), false
	}
	opts.action = pos[0]
	if opts.configPath, ok = configArg(fs, pos[1:], opts.configPath); !ok {
		return opts, exitUsage, false
	}
	if f.State != "" && !contains(delivery.States, f.State) {
		return opts, fs.usageError("-state %s: one of %s", f.State, strings.Join(delivery.States, ", ")), false
	}
	filtered := *f != (delivery.Filter{Limit: f.Limit})
	switch opts.action {
	case "list", "retry":
	case "show":
		if f.ChangeID == "" && (f.Vendor == "" || f.Key == "" || f.Seq == 0) {
			return opts, fs.usageError("show needs -change ID, or -vendor, -key and -seq"), false
		}
	case "discard":
		if filtered == opts.all {
			return opts, fs.usageError("discard needs a filter (-state, -vendor, -user, -key, -change) or -all, not both"), false
		}
	default:
		return opts, fs.usageError("unknown action %q: list, show, retry or discard", opts.action), false
	}
	return opts, exitOK, true
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// openStore opens the delivery store of the config at path, as serve
// would, for operators: insert-only, so nothing is delivered from here.
func openStore(ctx context.Context, path string) (*delivery.Engine, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if err := prepareStore(cfg); err != nil {
		return nil, err
	}
	e, err := delivery.OpenAdmin(ctx, cfg.Delivery.Store.DSN(), slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, fmt.Errorf("%s: delivery.store %s: %w", cfg.Source, cfg.Delivery.Store, err)
	}
	return e, nil
}

func runDeliveries(ctx context.Context, e *delivery.Engine, opts deliveriesOptions, stdout io.Writer) error {
	switch opts.action {
	case "list":
		ds, err := e.List(ctx, opts.filter)
		if err != nil {
			return err
		}
		if opts.json {
			return printJSON(stdout, ds)
		}
		printDeliveries(stdout, ds, time.Now())
		return nil
	case "show":
		d, err := e.Show(ctx, opts.filter)
		if errors.Is(err, delivery.ErrNotFound) {
			return errors.New("no delivery not yet made matches; it may have been delivered")
		}
		if err != nil {
			return err
		}
		if opts.json {
			return printJSON(stdout, d)
		}
		fmt.Fprintf(stdout, "change     %s\noperation  %s\ncaller     %s\nrequest    %s\naccepted   %s\n\n",
			d.ChangeID, d.Operation, d.Caller, d.RequestID, d.Created.Format(time.RFC3339))
		printDeliveries(stdout, d.Deliveries, time.Now())
		fmt.Fprintf(stdout, "\nparameters (passwords masked):\n%s\n", d.Payload)
		return nil
	}
	act, verb := e.Retry, "retried"
	if opts.action == "discard" {
		act, verb = e.Discard, "discarded"
	}
	n, err := act(ctx, opts.filter)
	if err != nil {
		return err
	}
	if opts.json {
		return printJSON(stdout, map[string]int{verb: n})
	}
	fmt.Fprintf(stdout, "%d deliveries %s\n", n, verb)
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printDeliveries writes ds as a table, one line each.
func printDeliveries(w io.Writer, ds []delivery.Delivery, now time.Time) {
	if len(ds) == 0 {
		fmt.Fprintln(w, "no deliveries match")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATE\tVENDOR\tKEY\tSEQ\tATTEMPTS\tAGE\tCHANGE\tLAST ERROR")
	for _, d := range ds {
		msg := d.LastError
		if d.LastStatus != 0 {
			msg = fmt.Sprintf("HTTP %d: %s", d.LastStatus, msg)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", d.State, d.Vendor, d.Key, d.Seq, d.Attempts,
			now.Sub(d.Created).Round(time.Second), d.ChangeID, oneLine(msg, 100))
	}
	tw.Flush()
}

// oneLine keeps a vendor's error to one line of at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
