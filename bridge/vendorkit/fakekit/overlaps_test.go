package fakekit

import (
	"reflect"
	"testing"
)

func TestOverlaps(t *testing.T) {
	var o Overlaps
	if s := o.Snapshot(); s == nil || len(s) != 0 {
		t.Fatalf("empty snapshot %#v", s)
	}
	end1 := o.Begin("jdoe@example.com")
	o.Begin("")() // no subject: nothing recorded
	endOther := o.Begin("asmith@example.com")
	end2 := o.Begin("JDoe@Example.com") // the same subject, while 1 runs
	end2()
	end2() // ending twice counts once
	end1()
	endOther()
	o.Begin("jdoe@example.com")() // after both ended: no overlap
	if got, want := o.Snapshot(), map[string]int{"jdoe@example.com": 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("overlaps %v, want %v", got, want)
	}
}
