package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
)

// floorResponse is what the floor answers to every call: the bridge's own
// empty SaveOutOfOfficeInfoForUser response, byte for byte, so that the
// floor writes as many bytes as the bridge does.
const floorResponse = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><SaveOutOfOfficeInfoForUserResponse xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages"><SaveOutOfOfficeInfoForUserResult xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/></SaveOutOfOfficeInfoForUserResponse></s:Body></s:Envelope>`

// serveMode runs one of the helper servers the harness starts as separate
// processes (re-executing itself), until SIGTERM:
//
//   - floor: a minimal Echo handler at the bridge's path that reads the
//     whole body and answers floorResponse, with no SOAP work: the most
//     any Go HTTP server can do on this machine;
//   - instant: the four instant vendors (instantVendors);
//   - fanout-floor: the fan-out floor (fanoutFloor), to the instant
//     vendors at vendors, its store in the file store.
//
// debugListen, when set, also serves net/http/pprof there: it lets the
// harness's -pprof option be tried without the bridge's hook.
func serveMode(mode, addr, debugListen, vendors, store string) int {
	var h http.Handler
	switch mode {
	case "floor":
		e := echo.New()
		e.HideBanner, e.HidePort = true, true
		e.POST(endpointPath, func(c echo.Context) error {
			if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
				return err
			}
			return c.Blob(http.StatusOK, "text/xml; charset=utf-8", []byte(floorResponse))
		})
		h = e
	case "instant":
		h = instantVendors()
	case "fanout-floor":
		if vendors == "" || store == "" {
			fmt.Fprintln(os.Stderr, "loadbench: -serve fanout-floor needs -vendors and -store")
			return 2
		}
		f, err := newFanoutFloor(store, vendors)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
			return 1
		}
		defer f.Close()
		e := echo.New() // as the floor's, so that the two differ by the fan-out alone
		e.HideBanner, e.HidePort = true, true
		e.POST(endpointPath, echo.WrapHandler(f))
		h = e
	default:
		fmt.Fprintf(os.Stderr, "loadbench: -serve %q: want floor, instant or fanout-floor\n", mode)
		return 2
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		return 1
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go srv.Serve(ln)
	if debugListen != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		dln, err := net.Listen("tcp", debugListen)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbench: debug listener:", err)
			return 1
		}
		go http.Serve(dln, mux)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	return 0
}
