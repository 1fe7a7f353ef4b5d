package b2b

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// TestDecide is the retry policy as the README states it, one row per rule. The classes are
// taken by what they permit (Repeatable), and every class of the spec is covered.
func TestDecide(t *testing.T) {
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
		o     outcome
		class []gen.RetryClass
		want  decision
	}
	rows := []row{
		{"a success ends the call", outcome{kind: outcomeOK, status: 200}, repeatable, decision{}},
		{"a success ends the call", outcome{kind: outcomeOK, status: 200}, once, decision{}},
		{"nothing left the machine: every class retries", outcome{kind: outcomeNotSent}, repeatable, decision{retry: true}},
		{"nothing left the machine: every class retries", outcome{kind: outcomeNotSent}, once, decision{retry: true}},
		{"a certificate that does not verify will not verify later", outcome{kind: outcomeNotSent, permanent: true}, once, decision{}},
		{"a certificate that does not verify will not verify later", outcome{kind: outcomeNotSent, permanent: true}, repeatable, decision{}},
		{"a lost answer is retried when repeating is harmless", outcome{kind: outcomeLost}, repeatable, decision{retry: true}},
		{"a lost answer leaves the outcome unknown otherwise", outcome{kind: outcomeLost}, once, decision{outcomeUnknown: true}},
		{"a 429 did nothing: every class retries", outcome{kind: outcomeStatus, status: http.StatusTooManyRequests}, once, decision{retry: true}},
		{"a 429 did nothing: every class retries", outcome{kind: outcomeStatus, status: http.StatusTooManyRequests}, repeatable, decision{retry: true}},
		{"a 4xx is final", outcome{kind: outcomeStatus, status: http.StatusNotFound}, repeatable, decision{}},
		{"a 4xx is final", outcome{kind: outcomeStatus, status: http.StatusBadRequest}, once, decision{}},
		{"a 3xx (a redirect not followed) is final", outcome{kind: outcomeStatus, status: http.StatusTemporaryRedirect}, repeatable, decision{}},
		{"a 5xx is retried when repeating is harmless", outcome{kind: outcomeStatus, status: http.StatusInternalServerError}, repeatable, decision{retry: true}},
		{"a 5xx is retried when repeating is harmless", outcome{kind: outcomeStatus, status: http.StatusServiceUnavailable}, repeatable, decision{retry: true}},
		{"a 5xx leaves the outcome unknown otherwise", outcome{kind: outcomeStatus, status: http.StatusInternalServerError}, once, decision{outcomeUnknown: true}},
		{"a 5xx leaves the outcome unknown otherwise", outcome{kind: outcomeStatus, status: http.StatusBadGateway}, once, decision{outcomeUnknown: true}},
		{"a success body that broke off is retried when repeating is harmless", outcome{kind: outcomeBrokenBody, truncated: true}, repeatable, decision{retry: true}},
		{"a success body that broke off leaves the outcome unknown otherwise", outcome{kind: outcomeBrokenBody, truncated: true}, once, decision{outcomeUnknown: true}},
		{"an unusable success body is not asked for again", outcome{kind: outcomeBrokenBody}, repeatable, decision{}},
		{"an unusable success body leaves the outcome unknown otherwise", outcome{kind: outcomeBrokenBody}, once, decision{outcomeUnknown: true}},
	}
	for _, r := range rows {
		for _, c := range r.class {
			t.Run(fmt.Sprintf("%s/%s", r.rule, c), func(t *testing.T) {
				assert.Equal(t, r.want, decide(c, r.o))
			})
		}
	}
	unknown := gen.RetryClass("unknown-class")
	assert.False(t, decide(unknown, outcome{kind: outcomeLost}).retry, "a class the generator does not know is never repeatable")
	assert.False(t, decide(unknown, outcome{kind: outcomeStatus, status: 500}).retry)
}
