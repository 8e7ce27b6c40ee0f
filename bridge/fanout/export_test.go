package fanout

import "time"

// WaitForTest exposes Policy.wait to the external tests.
func WaitForTest(p Policy, attempt int, retryAfter time.Duration) time.Duration {
	return p.wait(attempt, retryAfter)
}
