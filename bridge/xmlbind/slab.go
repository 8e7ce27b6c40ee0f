package xmlbind

import (
	"reflect"
	"sync"
)

// The generated types hold nearly every member through a pointer (each is
// nillable), so a SavePortalUser of 10,000 items is some 60,000 small
// objects: its index data, their embedded bases, and each *string and
// *int32. Allocated one by one, they cost the allocator and the collector
// per object. Past its first allocations, a binder takes them from slabs
// instead, one per pointed-to type, each a slice twice the size of the
// last (up to maxSlab): the call of 10,000 items makes its 50,000 or so
// in some 250 allocations, and a small call, which never gets there, pays
// nothing for the slabs. The
// slabs live exactly as long as the values decoded from them, which
// belong to one request.

const (
	unslabbed = 64 // allocations a binder makes one by one
	minSlab   = 8
	maxSlab   = 256
)

// slabType is a type the binder allocates from slabs; id indexes the
// binder's slabs.
type slabType struct {
	id    int
	slice reflect.Type // []T
}

var slabTypes struct {
	sync.Mutex
	byType map[reflect.Type]*slabType
}

// slabTypeOf returns the slab type for values of t; the plans ask, once
// per member.
func slabTypeOf(t reflect.Type) *slabType {
	slabTypes.Lock()
	defer slabTypes.Unlock()
	if st, ok := slabTypes.byType[t]; ok {
		return st
	}
	if slabTypes.byType == nil {
		slabTypes.byType = map[reflect.Type]*slabType{}
	}
	st := &slabType{id: len(slabTypes.byType), slice: reflect.SliceOf(t)}
	slabTypes.byType[t] = st
	return st
}

type slab struct {
	items      reflect.Value // []T
	next, size int
}

// alloc returns a pointer to a new zero value of st's type.
func (b *binder) alloc(st *slabType) reflect.Value {
	if b.allocs < unslabbed {
		b.allocs++
		return reflect.New(st.slice.Elem())
	}
	if st.id >= len(b.slabs) {
		b.slabs = append(b.slabs, make([]slab, st.id+1-len(b.slabs))...)
	}
	s := &b.slabs[st.id]
	if s.next == s.size {
		s.size = min(max(2*s.size, minSlab), maxSlab)
		s.items, s.next = reflect.MakeSlice(st.slice, s.size, s.size), 0
	}
	s.next++
	return s.items.Index(s.next - 1).Addr()
}

// pointedSlab returns the slab type for what a member of type t points to
// (its items, for a list), nil when it is no pointer.
func pointedSlab(t reflect.Type) *slabType {
	if t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Pointer {
		return nil
	}
	return slabTypeOf(t.Elem())
}
