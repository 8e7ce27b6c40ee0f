package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
)

// instantVendors answers the four vendors of the "bridge + 4 instant
// vendors" contender at once, each with the smallest answer its adapter
// takes as success, and checks nothing: what is left of a call's cost is
// the bridge's own fan-out (goroutines, HTTP client, JSON encoding). Paths
// (testdata/bench/bridge-instant.yaml):
//
//   - /grommunio/api/v1: POST /login (a JWT), GET /domains (example.com),
//     GET /domains/1/users?username=X (X as user 7), GET and PUT
//     .../oof and .../delegates (a state, an empty list, an empty 200);
//   - /superoffice/api/v1: GET /User/{name} (associate 7), PUT
//     /User/7/UserPresenceStatus;
//   - /therefore/...: POST of an operation (an empty JSON object);
//   - /webhook/events: POST (204);
//   - /webhook-flaky/events: the same, but every tenth answer is 503.
func instantVendors() http.Handler {
	var flaky atomic.Int64
	jsonAnswer := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/grommunio/api/v1/"):
			p = strings.TrimPrefix(p, "/grommunio/api/v1")
			switch {
			case p == "/login":
				jsonAnswer(w, `{"grommunioAuthJwt":"bench.jwt.token","csrf":"bench"}`)
			case p == "/domains":
				jsonAnswer(w, `{"data":[{"ID":1,"domainname":"example.com"}]}`)
			case strings.HasSuffix(p, "/users"):
				name, _ := json.Marshal(r.URL.Query().Get("username"))
				jsonAnswer(w, `{"data":[{"ID":7,"username":`+string(name)+`}]}`)
			case r.Method == http.MethodPut:
				w.WriteHeader(http.StatusOK) // an empty 200 is success
			case strings.HasSuffix(p, "/oof"):
				jsonAnswer(w, `{"state":0}`)
			case strings.HasSuffix(p, "/delegates"):
				jsonAnswer(w, `{"data":[]}`)
			default:
				http.NotFound(w, r)
			}
		case strings.HasPrefix(p, "/superoffice/api/v1/User/"):
			if r.Method == http.MethodGet {
				jsonAnswer(w, `{"AssociateId":7}`)
				return
			}
			jsonAnswer(w, `{}`)
		case strings.HasPrefix(p, "/therefore/"):
			jsonAnswer(w, `{}`)
		case p == "/webhook/events":
			w.WriteHeader(http.StatusNoContent)
		case p == "/webhook-flaky/events":
			// One attempt in ten fails, as a vendor with trouble would:
			// the delivery is retried with backoff.
			if flaky.Add(1)%10 == 0 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	})
}
