package config

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Secret is a credential. In YAML it is only ever a reference, `env:NAME`
// or `file:/path`, resolved when the config is loaded; a literal is an
// error, so secrets never sit in a config file. It prints as [redacted].
type Secret struct {
	value string
	ref   string
}

// NewSecret wraps a value built in code (tests, the embedded demo).
func NewSecret(v string) Secret { return Secret{value: v, ref: "literal"} }

// Value returns the secret itself; call it only where the secret is sent.
func (s Secret) Value() string { return s.value }

// IsSet reports whether a value was configured.
func (s Secret) IsSet() bool { return s.value != "" }

// String implements fmt.Stringer without revealing the value.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return "[redacted]"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return "config.Secret{" + s.ref + "}" }

// MarshalJSON never writes the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// MarshalYAML writes the reference, not the value.
func (s Secret) MarshalYAML() (any, error) { return s.ref, nil }

// UnmarshalYAML resolves an env: or file: reference.
func (s *Secret) UnmarshalYAML(n *yaml.Node) error {
	var ref string
	if err := n.Decode(&ref); err != nil {
		return err
	}
	v, err := resolveSecret(ref)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*s = Secret{value: v, ref: ref}
	return nil
}

// lookupEnv is swapped in tests.
var lookupEnv = os.LookupEnv

func resolveSecret(ref string) (string, error) {
	switch {
	case strings.HasPrefix(ref, "env:"):
		name := strings.TrimPrefix(ref, "env:")
		v, ok := lookupEnv(name)
		if !ok || v == "" {
			return "", fmt.Errorf("secret %s: the environment variable %s is not set", ref, name)
		}
		return v, nil
	case strings.HasPrefix(ref, "file:"):
		path := strings.TrimPrefix(ref, "file:")
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("secret %s: %v", ref, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	case ref == "":
		return "", nil
	}
	return "", fmt.Errorf("a secret must be a reference, env:NAME or file:/path, not a literal value")
}
