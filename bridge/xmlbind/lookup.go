package xmlbind

import "encoding/xml"

// linearFields is the size up to which a struct's fields are found by
// comparing names rather than through the map: hashing the namespace of
// every element cost more than the comparisons (mostly on local names of
// different lengths) for the contract's structs, of at most a dozen
// fields.
const linearFields = 16

// index returns the field named name, looking first from next on:
// clients send a struct's elements in the contract's order, so the field
// after the last one found is most often the one.
func (p *plan) index(name xml.Name, next int) (int, bool) {
	if len(p.fields) > linearFields {
		i, ok := p.byName[name]
		return i, ok
	}
	n := len(p.fields)
	for k := range n {
		i := next + k // next is at most n
		if i >= n {
			i -= n
		}
		if f := &p.fields[i].name; f.Local == name.Local && f.Space == name.Space {
			return i, true
		}
	}
	return 0, false
}
