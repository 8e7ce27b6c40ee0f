package delivery

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
)

// A pick takes a change accepted here from memory, and one it no longer
// holds (after a restart, or evicted) from the store; a change gone from
// the store is left out, for apply to fail its delivery.
func TestPickReadsWhatMemoryLacks(t *testing.T) {
	e, err := Open(context.Background(), Config{Store: "sqlite:" + filepath.Join(t.TempDir(), "d.db")},
		[]fanout.Target{fanout.TargetConfig{}.Target(newRecorder("v", true))}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Stop(context.Background()) })
	e.wg.Add(1)
	go e.commitLoop() // accepting, without workers: the test picks itself
	// Five users whose keys share a shard.
	var users []string
	shard := -1
	for i := 0; len(users) < 5; i++ {
		u := fmt.Sprintf("user%d", i)
		if s := shardOf(intent.User{UserName: u}.Key()); shard < 0 || s == shard {
			shard = s
			users = append(users, u)
		}
	}
	accepted := map[string]*Change{}
	for _, u := range users {
		c := oofChange(t, u, true)
		if _, err := e.Accept(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		accepted[c.ID] = c
	}
	// Two are forgotten, as after a restart; one of those is gone from the
	// store too.
	var forgotten []string
	for id := range accepted {
		if len(forgotten) == 2 {
			break
		}
		e.recent.take(id)
		forgotten = append(forgotten, id)
	}
	if _, err := e.be.(*sqliteBackend).db.Exec(`DELETE FROM tb_change WHERE id = ?`, forgotten[1]); err != nil {
		t.Fatal(err)
	}

	keys, changes, _, err := e.pick(context.Background(), "v", shard)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(users) {
		t.Fatalf("picked %d keys, want %d", len(keys), len(users))
	}
	for id, want := range accepted {
		got, ok := changes[id]
		switch {
		case id == forgotten[1]:
			if ok {
				t.Errorf("the change gone from the store was picked: %+v", got)
			}
		case id == forgotten[0]:
			if !ok || got == want || *got.OutOfOffice.Enabled != true || got.OutOfOffice.User.UserName != want.OutOfOffice.User.UserName {
				t.Errorf("the forgotten change %s: %+v, want it decoded from the store", id, got)
			}
		default:
			if got != want {
				t.Errorf("the change %s was not taken from memory", id)
			}
		}
	}
}
