//go:build !linux

package resilience

import "testing"

func TestStoreDownSQLite(t *testing.T) {
	t.Skip("needs Linux: the SQLite store is made unwritable with prlimit(2) RLIMIT_FSIZE on the bridge process")
}
