package admin

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/delivery"
	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/generated"
)

// directory is a vendor that does not know ghost (until it is told to)
// nor gone: it refuses them permanently, as a vendor does an unknown user.
type directory struct {
	knowsGhost atomic.Bool
	mu         sync.Mutex
	applied    []string
}

func (*directory) Name() string      { return "crm" }
func (*directory) Spec() fanout.Spec { return fanout.Spec{Operations: fanout.Operations} }
func (d *directory) Deliver(_ context.Context, call *fanout.Call) fanout.Result {
	u := call.OutOfOffice.User.UserName
	if u == "gone" || (u == "ghost" && !d.knowsGhost.Load()) {
		return fanout.Result{Status: fanout.Permanent, VendorStatus: 404, Message: "no user " + u + " at the CRM"}
	}
	d.mu.Lock()
	d.applied = append(d.applied, u)
	d.mu.Unlock()
	return fanout.Result{Status: fanout.OK}
}

func (d *directory) delivered(u string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range d.applied {
		if a == u {
			return true
		}
	}
	return false
}

// browser starts Debian's chromium, headless, with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (.ci/deps installs it; apt-get install chromium): the operators' page is not tried in a browser")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	return bctx
}

func accept(t *testing.T, e *delivery.Engine, user string) {
	t.Helper()
	on := true
	c, err := delivery.NewChange("req-"+user, "demo", "", fanout.SaveOutOfOfficeInfoForUser,
		&generated.SaveOutOfOfficeInfoForUserParams{User: &generated.WSUserUniversalIdentifier{UserName: &user}, IsOutOfOfficeEnabled: &on}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Accept(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// TestPageInABrowser is an operator's round: the page shows a failed
// delivery, the vendor is fixed, Retry is pressed, and the delivery is
// made and leaves the page. A form whose token was removed is refused.
func TestPageInABrowser(t *testing.T) {
	bctx := browser(t)
	crm := &directory{}
	e, err := delivery.Open(context.Background(), delivery.Config{Store: "sqlite:" + filepath.Join(t.TempDir(), "d.db"), PollInterval: 50 * time.Millisecond},
		[]fanout.Target{fanout.TargetConfig{}.Target(crm)}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Stop(context.Background()) })
	for _, u := range []string{"ghost", "gone", "jdoe"} {
		accept(t, e, u)
	}
	h, err := New(config.Admin{Users: []config.AdminUser{{Name: "admin", PasswordHash: adminHash}}}, e, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	page := ts.URL + Path

	// The browser signs in as the operator on every request.
	creds := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:admin-password"))
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": creds}}); err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return s
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	ghost := `tr[data-key="name:ghost"]`
	var body string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		// the deliveries fail within a moment of being accepted
		do(chromedp.Navigate(page))
		if body = text("body"); strings.Count(body, "failed") >= 2 && !strings.Contains(body, "name:jdoe") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page never showed two failed deliveries:\n%s", body)
		}
	}
	row := text(ghost)
	for _, want := range []string{"failed", "crm", "name:ghost", "HTTP 404", "no user ghost at the CRM"} {
		if !strings.Contains(row, want) {
			t.Errorf("ghost's row lacks %q: %q", want, row)
		}
	}

	// A form without its token is refused, and nothing is discarded.
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector('tr[data-key="name:gone"] form[action$="/discard"] input[name=csrf]').remove() === undefined`)); err != nil {
		t.Fatal(err)
	}
	do(chromedp.Click(chromedp.CSS(`tr[data-key="name:gone"] button.discard`)), chromedp.WaitNotPresent(chromedp.CSS("table")))
	if body = text("body"); !strings.Contains(body, "refused: the form's token is missing") {
		t.Errorf("a form without its token: %q", body)
	}
	if ds, _ := e.List(context.Background(), delivery.Filter{User: "gone"}); len(ds) != 1 {
		t.Errorf("the refused discard acted: %+v", ds)
	}

	// The vendor learns of ghost; the operator presses Retry.
	crm.knowsGhost.Store(true)
	do(chromedp.Navigate(page), chromedp.Click(chromedp.CSS(ghost+` button.retry`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if notice := text(".notice"); !strings.Contains(notice, "1 delivery retried") {
		t.Errorf("notice %q", notice)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		do(chromedp.Navigate(page))
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('tr[data-key="name:ghost"]').length`))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ghost's delivery stayed on the page after Retry")
		}
	}
	if !crm.delivered("ghost") {
		t.Error("ghost left the page without being delivered")
	}

	// Discard with the token drops gone for good.
	do(chromedp.Click(chromedp.CSS(`tr[data-key="name:gone"] button.discard`)), chromedp.WaitVisible(chromedp.CSS(".empty")))
	if body = text("main"); !strings.Contains(body, "1 delivery discarded") || !strings.Contains(body, "Nothing waiting") {
		t.Errorf("after discard: %q", body)
	}
	if crm.delivered("gone") {
		t.Error("a discarded delivery was made")
	}
}
