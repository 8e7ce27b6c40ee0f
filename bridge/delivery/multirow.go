package delivery

import "strings"

// multiRow writes many rows in a few statements: one row costs a
// statement's fixed work (on Postgres its protocol messages and executor
// start, on SQLite a trip through database/sql and the VM's set-up),
// many rows in one statement share it. The rows go in runs of powers of
// two, largest first, so that a statement takes one of a few shapes,
// each prepared once, instead of one per number of rows; rows keep their
// order across the runs.
type multiRow struct {
	texts [multiRowShapes]string // by log2 of the rows
}

// multiRowShapes bounds a statement to 2^(multiRowShapes-1) rows.
const multiRowShapes = 7

// newMultiRow makes the statements head + tuple, tuple, ... + tail: each
// tuple's placeholders take one row's values, then tail's take tailArgs.
func newMultiRow(head, tuple, tail string) *multiRow {
	m := &multiRow{}
	for i := range m.texts {
		n := 1 << i
		var b strings.Builder
		b.WriteString(head)
		for j := range n {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
		}
		b.WriteString(tail)
		m.texts[i] = b.String()
	}
	return m
}

// stmts writes rows (each the values of one tuple) in runs.
func (m *multiRow) stmts(rows [][]any, tailArgs ...any) []stmt {
	var out []stmt
	for len(rows) > 0 {
		i := multiRowShapes - 1
		for 1<<i > len(rows) {
			i--
		}
		n := 1 << i
		args := make([]any, 0, n*len(rows[0])+len(tailArgs))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		out = append(out, stmt{q: m.texts[i], args: append(args, tailArgs...)})
		rows = rows[n:]
	}
	return out
}

// inList is a list of values for "IN (...)", padded to a power of two
// with its last value so that a few statement shapes are prepared, not
// one per length: the placeholders, and the values as arguments.
func inList[T any](values []T) (placeholders string, args []any) {
	n := 1
	for n < len(values) {
		n *= 2
	}
	args = make([]any, n)
	for i := range args {
		args[i] = values[min(i, len(values)-1)]
	}
	return "?" + strings.Repeat(", ?", n-1), args
}
