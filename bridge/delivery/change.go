package delivery

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/intent"
	"github.com/thereforebridge/thereforebridge/generated"
)

// Change is one accepted call, as the store keeps it until every vendor
// has it.
type Change struct {
	ID        string    `json:"id"`
	RequestID string    `json:"request_id"`
	Caller    string    `json:"caller,omitempty"`
	Operation string    `json:"operation"`
	At        time.Time `json:"at"`
	// MessageID is the call's WS-Addressing MessageID, "" when none: with
	// the caller and the body it recognises a client's retry.
	MessageID string `json:"message_id,omitempty"`

	OOF         *generated.SaveOutOfOfficeInfoForUserParams `json:"oof,omitempty"`
	OutOfOffice *intent.OutOfOffice                         `json:"out_of_office,omitempty"`
	Portal      *generated.SavePortalUserParams             `json:"portal,omitempty"`

	// params is OOF or Portal as fanout.MarshalJSON encoded them for the
	// store, when this process did (nil for a change read back from it):
	// the calls made of the change carry them (fanout.Call.ParamsJSON).
	params []byte
}

// NewChange makes the Change of a validated call: params is the
// operation's *generated.<Operation>Params; caller is the authenticated
// SOAP caller ("" when none).
func NewChange(requestID, caller, messageID, operation string, params any, now time.Time) (*Change, error) {
	c := &Change{ID: newID(), RequestID: requestID, Caller: caller, MessageID: messageID, Operation: operation, At: now.UTC()}
	switch p := params.(type) {
	case *generated.SaveOutOfOfficeInfoForUserParams:
		o := intent.FromOOF(p, caller)
		c.OOF, c.OutOfOffice = p, &o
	case *generated.SavePortalUserParams:
		if p.PortalUser == nil || p.PortalUser.Email == nil {
			return nil, fmt.Errorf("%s without a portal user e-mail address", operation)
		}
		c.Portal = p
	default:
		return nil, fmt.Errorf("%s: unexpected parameters %T", operation, params)
	}
	return c, nil
}

