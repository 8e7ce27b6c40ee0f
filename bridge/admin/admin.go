// Package admin serves the operators' page, /admin/deliveries: the
// deliveries not yet made (pending, retrying, failed, dead) with their
// last error and attempts, and buttons to retry or discard them. It runs
// on a listener of its own (admin.listen) with operator credentials of
// its own; its forms are protected against cross-site request forgery by
// a per-process HMAC token and by the browser's Sec-Fetch-Site and Origin
// headers (net/http's CrossOriginProtection).
package admin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/auth"
	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/delivery"
)

// Path is where the page is served.
const Path = "/admin/deliveries"

// listLimit bounds the rows one page shows.
const listLimit = 500

// Store is what the page needs of the delivery store.
type Store interface {
	List(ctx context.Context, f delivery.Filter) ([]delivery.Delivery, error)
	Retry(ctx context.Context, f delivery.Filter) (int, error)
	Discard(ctx context.Context, f delivery.Filter) (int, error)
}

//go:embed page.html style.css
var files embed.FS

var page = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"age": func(now, t time.Time) string { return formatAge(now.Sub(t)) },
	"until": func(now time.Time, t *time.Time) string {
		if t == nil {
			return ""
		}
		if d := t.Sub(now); d > 0 {
			return "in " + formatAge(d)
		}
		return "now"
	},
}).ParseFS(files, "page.html"))

// Handler serves the page.
type Handler struct {
	store  Store
	users  *auth.Authenticator
	secret []byte // signs the forms' tokens; new in each process
	log    *slog.Logger
	mux    *http.ServeMux
	now    func() time.Time
}

// New returns the page's handler for the operators of cfg.
func New(cfg config.Admin, store Store, log *slog.Logger) (*Handler, error) {
	if !cfg.Enabled() {
		return nil, errors.New("admin.users is empty: the operators' page needs at least one operator")
	}
	users, err := auth.New(config.Auth{Callers: cfg.Callers()})
	if err != nil {
		return nil, fmt.Errorf("admin.users: %w", err)
	}
	h := &Handler{store: store, users: users, secret: make([]byte, 32), log: log, mux: http.NewServeMux(), now: time.Now}
	_, _ = rand.Read(h.secret)
	h.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, Path, http.StatusFound) })
	h.mux.HandleFunc("GET "+Path, h.list)
	h.mux.HandleFunc("GET "+Path+".css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		http.ServeFileFS(w, r, files, "style.css")
	})
	h.mux.HandleFunc("POST "+Path+"/retry", h.act("retry"))
	h.mux.HandleFunc("POST "+Path+"/discard", h.act("discard"))
	return h, nil
}

// ServeHTTP checks the operator's credentials, then serves the page.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	user, pw, ok := r.BasicAuth()
	name := ""
	if ok {
		var err error
		client, _, splitErr := net.SplitHostPort(r.RemoteAddr)
		if splitErr != nil {
			client = r.RemoteAddr
		}
		// Throttled and busy checks are refused like wrong ones.
		if name, err = h.users.Password(r.Context(), client, user, pw); err != nil {
			h.log.Warn("operator authentication failed", "user", user, "remote", r.RemoteAddr)
			ok = false
		}
	}
	if !ok {
		hd.Set("WWW-Authenticate", `Basic realm="thereforebridge operators", charset="UTF-8"`)
		http.Error(w, "operator credentials required (admin.users)", http.StatusUnauthorized)
		return
	}
	h.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), operatorKey{}, name)))
}

type operatorKey struct{}

func operator(r *http.Request) string { s, _ := r.Context().Value(operatorKey{}).(string); return s }

// token is the form token of an operator: an HMAC under the process's
// secret, so a page from another site cannot know it.
func (h *Handler) token(user string) string {
	m := hmac.New(sha256.New, h.secret)
	m.Write([]byte("admin-form\x00" + strings.ToLower(user)))
	return hex.EncodeToString(m.Sum(nil))
}

// crossOrigin refuses what a browser marks as sent by another site: by
// Sec-Fetch-Site, or where a browser does not send it, by Origin against
// Host (so a proxy that rewrites Host does not break a modern browser).
var crossOrigin = http.NewCrossOriginProtection()

// view is what the page template renders.
type view struct {
	Operator   string
	Token      string
	Filter     delivery.Filter
	States     []string
	Deliveries []delivery.Delivery
	Counts     map[string]int
	Truncated  bool
	Notice     string
	Error      string
	Now        time.Time
	Query      string // the filter, for the forms' return
}

