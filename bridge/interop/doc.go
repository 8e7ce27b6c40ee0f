// Package interop holds the real-client tests: third-party SOAP stacks
// (scripts under testdata/interop/) load ?wsdl from a running bridge on its
// embedded default, call both operations, compare what the bridge decoded,
// and check that a bad call surfaces as their own fault type.
package interop
