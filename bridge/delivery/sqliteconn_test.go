package delivery

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

type namedString string

type valuer struct{}

func (valuer) Value() (driver.Value, error) { return "from Value", nil }

// TestCheckNamedValue: the store's own argument types pass as they are,
// an int as int64, and anything else is left to database/sql's default
// conversion, as before.
func TestCheckNamedValue(t *testing.T) {
	at := time.Unix(1, 0)
	s := "s"
	for _, tc := range []struct {
		in   any
		want any
		skip bool
	}{
		{in: 7, want: int64(7)},
		{in: int64(8), want: int64(8)},
		{in: "x", want: "x"},
		{in: []byte("b"), want: []byte("b")},
		{in: nil, want: nil},
		{in: true, want: true},
		{in: 1.5, want: 1.5},
		{in: at, want: at},
		{in: int32(3), skip: true},
		{in: &s, skip: true},
		{in: namedString("n"), skip: true},
		{in: valuer{}, skip: true},
	} {
		nv := driver.NamedValue{Ordinal: 1, Value: tc.in}
		err := (&preparingConn{}).CheckNamedValue(&nv)
		if tc.skip {
			if !errors.Is(err, driver.ErrSkip) {
				t.Errorf("%T: %v, want driver.ErrSkip", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%T: %v", tc.in, err)
			continue
		}
		switch w := tc.want.(type) {
		case []byte:
			if string(nv.Value.([]byte)) != string(w) {
				t.Errorf("%T: %v, want %v", tc.in, nv.Value, w)
			}
		default:
			if nv.Value != tc.want {
				t.Errorf("%T: %#v, want %#v", tc.in, nv.Value, tc.want)
			}
		}
	}

	// Through database/sql: what SQLite binds.
	db := sql.OpenDB(preparingConnector{dsn: "file:" + filepath.Join(t.TempDir(), "c.db")})
	defer db.Close()
	for _, tc := range []struct {
		arg  any
		want string
	}{
		{7, "integer 7"}, {int32(3), "integer 3"}, {&s, "text s"}, {namedString("n"), "text n"}, {valuer{}, "text from Value"}, {nil, "null "},
	} {
		var typ, val string
		if err := db.QueryRowContext(context.Background(), `SELECT typeof(?1), COALESCE(CAST(?1 AS TEXT), '')`, tc.arg).Scan(&typ, &val); err != nil {
			t.Fatalf("%T: %v", tc.arg, err)
		}
		if got := typ + " " + val; got != tc.want {
			t.Errorf("%T bound as %q, want %q", tc.arg, got, tc.want)
		}
	}
}
