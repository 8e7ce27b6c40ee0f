package lineworks

// Names the external tests use (they drive the fake, whose package imports
// this one, so they cannot be in it).
type Claims = claims

var (
	ParsePrivateKey = parsePrivateKey
	SignJWT         = signJWT
)

const MaxStatusMessage = maxStatusMessage
