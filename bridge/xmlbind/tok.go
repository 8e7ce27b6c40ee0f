package xmlbind

import "github.com/thereforebridge/thereforebridge/bridge/xmltok"

// The tokenizer lives in bridge/xmltok; these names keep callers building
// until they import it directly.
type (
	Reader = xmltok.Reader
	Limits = xmltok.Limits
)

var (
	DefaultLimits  = xmltok.DefaultLimits
	ErrLimit       = xmltok.ErrLimit
	NewReaderBytes = xmltok.NewReaderBytes
	ReadRaw        = xmltok.ReadRaw
)
