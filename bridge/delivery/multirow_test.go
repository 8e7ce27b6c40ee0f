package delivery

import (
	"slices"
	"strings"
	"testing"
)

func TestMultiRow(t *testing.T) {
	m := newMultiRow("INSERT INTO t (a, b) VALUES ", "(?, ?)", " RETURNING ?")
	for _, tc := range []struct {
		rows  int
		sizes []int
	}{
		{0, nil},
		{1, []int{1}},
		{5, []int{4, 1}},
		{64, []int{64}},
		{65, []int{64, 1}},
		{127, []int{64, 32, 16, 8, 4, 2, 1}},
		{130, []int{64, 64, 2}},
	} {
		var rows [][]any
		for i := range tc.rows {
			rows = append(rows, []any{i, -i})
		}
		got := m.stmts(rows, "tail")
		if len(got) != len(tc.sizes) {
			t.Fatalf("%d rows: %d statements, want %d", tc.rows, len(got), len(tc.sizes))
		}
		next := 0
		for i, s := range got {
			n := tc.sizes[i]
			if c := strings.Count(s.q, "(?, ?)"); c != n {
				t.Errorf("%d rows, statement %d: %d tuples, want %d: %s", tc.rows, i, c, n, s.q)
			}
			if len(s.args) != 2*n+1 || s.args[2*n] != "tail" {
				t.Fatalf("%d rows, statement %d: args %v", tc.rows, i, s.args)
			}
			// The rows keep their order across the statements.
			for j := range n {
				if s.args[2*j] != next || s.args[2*j+1] != -next {
					t.Fatalf("%d rows, statement %d: row %d is %v, want %d", tc.rows, i, j, s.args[2*j:2*j+2], next)
				}
				next++
			}
		}
	}
}

func TestInList(t *testing.T) {
	for _, tc := range []struct {
		values []string
		in     string
		args   []any
	}{
		{[]string{"a"}, "?", []any{"a"}},
		{[]string{"a", "b"}, "?, ?", []any{"a", "b"}},
		{[]string{"a", "b", "c"}, "?, ?, ?, ?", []any{"a", "b", "c", "c"}},
	} {
		in, args := inList(tc.values)
		if in != tc.in || !slices.Equal(args, tc.args) {
			t.Errorf("inList(%q) = %q, %v; want %q, %v", tc.values, in, args, tc.in, tc.args)
		}
	}
}
