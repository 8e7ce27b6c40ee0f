package delivery

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
)

// TestDrainYieldsWithinBudget: a job that has spent its budget yields
// after the key it is on, not after every key it read. Otherwise a job
// whose keys each wait out a slow vendor runs past rescue_after, River
// takes it for a dead process's, and a second job works the same keys at
// the same time.
func TestDrainYieldsWithinBudget(t *testing.T) {
	slow := newRecorder("slow", false)
	e, err := Open(context.Background(), Config{Store: "sqlite:" + filepath.Join(t.TempDir(), "d.db"), DrainBudget: time.Nanosecond},
		[]fanout.Target{fanout.TargetConfig{}.Target(slow)}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Stop(context.Background()) })
	e.wg.Add(1)
	go e.commitLoop() // accepting, without River's workers: the test works the shard itself
	// Three users whose keys share a shard.
	var users []string
	shard := -1
	for i := 0; len(users) < 3; i++ {
		u := fmt.Sprintf("user%d", i)
		s := shardOf(intent.User{UserName: u}.Key())
		if shard < 0 {
			shard = s
		}
		if s == shard {
			users = append(users, u)
		}
	}
	for _, u := range users {
		if _, err := e.Accept(context.Background(), oofChange(t, u, true)); err != nil {
			t.Fatal(err)
		}
	}
	job := &river.Job[shardArgs]{JobRow: &rivertype.JobRow{ID: 1}, Args: shardArgs{Vendor: "slow", Shard: shard}}
	err = e.drain(context.Background(), job)
	var snooze *rivertype.JobSnoozeError
	if !errors.As(err, &snooze) {
		t.Fatalf("drain past its budget: %v, want it to yield (snooze)", err)
	}
	if _, n, _ := slow.snapshot(); n != 1 {
		t.Fatalf("the vendor was called %d times before the job yielded, want 1 (the key it was on)", n)
	}
}
