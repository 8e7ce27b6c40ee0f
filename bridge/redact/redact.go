// Package redact keeps secrets out of logs: it renders values as JSON with
// every member whose name marks a secret replaced by a fixed mask.
package redact

import (
	"encoding/json"
	"strings"
)

// Mask replaces a secret.
const Mask = "[redacted]"

// secretKeys are member names (case-insensitive) whose values are secret.
var secretKeys = map[string]bool{
	"userpwd": true, "password": true, "passwordtext": true, "pass": true,
	"secret": true, "token": true, "authorization": true, "client_secret": true,
}

// IsSecretKey reports whether a member of this name holds a secret.
func IsSecretKey(name string) bool { return secretKeys[strings.ToLower(name)] }

// JSON marshals v with secret members masked.
func JSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return nil, err
	}
	return json.Marshal(Value(generic))
}

// Value masks, in place, the secret members of v, a value decoded from
// JSON into any (maps, slices and scalars), and returns it.
func Value(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if IsSecretKey(k) && val != nil {
				t[k] = Mask
			} else {
				t[k] = Value(val)
			}
		}
	case []any:
		for i := range t {
			t[i] = Value(t[i])
		}
	}
	return v
}
