package b2btest

// Hooks for the package's own tests.

// WithoutBehavior makes the server answer the operation from the spec alone, as it answers an
// operation it has no behavior for.
func WithoutBehavior(opID string) Option {
	return func(c *config) {
		if c.noBehavior == nil {
			c.noBehavior = map[string]bool{}
		}
		c.noBehavior[opID] = true
	}
}

// WithLegacyEncoding makes the server encode answers as it did before they were encoded once,
// outside the lock: the baseline of BenchmarkFakeThroughput.
func WithLegacyEncoding() Option { return func(c *config) { c.legacy = true } }

// StatefulOperations lists the operationIds with stateful behavior.
func StatefulOperations() []string { return statefulOperations() }

// WithUnsignedJWTs puts random bytes where session JWT signatures go, as the fake did before it
// signed them: the benchmark uses it to measure the rest of the fake.
func WithUnsignedJWTs() Option { return func(c *config) { c.unsigned = true } }