// newID returns a change id in UUID form, the form webhook receivers
// expect of an event id: version 7 (RFC 9562), the time in milliseconds
// then 74 random bits. Ids made later sort later, so the store's indexes
// of change ids grow at their end instead of dirtying a random page each:
// with random ids every accepted call cost two more pages of log to
// write and sync.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[6:])
	ms := uint64(time.Now().UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Subject is the key the change is recorded under for dedupe: the person,
// group or portal user it is about.
func (c *Change) Subject(dir identity.Directory) string {
	if c.Portal != nil {
		return portalKey(c.Portal)
	}
	return personKey(dir, c.OutOfOffice.User)
}

func portalKey(p *generated.SavePortalUserParams) string {
	return "portal:" + strings.ToLower(strings.TrimSpace(*p.PortalUser.Email))
}

// personKey is one key for one person however a call names them: their
// directory e-mail address when the directory knows them, else the name
// or id as called.
func personKey(dir identity.Directory, u intent.User) string {
	if dir != nil && !u.IsGroup() {
		if a, ok := dir.Lookup(u); ok && a.Email != "" {
			return "person:" + strings.ToLower(a.Email)
		}
	}
	if u.IsGroup() {
		return "group:" + strings.TrimPrefix(u.Key(), "name:")
	}
	return u.Key()
}

// A planned delivery: one (vendor, key) of a change, with the subject the
// vendor is to be told about.
type planned struct {
	vendor  string
	key     string
	subject intent.User // for out of office: the person (or group) this delivery is for
}

// plan lists the deliveries of c: one per (vendor, key) among the targets
// that receive its operation. A vendor keyed by person gets one delivery
// per member of a group the directory knows.
func plan(c *Change, targets []fanout.Target, dir identity.Directory) []planned {
	var out []planned
	for _, t := range targets {
		if !t.Receives(c.Operation) {
			continue
		}
		name := t.Vendor.Name()
		if c.Portal != nil {
			out = append(out, planned{vendor: name, key: portalKey(c.Portal)})
			continue
		}
		u := c.OutOfOffice.User
		if t.Vendor.Spec().Key == fanout.ByPerson && u.IsGroup() && dir != nil {
			if members, ok := dir.Members(u); ok {
				seen := map[string]bool{}
				for _, m := range members {
					k := personKey(dir, m)
					if !seen[k] {
						seen[k] = true
						out = append(out, planned{vendor: name, key: k, subject: m})
					}
				}
				continue
			}
		}
		out = append(out, planned{vendor: name, key: personKey(dir, u), subject: u})
	}
	return out
}

// pendingChange is one stored change as a delivery of it is to be made.
type pendingChange struct {
	seq     int64
	change  *Change
	subject intent.User
}

// calls turns the pending changes of one key, oldest first, into what the
// vendor is asked to apply: every change for an event stream, else their
// fold into one desired state.
func calls(spec fanout.Spec, pending []pendingChange) []*fanout.Call {
	if len(pending) == 0 {
		return nil
	}
	if spec.Events {
		out := make([]*fanout.Call, len(pending))
		for i, p := range pending {
			out[i] = callOf(p.change, p.subject)
		}
		return out
	}
	last := pending[len(pending)-1]
	if last.change.Portal != nil {
		return []*fanout.Call{callOf(last.change, last.subject)} // a portal user: the last writer wins
	}
	var folded intent.OutOfOffice
	for i, p := range pending {
		o := *p.change.OutOfOffice
		o.User = p.subject
		if i == 0 {
			folded = o
			continue
		}
		folded = Fold(folded, o)
	}
	call := callOf(last.change, last.subject)
	call.OutOfOffice = &folded
	call.Params, call.ParamsJSON = ParamsOf(folded), nil
	return []*fanout.Call{call}
}

func callOf(c *Change, subject intent.User) *fanout.Call {
	call := &fanout.Call{ChangeID: c.ID, RequestID: c.RequestID, Operation: c.Operation}
	if c.Portal != nil {
		call.Params, call.ParamsJSON = c.Portal, c.params
		return call
	}
	o := *c.OutOfOffice
	o.User = subject
	call.OutOfOffice = &o
	if subject == c.OutOfOffice.User || subject.Key() == c.OutOfOffice.User.Key() {
		call.Params, call.ParamsJSON = c.OOF, c.params // as called
	} else {
		call.Params = ParamsOf(o) // a group's member
	}
	return call
}

// Fold is the desired state after a then b for one subject: b's fields
// win where b sets them, a nil field never overwrites, and delegate
// changes compose in call order.
func Fold(a, b intent.OutOfOffice) intent.OutOfOffice {
	out := intent.OutOfOffice{User: b.User, Enabled: a.Enabled, Delegates: a.Delegates}
	if b.Enabled != nil {
		out.Enabled = b.Enabled
	}
	out.Delegates = foldDelegates(a.Delegates, b.Delegates)
	return out
}

// foldDelegates composes two delegate changes so that applying the result
// to any list equals applying a, then b.
func foldDelegates(a, b *intent.DelegateChange) *intent.DelegateChange {
	switch {
	case b == nil:
		return a
	case a == nil || b.Replace:
		return b
	case a.Replace:
		return &intent.DelegateChange{Replace: true, Set: b.Apply(a.Set)}
	}
	inB := func(l []intent.User) map[string]bool {
		m := map[string]bool{}
		for _, u := range l {
			m[u.Key()] = true
		}
		return m
	}
	bAdd, bDel := inB(b.Add), inB(b.Delete)
	var add, del []intent.User
	for _, u := range a.Add {
		if !bDel[u.Key()] {
			add = append(add, u)
		}
	}
	add = append(add, b.Add...)
	addSet := inB(add)
	for _, u := range append(append([]intent.User(nil), a.Delete...), b.Delete...) {
		if !addSet[u.Key()] && !bAdd[u.Key()] {
			del = append(del, u)
		}
	}
	return &intent.DelegateChange{Add: dedupeUsers(add), Delete: dedupeUsers(del)}
}

func dedupeUsers(us []intent.User) []intent.User {
	seen := map[string]bool{}
	var out []intent.User
	for _, u := range us {
		if k := u.Key(); !seen[k] {
			seen[k] = true
			out = append(out, u)
		}
	}
	return out
}

// ParamsOf is the SaveOutOfOfficeInfoForUser that asks for o: what a
// vendor that speaks Therefore's own shapes is sent for a folded change.
func ParamsOf(o intent.OutOfOffice) *generated.SaveOutOfOfficeInfoForUserParams {
	p := &generated.SaveOutOfOfficeInfoForUserParams{IsOutOfOfficeEnabled: o.Enabled}
	if !o.User.Connected {
		p.User = toUser(o.User)
	}
	if d := o.Delegates; d != nil {
		if d.Replace {
			p.DelegateUsers = toList(d.Set)
		} else {
			p.DelegateUsersToAdd = toList(d.Add)
			p.DelegateUsersToDelete = toList(d.Delete)
		}
	}
	return p
}

func toUser(u intent.User) *generated.WSUserUniversalIdentifier {
	w := &generated.WSUserUniversalIdentifier{}
	if u.UserID != 0 {
		id := u.UserID
		w.UserId = &id
	}
	if u.DomainName != "" {
		d := u.DomainName
		w.DomainName = &d
	}
	if u.UserName != "" {
		n := u.UserName
		w.UserName = &n
	}
	if u.Type != "" {
		t := generated.WSUserType(u.Type)
		w.UserType = &t
	}
	return w
}

func toList(us []intent.User) *generated.ArrayOfWSUserUniversalIdentifier {
	l := &generated.ArrayOfWSUserUniversalIdentifier{WSUserUniversalIdentifier: make([]*generated.WSUserUniversalIdentifier, 0, len(us))}
	for _, u := range us {
		l.WSUserUniversalIdentifier = append(l.WSUserUniversalIdentifier, toUser(u))
	}
	return l
}