func filterOf(v url.Values) delivery.Filter {
	seq, _ := strconv.ParseInt(v.Get("seq"), 10, 64)
	return delivery.Filter{State: v.Get("state"), Vendor: strings.TrimSpace(v.Get("vendor")), User: strings.TrimSpace(v.Get("user")), Key: v.Get("key"), Seq: seq}
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := filterOf(q)
	f.Key, f.Seq = "", 0
	v := &view{Operator: operator(r), Token: h.token(operator(r)), Filter: f, States: delivery.States, Now: h.now(), Counts: map[string]int{},
		Query: url.Values{"state": {f.State}, "vendor": {f.Vendor}, "user": {f.User}}.Encode()}
	if n, err := strconv.Atoi(q.Get("n")); err == nil {
		switch q.Get("done") {
		case "retry":
			v.Notice = plural(n) + " retried: pending again, the bridge delivers " + them(n) + " next."
		case "discard":
			v.Notice = plural(n) + " discarded."
		}
	}
	status := http.StatusOK
	f.Limit = listLimit
	ds, err := h.store.List(r.Context(), f)
	switch {
	case err != nil && f.State != "" && !containsState(f.State):
		status, v.Error = http.StatusBadRequest, err.Error()
	case err != nil:
		h.log.Error("operators' page: listing deliveries", "error", err.Error())
		status, v.Error = http.StatusInternalServerError, "The delivery store cannot be read: "+err.Error()
	}
	v.Deliveries, v.Truncated = ds, len(ds) == listLimit
	for _, d := range ds {
		v.Counts[d.State]++
	}
	h.render(w, status, v)
}

func (h *Handler) render(w http.ResponseWriter, status int, v *view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := page.Execute(w, v); err != nil {
		h.log.Error("operators' page: rendering", "error", err.Error())
	}
}

// act handles a retry or discard form: one delivery (vendor, key, seq) or
// every one the filter selects.
func (h *Handler) act(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "the form does not parse: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := crossOrigin.Check(r); err != nil {
			h.forbid(w, r, "the form was sent from another site ("+err.Error()+")")
			return
		}
		if tok := r.PostForm.Get("csrf"); !hmac.Equal([]byte(tok), []byte(h.token(operator(r)))) {
			h.forbid(w, r, "the form's token is missing or not this bridge's (reload the page and try again)")
			return
		}
		f := filterOf(r.PostForm)
		if f.Seq != 0 && (f.Vendor == "" || f.Key == "") {
			http.Error(w, "a delivery is named by vendor, key and seq", http.StatusBadRequest)
			return
		}
		if f.Seq != 0 {
			f.State, f.User = "", "" // one row: whatever state it is in now
			if action == "discard" {
				f.State = r.PostForm.Get("row_state")
			}
		}
		do := h.store.Retry
		if action == "discard" {
			do = h.store.Discard
		}
		n, err := do(r.Context(), f)
		if err != nil {
			h.log.Error("operators' page: "+action, "operator", operator(r), "error", err.Error())
			h.render(w, http.StatusInternalServerError, &view{Operator: operator(r), Token: h.token(operator(r)), States: delivery.States, Now: h.now(),
				Counts: map[string]int{}, Error: "The " + action + " failed; nothing was changed: " + err.Error()})
			return
		}
		h.log.Info("operator "+action, "operator", operator(r), "count", n, "vendor", f.Vendor, "key", f.Key, "seq", f.Seq, "state", f.State, "user", f.User)
		back := url.Values{"state": {r.PostForm.Get("return_state")}, "vendor": {r.PostForm.Get("return_vendor")}, "user": {r.PostForm.Get("return_user")},
			"done": {action}, "n": {strconv.Itoa(n)}}
		http.Redirect(w, r, Path+"?"+back.Encode(), http.StatusSeeOther)
	}
}

func (h *Handler) forbid(w http.ResponseWriter, r *http.Request, why string) {
	h.log.Warn("operators' page: a form was refused", "operator", operator(r), "remote", r.RemoteAddr, "reason", why)
	http.Error(w, "refused: "+why, http.StatusForbidden)
}

func containsState(s string) bool {
	for _, x := range delivery.States {
		if x == s {
			return true
		}
	}
	return false
}

func plural(n int) string {
	if n == 1 {
		return "1 delivery"
	}
	return strconv.Itoa(n) + " deliveries"
}

func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// formatAge writes d the way people read an age: 42s, 5m10s, 3h20m, 2d4h.
func formatAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}
