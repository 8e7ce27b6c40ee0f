package resilience

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// view is what one vendor holds, per user of the world, reduced to what
// the tests check: OOF on or off now, the OOF states it was given in the
// order it applied them, its delegates (where the vendor keeps them), and
// (the webhook) the ids of the events it received, in order.
type view struct {
	vendor    string
	on        map[string]bool
	history   map[string][]bool
	delegates map[string][]string
	events    map[string][]string
	overlaps  map[string]int
}

type applied[S any] struct {
	Seq   int `json:"seq"`
	State S   `json:"state"`
}

// roundTrip reads a fake's state as JSON, as GET /debug/vendors/<name>
// shows it.
func roundTrip[T any](v any) T {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func newView(vendor string) view {
	return view{vendor: vendor, on: map[string]bool{}, history: map[string][]bool{}, delegates: map[string][]string{},
		events: map[string][]string{}, overlaps: map[string]int{}}
}

// views reads every vendor.
func (w *world) views() map[string]view {
	out := map[string]view{}
	local := func(s string) string { // r00@example.com, CORP\r00 -> r00
		s = strings.ToLower(s)
		if i := strings.LastIndexByte(s, '\\'); i >= 0 {
			s = s[i+1:]
		}
		s, _, _ = strings.Cut(s, "@")
		return s
	}
	{
		type user struct {
			Username  string         `json:"username"`
			OOF       map[string]any `json:"oof"`
			Delegates []string       `json:"delegates"`
		}
		s := roundTrip[struct {
			Domains  []struct{ Users []user }
			Overlaps map[string]int
			History  map[string][]applied[user]
		}](w.gro.State())
		v := newView("grommunio")
		for _, d := range s.Domains {
			for _, u := range d.Users {
				v.on[local(u.Username)] = u.OOF["state"] != float64(0)
				for _, x := range u.Delegates {
					v.delegates[local(u.Username)] = append(v.delegates[local(u.Username)], local(x))
				}
			}
		}
		for k, h := range s.History {
			for _, a := range h {
				v.history[local(k)] = append(v.history[local(k)], a.State.OOF["state"] != float64(0))
			}
		}
		v.overlaps = s.Overlaps
		out[v.vendor] = v
	}
	{
		type status struct{ ScheduleType string }
		present := func(ss []status) bool {
			for _, x := range ss {
				if x.ScheduleType == "PRESENT" {
					return true
				}
			}
			return false
		}
		s := roundTrip[struct {
			Users []struct {
				UserID   string
				Email    string
				Statuses []status
			}
			Overlaps map[string]int
			History  map[string][]applied[[]status]
		}](w.lw.State())
		v := newView("lineworks")
		byID := map[string]string{}
		for _, u := range s.Users {
			v.on[local(u.Email)] = present(u.Statuses)
			byID[strings.ToLower(u.UserID)] = local(u.Email)
		}
		for k, h := range s.History {
			for _, a := range h {
				v.history[byID[k]] = append(v.history[byID[k]], present(a.State))
			}
		}
		v.overlaps = s.Overlaps
		out[v.vendor] = v
	}
	{
		type assoc struct {
			AssociateID int `json:"AssociateId"`
			UserName    string
			Status      string
		}
		s := roundTrip[struct {
			Associates []assoc
			Overlaps   map[string]int
			History    map[string][]applied[assoc]
		}](w.so.State())
		v := newView("superoffice")
		for _, a := range s.Associates {
			v.on[local(a.UserName)] = a.Status != "StatusNormal"
		}
		for _, h := range s.History {
			for _, a := range h {
				v.history[local(a.State.UserName)] = append(v.history[local(a.State.UserName)], a.State.Status != "StatusNormal")
			}
		}
		v.overlaps = s.Overlaps
		out[v.vendor] = v
	}
	{
		type user struct {
			OutOfOffice bool     `json:"out_of_office"`
			Delegates   []string `json:"delegates"`
		}
		s := roundTrip[struct {
			Users    map[string]user
			Overlaps map[string]int
			History  map[string][]applied[user]
		}](w.tr.State())
		v := newView("therefore")
		for k, u := range s.Users {
			v.on[local(k)] = u.OutOfOffice
			for _, x := range u.Delegates {
				v.delegates[local(k)] = append(v.delegates[local(k)], local(x))
			}
		}
		for k, h := range s.History {
			for _, a := range h {
				v.history[local(k)] = append(v.history[local(k)], a.State.OutOfOffice)
			}
		}
		v.overlaps = s.Overlaps
		out[v.vendor] = v
	}
	{
		type event struct {
			ID          string
			OutOfOffice struct{ Enabled *bool } `json:"out_of_office"`
		}
		s := roundTrip[struct {
			Overlaps map[string]int
			History  map[string][]applied[event]
		}](w.wh.State())
		v := newView("webhook")
		for k, h := range s.History {
			for _, a := range h {
				on := a.State.OutOfOffice.Enabled != nil && *a.State.OutOfOffice.Enabled
				v.history[local(k)] = append(v.history[local(k)], on)
				v.events[local(k)] = append(v.events[local(k)], a.State.ID)
				v.on[local(k)] = on
			}
		}
		v.overlaps = s.Overlaps
		out[v.vendor] = v
	}
	return out
}

// converge polls the vendors until check finds nothing wrong, or until
// within has passed; it returns the last problems found.
func (w *world) converge(within time.Duration, check func(map[string]view) []string) []string {
	deadline := time.Now().Add(within)
	for {
		problems := check(w.views())
		if len(problems) == 0 || time.Now().After(deadline) {
			return problems
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// noOverlaps lists keys any vendor was sent two requests for at once.
func noOverlaps(vs map[string]view) []string {
	var p []string
	for _, name := range vendorNames {
		for k, n := range vs[name].overlaps {
			if n > 0 {
				p = append(p, fmt.Sprintf("%s: %d overlapping requests for %s", name, n, k))
			}
		}
	}
	sort.Strings(p)
	return p
}

// firstN keeps a report readable.
func firstN(p []string, n int) string {
	if len(p) > n {
		return strings.Join(p[:n], "\n") + fmt.Sprintf("\n... and %d more", len(p)-n)
	}
	return strings.Join(p, "\n")
}
