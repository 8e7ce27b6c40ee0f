package fakekit

import "testing"

func TestHistory(t *testing.T) {
	var h History
	if s := h.Snapshot(); s == nil || len(s) != 0 {
		t.Fatalf("empty snapshot %#v", s)
	}
	h.Record("jdoe", "on")
	h.Record("", "nobody")
	h.Record("asmith", "on")
	for i := range MaxHistory {
		h.Record("JDoe", i)
	}
	s := h.Snapshot()
	j := s["jdoe"]
	if len(s) != 2 || len(j) != MaxHistory || j[0].State != 0 || j[MaxHistory-1].State != MaxHistory-1 {
		t.Fatalf("history %v", s)
	}
	if a := s["asmith"]; len(a) != 1 || a[0].Seq != 2 || j[0].Seq != 3 {
		t.Errorf("seq across subjects: asmith %v, jdoe's first %v", a, j[0])
	}
}
