package xmltok

import (
	"encoding/binary"
	"encoding/xml"
	"sync"
	"sync/atomic"
)

// A nameEntry is an interned raw name with the tokens built from it.
type nameEntry struct {
	raw        string
	hash       uint32
	name       xml.Name  // raw: Space is the prefix
	end        xml.Token // xml.EndElement{name}, boxed once
	start      xml.Token // xml.StartElement without attributes, in startSpace
	startSpace string
	// The namespace the prefix resolved to while the Reader's bindings
	// were those of generation nsGen (Reader.resolved).
	nsURI string
	nsGen uint64
	// Guesses for the next names (Reader.hinted): the start tag that
	// followed this one's last time, and this element's first attribute.
	// They are cleared when the cache goes back to its pool, so that no
	// evicted entry outlives the document through them.
	nextStart, firstAttr *nameEntry
	// The last start token with one attribute, and what it was made of.
	attr                       xml.Token
	attrSpace, attrNS, attrVal string
	attrName                   *nameEntry
}

func (e *nameEntry) endToken() xml.Token {
	if e.end == nil {
		e.end = xml.EndElement{Name: e.name}
	}
	return e.end
}

func (e *nameEntry) startToken(space string) xml.Token {
	if e.start == nil || e.startSpace != space {
		e.start = xml.StartElement{Name: xml.Name{Space: space, Local: e.name.Local}}
		e.startSpace = space
	}
	return e.start
}

// attrStart returns the start token in namespace space with the one
// attribute name (resolved to namespace ns) = value, reusing the last one
// made when they are the same; newAttrs gives the attribute slice.
func (e *nameEntry) attrStart(space string, name *nameEntry, ns, value string, newAttrs func(int) []xml.Attr) xml.Token {
	if e.attr == nil || e.attrName != name || e.attrSpace != space || e.attrNS != ns || e.attrVal != value {
		a := newAttrs(1)
		a[0] = xml.Attr{Name: xml.Name{Space: ns, Local: name.name.Local}, Value: value}
		e.attr = xml.StartElement{Name: xml.Name{Space: space, Local: e.name.Local}, Attr: a}
		e.attrName, e.attrSpace, e.attrNS, e.attrVal = name, space, ns, value
	}
	return e.attr
}

// nameCache interns names and short values in two 4-way set-associative
// tables: a name looks in the 4 slots of its set, and a new one takes a free
// slot there or, when the set is full, replaces the one the hash's top bits
// pick. Being a cache, it may forget; a forgotten name is simply made again.
// Caches are pooled across documents (namePool: a Reader returns its own
// when the document ends), so that the names of a contract are made once.
// Entries and the tokens in them are immutable once shared, except for the
// lazily boxed tokens, which only the Reader holding the cache touches.
type nameCache struct {
	names  [512]*nameEntry
	values [256]string
	gen    int64 // canonical.gen its entries were made under
}

// canonical holds the strings registered with Intern.
var canonical struct {
	mu  sync.Mutex
	m   atomic.Pointer[map[string]string] // copied on write
	gen atomic.Int64                      // counts the writes
}

func init() { canonical.m.Store(&map[string]string{}) }

// Intern registers s and returns its canonical copy: from then on, a
// Reader returns a namespace URI, a short attribute value or a local name
// equal to it as that very string. Comparing two strings that share their
// bytes costs a comparison of pointers, which is what the binder does for
// every element and attribute with its fields' names (a namespace URI is
// some 60 bytes, compared in full otherwise).
func Intern(s string) string {
	if c, ok := (*canonical.m.Load())[s]; ok {
		return c
	}
	canonical.mu.Lock()
	defer canonical.mu.Unlock()
	old := *canonical.m.Load()
	if c, ok := old[s]; ok {
		return c
	}
	m := make(map[string]string, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[s] = s
	canonical.m.Store(&m)
	canonical.gen.Add(1)
	return s
}

// canonicalOf returns the canonical copy of s, or s as a new string.
func canonicalOf(s []byte) string {
	if c, ok := (*canonical.m.Load())[string(s)]; ok {
		return c
	}
	return string(s)
}

// fresh forgets entries made before the latest Intern, so that what the
// cache returns is canonical.
func (c *nameCache) fresh() {
	if g := canonical.gen.Load(); c.gen != g {
		*c = nameCache{gen: g}
	}
}

const maxInternedValue = 96 // namespace URIs, "true", small numbers

var namePool = sync.Pool{New: func() any { return new(nameCache) }}

// hash mixes s eight bytes at a time (names are short: a byte at a time
// would be the tokenizer's main cost).
func hash(s []byte) uint32 {
	const m = 0x9E3779B97F4A7C15
	n := len(s)
	h := uint64(n) * m
	switch {
	case n > 8:
		for t := s; len(t) > 8; t = t[8:] {
			h = (h ^ binary.LittleEndian.Uint64(t)) * m
			h ^= h >> 32
		}
		h = (h ^ binary.LittleEndian.Uint64(s[n-8:])) * m
	case n == 8:
		h = (h ^ binary.LittleEndian.Uint64(s)) * m
	case n >= 4:
		h = (h ^ uint64(binary.LittleEndian.Uint32(s)) | uint64(binary.LittleEndian.Uint32(s[n-4:]))<<32) * m
	case n > 0:
		h = (h ^ uint64(s[0]) | uint64(s[n/2])<<8 | uint64(s[n-1])<<16) * m
	}
	return uint32(h >> 32)
}

// clearHints forgets the guesses of every entry in the tables.
func (c *nameCache) clearHints() {
	for _, e := range c.names {
		if e != nil {
			e.nextStart, e.firstAttr = nil, nil
		}
	}
}

// ways is the number of slots in a set of the nameCache tables.
const ways = 4

// lookup returns the entry for s, or nil when it has none yet.
func (c *nameCache) lookup(s []byte) *nameEntry {
	h := hash(s)
	set := c.names[h%uint32(len(c.names))&^(ways-1):][:ways]
	for _, e := range set {
		if e != nil && e.hash == h && e.raw == string(s) {
			return e
		}
	}
	return nil
}

// add enters the checked name s, whose colon (if any) is at colon.
func (c *nameCache) add(s []byte, colon int) *nameEntry {
	h := hash(s)
	e := &nameEntry{raw: string(s), hash: h}
	e.name.Local = canonicalOf(s)
	if colon >= 0 {
		e.name = xml.Name{Space: e.raw[:colon], Local: canonicalOf(s[colon+1:])}
	}
	set := c.names[h%uint32(len(c.names))&^(ways-1):][:ways]
	slot := &set[h>>30] // when the set is full
	for i := range set {
		if set[i] == nil {
			slot = &set[i]
			break
		}
	}
	*slot = e
	return e
}

// value returns s as a string, interned when short.
func (c *nameCache) value(s []byte) string {
	if len(s) > maxInternedValue {
		return string(s)
	}
	h := hash(s)
	set := c.values[h%uint32(len(c.values))&^(ways-1):][:ways]
	for _, v := range set {
		if v == string(s) {
			return v
		}
	}
	slot := &set[h>>30]
	for i := range set {
		if set[i] == "" {
			slot = &set[i]
			break
		}
	}
	*slot = canonicalOf(s)
	return *slot
}
