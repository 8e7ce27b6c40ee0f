// Package resilience holds the tests that prove durable, ordered
// delivery the way an operator would see it: the built thereforebridge
// binary, its vendors served from outside its process, outages, SIGKILLs,
// replicas on one Postgres and a store that cannot commit, checked against
// what each vendor finally holds. The package has no code of its own.
package resilience
