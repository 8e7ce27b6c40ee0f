package resilience

import "testing"

// TestStream: the event stream check finds a lost or reordered
// acknowledged change, and allows what the bridge may rightly do.
func TestStream(t *testing.T) {
	a := func(on bool) made { return made{on: on, outcome: acked} }
	c := func(on bool) made { return made{on: on, outcome: cut} }
	tests := []struct {
		name   string
		events []bool
		calls  []made
		ok     bool
	}{
		{"all in order", []bool{true, false, true}, []made{a(true), a(false), a(true)}, true},
		{"the last lost", []bool{true, false}, []made{a(true), a(false), a(true)}, false},
		{"one in the middle lost", []bool{true, true}, []made{a(true), a(false), a(true)}, false},
		{"reordered", []bool{false, true}, []made{a(true), a(false)}, false},
		{"a cut call not stored", []bool{true, true}, []made{a(true), c(false), c(true)}, true},
		{"a cut call stored", []bool{true, false}, []made{a(true), c(false)}, true},
		{"a retry of the latest stored change", []bool{true}, []made{a(true), c(false), a(true)}, true},
		{"an event nobody asked for", []bool{true, false}, []made{a(true)}, false},
		{"a cut call unstored, the next a retry", []bool{true, false, true}, []made{a(true), a(false), c(true), a(false), a(true)}, true},
		{"an acknowledged call lost after a cut one", []bool{true, false, true}, []made{a(true), a(false), c(true), a(false), a(true), a(false)}, false},
	}
	for _, tc := range tests {
		if err := stream(tc.events, tc.calls); (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
