package fanout_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
)

type instant struct{ name string }

func (v instant) Name() string { return v.name }
func (instant) Deliver(context.Context, *fanout.Call) fanout.Result {
	return fanout.Result{Status: fanout.OK}
}

// BenchmarkEngine measures the engine's own cost per SOAP call fanned out
// to four vendors that answer at once, and how it scales with concurrent
// calls (goroutines = parallelism x GOMAXPROCS).
func BenchmarkEngine(b *testing.B) {
	targets := []fanout.Target{
		{Vendor: instant{"grommunio"}, Required: true}, {Vendor: instant{"superoffice"}, Required: true},
		{Vendor: instant{"lineworks"}, Required: true}, {Vendor: instant{"therefore"}, Required: true},
	}
	for _, conc := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("vendors=4/concurrent=%d", conc), func(b *testing.B) {
			e := &fanout.Engine{Targets: targets, Policy: fanout.DefaultPolicy, MaxConcurrency: 64, AttemptTimeout: 1e9, Deadline: 1e10}
			b.ReportAllocs()
			b.SetParallelism(max(1, conc/2)) // GOMAXPROCS is 2 here
			b.RunParallel(func(pb *testing.PB) {
				c := &fanout.Call{Operation: "SaveOutOfOfficeInfoForUser"}
				for pb.Next() {
					if _, ok := e.Dispatch(context.Background(), c); !ok {
						b.Error("dispatch failed")
					}
				}
			})
		})
	}
}
