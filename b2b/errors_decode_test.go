package b2b_test

// Decoding of error answers and of broken success answers, for every operation: the caller gets a
// typed error and never a response with it.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

// facadeStytchError is a complete Stytch error body.
const facadeStytchError = `{
  "status_code": 404,
  "request_id": "request-id-test-0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
  "error_type": "member_not_found",
  "error_message": "Member could not be found.\nCheck the member_id.",
  "error_url": "https://stytch.com/docs/api/errors/404#member_not_found",
  "error_details": {"member_id": "member-test-00000000-0000-0000-0000-000000000000", "hint": null}
}`

func TestFacadeStytchErrorIsDecoded(t *testing.T) {
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			srv := newFacadeServer(t, facadeReply(http.StatusNotFound, "application/json", []byte(facadeStytchError)))
			client := newFacadeClient(t, srv.URL, b2b.WithMaxRetries(0))

			resp, err := facadeRow(t, c.Op.ID).call(context.Background(), client, c.Full)
			require.Error(t, err)
			assert.Nil(t, resp, "no response together with an error")
			assert.Equal(t, 1, srv.Count())

			var e *b2b.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, http.StatusNotFound, e.StatusCode)
			assert.Equal(t, "request-id-test-0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", e.RequestID, "the body's request ID wins over the header's")
			assert.Equal(t, b2b.ErrorTypeMemberNotFound, e.ErrorType)
			assert.Equal(t, "Member could not be found.\nCheck the member_id.", e.ErrorMessage)
			assert.Equal(t, "https://stytch.com/docs/api/errors/404#member_not_found", e.ErrorURL)
			assert.Equal(t, map[string]any{"member_id": "member-test-00000000-0000-0000-0000-000000000000", "hint": nil}, e.ErrorDetails)
			assert.Equal(t, c.Op.ID, e.Operation)
			assert.Equal(t, 1, e.Attempts)

			msg := err.Error()
			assert.NotContains(t, msg, "\n", "Error() is one line")
			for _, part := range []string{"404", "member_not_found", "Member could not be found.", "Check the member_id.", e.RequestID} {
				assert.Contains(t, msg, part)
			}
			// Nothing that was sent appears in the message: not the credentials, not a secret of the
			// params.
			assert.NotContains(t, msg, facadeSecret)
			for _, secret := range fixtures.Secrets(c) {
				assert.NotContains(t, msg, secret)
			}
		})
	}
}

func TestFacadeNonStytchErrorBodies(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
	}{
		{"HTML 502 from a proxy", http.StatusBadGateway, "text/html; charset=utf-8",
			"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"},
		{"empty 500", http.StatusInternalServerError, "", ""},
		{"empty 503 with a JSON content type", http.StatusServiceUnavailable, "application/json", ""},
		{"plain-text 401", http.StatusUnauthorized, "text/plain", "unauthorized\n"},
		{"JSON that is not an object", http.StatusBadRequest, "application/json", `["not", "an", "error"]`},
		{"truncated Stytch error", http.StatusBadRequest, "application/json", facadeStytchError[:60]},
	}
	for _, tt := range tests {
		for _, c := range fixtures.Cases() {
			t.Run(tt.name+"/"+c.Op.ID, func(t *testing.T) {
				srv := newFacadeServer(t, facadeReply(tt.status, tt.contentType, []byte(tt.body)))
				// The GET is retried on 5xx; with retries off every operation is sent once.
				client := newFacadeClient(t, srv.URL, b2b.WithMaxRetries(0))

				resp, err := facadeRow(t, c.Op.ID).call(context.Background(), client, c.Minimal)
				require.Error(t, err)
				assert.Nil(t, resp, "no response together with an error")
				assert.Equal(t, 1, srv.Count())

				var e *b2b.Error
				require.ErrorAs(t, err, &e, "every non-2xx answer is a *b2b.Error")
				assert.Equal(t, tt.status, e.StatusCode)
				assert.Equal(t, "request-id-test-header", e.RequestID, "the X-Request-Id header fills in for the body")
				assert.Empty(t, e.ErrorType)
				assert.NotEmpty(t, e.ErrorMessage, "the message says what the body was")
				msg := err.Error()
				assert.NotContains(t, msg, "\n")
				assert.Contains(t, msg, strconv.Itoa(tt.status))
				assert.Contains(t, msg, "request-id-test-header")
				assert.NotContains(t, msg, "<html>", "an HTML page is not copied into the message")
			})
		}
	}
}

func TestFacadeBrokenSuccessBodies(t *testing.T) {
	tests := []struct {
		name string
		body func(c fixtures.Case) []byte
	}{
		{"truncated", func(c fixtures.Case) []byte { return c.Response[:len(c.Response)/2] }},
		{"wrong field type", func(fixtures.Case) []byte {
			return []byte(`{"request_id": 42, "status_code": "200"}`)
		}},
		{"empty", func(fixtures.Case) []byte { return nil }},
		{"not JSON", func(fixtures.Case) []byte { return []byte("<html>OK</html>") }},
	}
	for _, tt := range tests {
		for _, c := range fixtures.Cases() {
			t.Run(tt.name+"/"+c.Op.ID, func(t *testing.T) {
				srv := newFacadeServer(t, facadeOK(tt.body(c)))
				// The answer breaks the spec on purpose: record the contract's complaints instead of
				// failing, and check them below.
				rec := &facadeRecordingTB{TB: t}
				client := newFacadeClientTB(t, rec, srv.URL, b2b.WithMaxRetries(0))

				resp, err := facadeRow(t, c.Op.ID).call(context.Background(), client, c.Full)
				require.Error(t, err)
				assert.Nil(t, resp, "no partial response")
				assert.Equal(t, 1, srv.Count(), "a success answer is not retried")

				var de *b2b.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, http.StatusOK, de.StatusCode)
				assert.Equal(t, c.Op.ID, de.Operation)
				var e *b2b.Error
				assert.False(t, errors.As(err, &e), "a 2xx answer is not an API error")

				msg := err.Error()
				assert.NotContains(t, msg, "\n")
				for _, secret := range fixtures.Secrets(c) {
					assert.NotContains(t, msg, secret)
				}

				complaints := rec.Errors()
				for _, m := range complaints {
					assert.NotContains(t, m, "contract: request", "the request itself must be valid")
				}
				assert.NotEmpty(t, complaints, "the contract layer must flag the broken answer")
			})
		}
	}
}

// Unknown fields in a success answer are ignored, so an API addition never breaks a call.
func TestFacadeUnknownResponseFieldsAreIgnored(t *testing.T) {
	for _, c := range fixtures.Cases() {
		t.Run(c.Op.ID, func(t *testing.T) {
			var body map[string]any
			require.NoError(t, json.Unmarshal(c.Response, &body))
			body["field_added_next_year"] = map[string]any{"nested": []any{1, "two"}}
			raw, err := json.Marshal(body)
			require.NoError(t, err)

			srv := newFacadeServer(t, facadeOK(raw))
			resp, err := facadeRow(t, c.Op.ID).call(context.Background(), newFacadeClient(t, srv.URL), c.Minimal)
			require.NoError(t, err)
			require.NotNil(t, resp)
			again, err := json.Marshal(resp)
			require.NoError(t, err)
			assert.JSONEq(t, string(c.Response), string(again))
		})
	}
}
