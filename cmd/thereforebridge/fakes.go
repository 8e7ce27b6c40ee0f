package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	grommuniofake "github.com/thereforebridge/thereforebridge/bridge/vendors/grommunio/fake"
	lineworksfake "github.com/thereforebridge/thereforebridge/bridge/vendors/lineworks/fake"
	superofficefake "github.com/thereforebridge/thereforebridge/bridge/vendors/superoffice/fake"
	thereforefake "github.com/thereforebridge/thereforebridge/bridge/vendors/thereforerest/fake"
	webhookfake "github.com/thereforebridge/thereforebridge/bridge/vendors/webhook/fake"
)

// servedFake is what the fakes command needs of a vendor fake: the vendor
// API, its state, and its fault injection (fakekit.Faults).
type servedFake interface {
	http.Handler
	DebugState() any
	ControlHandler() http.Handler
	Clear()
}

// fakeVendor is one fake the command serves. name is the vendor's key
// under `vendors:`, its path prefix and its /debug/vendors name, as in a
// bridge's own debug endpoint.
type fakeVendor struct {
	name string
	new  func(rateLimits bool) servedFake
	demo func(baseURL string) any // the vendor's config for a fake at baseURL
}

var fakeVendors = []fakeVendor{
	{"grommunio", func(bool) servedFake { return grommuniofake.New() }, demoOf(grommuniofake.Demo)},
	{"lineworks", func(limits bool) servedFake {
		f := lineworksfake.New()
		if !limits {
			f.SetRateLimit(1<<30, time.Minute)
		}
		return f
	}, demoOf(lineworksfake.Demo)},
	{"superoffice", func(limits bool) servedFake {
		f := superofficefake.New()
		if !limits {
			f.SetRateLimit(0)
		}
		return f
	}, demoOf(superofficefake.Demo)},
	{"therefore", func(bool) servedFake { return thereforefake.New() }, demoOf(thereforefake.Demo)},
	{"webhook", func(bool) servedFake { return webhookfake.New() }, demoOf(webhookfake.Demo)},
}

// demoOf forgets the type of a fake package's Demo config, so that the
// five fit one table.
func demoOf[C any](demo func(string) C) func(string) any {
	return func(baseURL string) any { return demo(baseURL) }
}

// fakes runs the vendor fakes until SIGINT or SIGTERM.
func fakes(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveFakes(ctx, args, stdout, stderr)
}

// serveFakes serves every vendor fake on one listener until ctx is done.
// It prints, on stdout, a YAML vendors: section that points a bridge at
// them (comments say where state and faults are), so that the output can
// be pasted into a config as it is. A config names secrets by reference
// only, so the demo credentials are written to files in a directory
// (-secrets, by default a temporary one removed at exit) that the section
// refers to with file:.
func serveFakes(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8090", "listen address (127.0.0.1:0 picks a free port)")
	rateLimits := fs.Bool("rate-limits", true, "enforce the vendors' rate limits (SuperOffice 10/s, LINE WORKS 240/min per operation); false for load tests")
	secrets := fs.String("secrets", "", "directory for the demo credentials the printed config refers to (default: a temporary directory removed at exit)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fakes: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *secrets == "" {
		dir, err := os.MkdirTemp("", "thereforebridge-fakes-")
		if err != nil {
			fmt.Fprintln(stderr, "fakes:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		*secrets = dir
	} else if err := os.MkdirAll(*secrets, 0o700); err != nil {
		fmt.Fprintln(stderr, "fakes: -secrets:", err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "fakes:", err)
		return 1
	}
	base := "http://" + ln.Addr().String()
	mux, served := fakesMux(*rateLimits)
	snippet, err := fakesConfig(base, *secrets)
	if err != nil {
		ln.Close()
		fmt.Fprintln(stderr, "fakes:", err)
		return 1
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "# thereforebridge fakes: every vendor fake at %s/<vendor>/\n", base)
	fmt.Fprintf(stdout, "# state:  GET %s/debug/vendors/<vendor>\n", base)
	fmt.Fprintf(stdout, "# faults: GET, POST or DELETE %s/debug/vendors/<vendor>/fault (README: Vendor fakes)\n", base)
	fmt.Fprintf(stdout, "# A bridge uses them with this vendors section:\n%s", snippet)
	fmt.Fprintln(stdout, "# serving until SIGINT or SIGTERM")

	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "fakes:", err)
		return 1
	case <-ctx.Done():
	}
	// Hung and failing requests are let go, so that their clients get an
	// answer and Shutdown does not wait for a hang that nobody releases.
	for _, f := range served {
		f.Clear()
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close() // a request still in an injected delay
	}
	return 0
}

// fakesMux routes /<vendor>/... to each fake (the prefix stripped),
// /debug/vendors/<vendor> to its state and /debug/vendors/<vendor>/fault
// to its fault injection.
func fakesMux(rateLimits bool) (*http.ServeMux, []servedFake) {
	mux := http.NewServeMux()
	var served []servedFake
	var index strings.Builder
	for _, v := range fakeVendors {
		f := v.new(rateLimits)
		served = append(served, f)
		mux.Handle("/"+v.name+"/", http.StripPrefix("/"+v.name, f))
		mux.HandleFunc("GET /debug/vendors/"+v.name, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, f.DebugState())
		})
		mux.Handle("/debug/vendors/"+v.name+"/fault", f.ControlHandler())
		fmt.Fprintf(&index, "/%s/  /debug/vendors/%s  /debug/vendors/%s/fault\n", v.name, v.name, v.name)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "thereforebridge vendor fakes: API, state, faults\n"+index.String())
	})
	return mux, served
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}

// fakesConfig is the vendors: section that points a bridge at the fakes
// served at base: each vendor's demo config with its prefix, its secrets
// written to files in secrets.
func fakesConfig(base, secrets string) (string, error) {
	vendors := map[string]map[string]any{}
	for _, v := range fakeVendors {
		s, err := settings(v.demo(base+"/"+v.name), filepath.Join(secrets, v.name+"-"))
		if err != nil {
			return "", fmt.Errorf("%s: %w", v.name, err)
		}
		vendors[v.name] = s
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(map[string]any{"vendors": vendors}); err != nil {
		return "", err
	}
	return b.String(), enc.Close()
}

// settings lists a vendor config's set fields by their YAML names; each
// secret is written to the file prefix+<name> and referred to.
func settings(c any, prefix string) (map[string]any, error) {
	v := reflect.ValueOf(c)
	if v.Kind() != reflect.Struct {
		return nil, errors.New("the demo config is not a struct")
	}
	out := map[string]any{}
	for i := range v.NumField() {
		f := v.Type().Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || strings.Contains(opts, "inline") || v.Field(i).IsZero() {
			continue
		}
		switch x := v.Field(i).Interface().(type) {
		case config.Secret:
			if err := os.WriteFile(prefix+name, []byte(x.Value()), 0o600); err != nil {
				return nil, err
			}
			out[name] = "file:" + prefix + name
		case config.Duration:
			out[name] = x.D().String()
		case time.Duration:
			out[name] = x.String()
		case string, bool, int, []string:
			out[name] = x
		default:
			return nil, fmt.Errorf("field %s: %T cannot be printed as YAML", name, x)
		}
	}
	return out, nil
}
