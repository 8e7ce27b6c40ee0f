package xmltok_test

import (
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/internal/wcfsample"
	"github.com/thereforebridge/thereforebridge/bridge/xmltok"
)

// BenchmarkTokenize reads every token of a WCF SavePortalUser with 10,000
// index data items (5.6 MB) with encoding/xml (as the bridge used it, see
// refReader) and with the Reader: the figures in the package doc.
func BenchmarkTokenize(b *testing.B) {
	doc := wcfsample.SavePortalUser(10_000)
	for _, c := range []struct {
		name string
		next func() func() (any, error)
	}{
		{"encoding-xml", func() func() (any, error) {
			r := newRefReader(doc)
			return func() (any, error) { return r.Token() }
		}},
		{"xmltok", func() func() (any, error) {
			r := xmltok.NewReaderBytes(doc, xmltok.DefaultLimits)
			return func() (any, error) { return r.Token() }
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				next := c.next()
				for {
					if _, err := next(); err != nil {
						break
					}
				}
			}
		})
	}
}
