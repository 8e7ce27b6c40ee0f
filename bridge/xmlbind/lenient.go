package xmlbind

// This file is what makes the binder as forgiving as WCF's
// DataContractSerializer: unknown elements skipped (or, strict, faulted),
// and aliases for members clients put at another level than the contract.

import (
	"encoding/xml"
	"reflect"
)

// Options say how forgiving decoding is.
type Options struct {
	// Strict makes an unknown element a contract error. Otherwise it is
	// skipped and never bound, as WCF's DataContractSerializer does, so
	// clients generated from an older or newer WSDL keep working.
	Strict bool
	// Skipped, when set, is told the path of each unknown element skipped
	// (list positions left out, so one path stands for every item).
	Skipped func(path string)
	// Aliases are elements a type accepts beyond its own members.
	Aliases []Alias
}

// Alias is one element that a struct type accepts although it does not
// declare it: its content is decoded as a value of Type and handed back to
// the caller (in Found), who decides what it means. It exists for members
// that clients put at another level than the contract does.
type Alias struct {
	In       reflect.Type // the struct type that accepts the element
	Name     xml.Name
	Type     reflect.Type // e.g. reflect.TypeFor[*bool]()
	Nillable bool
}

// Found is an alias element met while decoding.
type Found struct {
	Alias *Alias
	Path  string
	Value reflect.Value // of Alias.Type
}

func (b *binder) alias(t reflect.Type, name xml.Name) *Alias {
	for i := range b.opts.Aliases {
		if a := &b.opts.Aliases[i]; a.In == t && a.Name == name {
			return a
		}
	}
	return nil
}

// decodeAlias decodes an alias element into a fresh value and records it.
func (b *binder) decodeAlias(a *Alias, start xml.StartElement) error {
	path := b.pathString(true) + "/" + a.Name.Local
	for _, f := range b.found {
		if f.Alias == a && f.Path == path {
			b.path = append(b.path, segment{name: a.Name.Local})
			return b.fail("appears more than once")
		}
	}
	holder := reflect.New(a.Type).Elem()
	f := field{name: a.Name, nillable: a.Nillable, enum: enumValues(a.Type), slab: pointedSlab(a.Type)}
	if err := b.decodeField(holder, &f, start); err != nil {
		return err
	}
	b.found = append(b.found, Found{Alias: a, Path: path, Value: holder})
	return nil
}

// skipUnknown passes over an element the type does not declare. A member
// the type does declare, in another namespace, is still an error: that is
// a client's mistake whose data would otherwise vanish without a word.
func (b *binder) skipUnknown(p *plan, t xml.StartElement) error {
	if _, ok := p.byLocal[t.Name.Local]; ok || b.opts.Strict {
		return b.unexpected(p, t)
	}
	if b.opts.Skipped != nil {
		b.opts.Skipped(b.pathString(false) + "/" + t.Name.Local)
	}
	if err := b.r.Skip(); err != nil {
		return b.syntax(err)
	}
	return nil
}
