package delivery

import (
	"bytes"
	"testing"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/fanout"
	"github.com/thereforebridge/thereforebridge/generated"
)

func portalChange(t *testing.T, email, pwd string) *Change {
	t.Helper()
	p := &generated.SavePortalUserParams{PortalUser: &generated.WSPortalUser{Email: &email, UserPwd: &pwd, QueryNo: 7}}
	c, err := NewChange("req", "caller", "", fanout.SavePortalUser, p, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEncodeSealsAndRoundTrips: the stored form never holds the password
// in the clear, decodes back to the call, and the same call hashes the
// same although every seal is different; the calls made of the change
// keep the parameters' plain encoding.
func TestEncodeSealsAndRoundTrips(t *testing.T) {
	s, err := newSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{sealer: s}
	a, b := portalChange(t, "p@example.com", "s3cret-pw"), portalChange(t, "p@example.com", "s3cret-pw")
	pa, ha, secret, err := e.encode(a)
	if err != nil {
		t.Fatal(err)
	}
	pb, hb, _, _ := e.encode(b)
	if secret != 1 || bytes.Contains(pa, []byte("s3cret-pw")) || bytes.Equal(pa, pb) {
		t.Fatalf("password not sealed (secret=%d): %s", secret, pa)
	}
	if ha != hb {
		t.Error("the same call hashes differently")
	}
	if _, hc, _, _ := e.encode(portalChange(t, "p@example.com", "other")); hc == ha {
		t.Error("another password hashes the same")
	}
	got, err := e.decode(pa)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || *got.Portal.PortalUser.UserPwd != "s3cret-pw" || got.Portal.PortalUser.QueryNo != 7 {
		t.Errorf("decoded %+v", got.Portal.PortalUser)
	}
	if _, _, _, err := (&Engine{}).encode(b); err == nil {
		t.Error("a password was stored without a key")
	}
	o := oofChange(t, "jdoe", true)
	po, _, secret, err := e.encode(o)
	if err != nil || secret != 0 {
		t.Fatal(err, secret)
	}
	back, err := e.decode(po)
	if err != nil || back.OOF == nil || *back.OOF.IsOutOfOfficeEnabled != true || back.OutOfOffice.User.UserName != "jdoe" {
		t.Fatalf("out of office round trip: %+v %v", back, err)
	}
	// The calls made of a change carry its parameters' plain encoding,
	// whether or not the store's copy is sealed.
	for _, c := range []*Change{a, o} {
		var params any = c.OOF
		if c.Portal != nil {
			params = c.Portal
		}
		want, err := fanout.MarshalJSON(params)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(c.params, want) {
			t.Errorf("%s: params %s\nwant %s", c.Operation, c.params, want)
		}
	}
}
