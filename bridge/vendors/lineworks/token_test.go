package lineworks

import (
	"encoding/json"
	"testing"
)

func TestExpiresIn(t *testing.T) {
	for in, want := range map[string]int64{`"86400"`: 86400, `3600`: 3600, `"x"`: -1, `null`: -1, `1.5`: -1} {
		var s seconds
		err := json.Unmarshal([]byte(in), &s)
		if (err != nil) != (want < 0) || (err == nil && int64(s) != want) {
			t.Errorf("%s: got %d, %v; want %d", in, s, err, want)
		}
	}
}
