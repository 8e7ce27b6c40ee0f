package thereforerest

// Authz is the Authorization header the adapter sends, for the external
// tests (which drive the fake, whose package imports this one).
func (a *Adapter) Authz() string { return a.authz }
