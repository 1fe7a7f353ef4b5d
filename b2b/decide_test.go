package b2b_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
)

// TestDecide is the retry policy as the README states it, one row per rule. The classes are
// taken by what they permit (Repeatable), and every class of the spec is covered.
func TestDecide(t *testing.T) {
	t.Parallel()
	var repeatable, once []gen.RetryClass
	for _, op := range gen.Operations {
		if op.Retry.Repeatable() {
			repeatable = append(repeatable, op.Retry)
		} else {
			once = append(once, op.Retry)
		}
	}
	if len(repeatable) == 0 || len(once) == 0 {
		t.Fatal("the spec needs both a repeatable and a non-repeatable operation for this table")
	}
	type row struct {
		rule  string
		o     b2b.Outcome
		class []gen.RetryClass
		want  b2b.Decision
	}
	rows := []row{
		{"a success ends the call", b2b.Outcome{Kind: b2b.OutcomeOK, Status: 200}, repeatable, b2b.Decision{}},
		{"a success ends the call", b2b.Outcome{Kind: b2b.OutcomeOK, Status: 200}, once, b2b.Decision{}},
		{"nothing left the machine: every class retries", b2b.Outcome{Kind: b2b.OutcomeNotSent}, repeatable, b2b.Decision{Retry: true}},
		{"nothing left the machine: every class retries", b2b.Outcome{Kind: b2b.OutcomeNotSent}, once, b2b.Decision{Retry: true}},
		{"a certificate that does not verify will not verify later", b2b.Outcome{Kind: b2b.OutcomeNotSent, Permanent: true}, once, b2b.Decision{}},
		{"a certificate that does not verify will not verify later", b2b.Outcome{Kind: b2b.OutcomeNotSent, Permanent: true}, repeatable, b2b.Decision{}},
		{"a lost answer is retried when repeating is harmless", b2b.Outcome{Kind: b2b.OutcomeLost}, repeatable, b2b.Decision{Retry: true}},
		{"a lost answer leaves the b2b.Outcome unknown otherwise", b2b.Outcome{Kind: b2b.OutcomeLost}, once, b2b.Decision{OutcomeUnknown: true}},
		{"a 429 did nothing: every class retries", b2b.Outcome{Kind: b2b.OutcomeStatus, Status: http.StatusTooManyRequests}, once, b2b.Decision{Retry: true}},
		{"a 429 did nothing: every class retries", b2b.Outcome{Kind: b2b.OutcomeStatus, Status: http.StatusTooManyRequests}, repeatable, b2b.Decision{Retry: true}},
		{"a 4xx is final", b2b.Outcome{Kind: b2b.OutcomeStatus, Status: http.StatusNotFound}, repeatable, b2b.Decision{}},
		{"a 4xx is final", b2b.Outcome{Kind: b2b.OutcomeStatus, Status: http.StatusBadRequest}, once, b2b.Decision{}},
		{"a 3xx (a redirect not followed) is final", b2b.Outcome{Kind: b2b.OutcomeStatus, Status: http.StatusTemporaryRedirect}, repeatable, b2b.Decision{}},
		{"a 5xx is retried when repeating is harmless", b2b.Outcome{Kind: b2b.OutcomeStatus, Status: http.StatusInternalServerError}, repeatable, b2b.Decision{Retry: true}},
		{"a 5xx is retried when repeating is harmless", b2b.Outcome{Kind: b2b.OutcomeStatus, Status: http.StatusServiceUnavailable}, repeatable, b2b.Decision{Retry: true}},
		{"a 5xx leaves the b2b.Outcome unknown otherwise", b2b.Outcome{Kind: b2b.OutcomeStatus, Status: http.StatusInternalServerError}, once, b2b.Decision{OutcomeUnknown: true}},
		{"a 5xx leaves the b2b.Outcome unknown otherwise", b2b.Outcome{Kind: b2b.OutcomeStatus, Status: http.StatusBadGateway}, once, b2b.Decision{OutcomeUnknown: true}},
		{"a success body that broke off is retried when repeating is harmless", b2b.Outcome{Kind: b2b.OutcomeBrokenBody, Truncated: true}, repeatable, b2b.Decision{Retry: true}},
		{"a success body that broke off leaves the b2b.Outcome unknown otherwise", b2b.Outcome{Kind: b2b.OutcomeBrokenBody, Truncated: true}, once, b2b.Decision{OutcomeUnknown: true}},
		{"an unusable success body is not asked for again", b2b.Outcome{Kind: b2b.OutcomeBrokenBody}, repeatable, b2b.Decision{}},
		{"an unusable success body leaves the b2b.Outcome unknown otherwise", b2b.Outcome{Kind: b2b.OutcomeBrokenBody}, once, b2b.Decision{OutcomeUnknown: true}},
	}
	for _, r := range rows {
		for _, c := range r.class {
			t.Run(fmt.Sprintf("%s/%s", r.rule, c), func(t *testing.T) {
				assert.Equal(t, r.want, b2b.Decide(c, r.o))
			})
		}
	}
	unknown := gen.RetryClass("unknown-class")
	assert.False(t, b2b.Decide(unknown, b2b.Outcome{Kind: b2b.OutcomeLost}).Retry, "a class the generator does not know is never repeatable")
	assert.False(t, b2b.Decide(unknown, b2b.Outcome{Kind: b2b.OutcomeStatus, Status: 500}).Retry)
}
