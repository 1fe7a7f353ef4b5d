package b2btest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/gen"
)

// ControlPath is the root of the fake's control API, for tests that drive the fake over HTTP
// (from another language, or against cmd/stytch-fake). No path of the real API starts with it,
// so a client configured with the fake's URL cannot reach it by mistake. It needs no credentials;
// bodies are JSON; errors are {"error": "..."} with status 400 or 404.
//
//	GET  /_b2btest/emails     {"emails": [Email...]}: the emails sent so far, oldest first
//	GET  /_b2btest/requests   {"requests": [Request...]}: what the fake received, secrets redacted
//	POST /_b2btest/tokens     {"operation": "magicLinksAuthenticate", "organization_id": "...",
//	                          "email_address": "..."} -> {"token": "..."}: as Server.Token
//	POST /_b2btest/scripts    {"operation": "...", "times": 1 (at most 10000), and one of
//	                            "fail": {"status": 503, "error_type": "internal_server_error"},
//	                            "rate_limit": {"retry_after_seconds": 1 (at most a day)},
//	                            "delay_ms": 250 (at most 5 minutes), "mfa_required": true, "drop_connection": true,
//	                            "respond": {"status": 200, "body": {...}}}  -> {"pending": n}
//	POST /_b2btest/reset      forget everything but the seed (WithOrganization, WithMember)
//
// Field names of Email and Request are their Go names in snake case (to, token, url, ...).
const ControlPath = "/_b2btest/"

type controlEmail struct {
	Operation      string `json:"operation"`
	Kind           string `json:"kind"`
	To             string `json:"to"`
	OrganizationID string `json:"organization_id"`
	MemberID       string `json:"member_id"`
	Token          string `json:"token"`
	URL            string `json:"url"`
}

type controlRequest struct {
	Operation  string              `json:"operation"`
	Method     string              `json:"method"`
	Path       string              `json:"path"`
	PathParams map[string]string   `json:"path_params,omitempty"`
	Header     map[string][]string `json:"header"`
	Body       map[string]any      `json:"body"`
	Status     int                 `json:"status"`
}

type controlScript struct {
	Operation string `json:"operation"`
	Times     int    `json:"times"`
	Fail      *struct {
		Status    int    `json:"status"`
		ErrorType string `json:"error_type"`
	} `json:"fail"`
	RateLimit *struct {
		RetryAfterSeconds float64 `json:"retry_after_seconds"`
	} `json:"rate_limit"`
	DelayMS        int64 `json:"delay_ms"`
	MFARequired    bool  `json:"mfa_required"`
	DropConnection bool  `json:"drop_connection"`
	Respond        *struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"respond"`
}

// Bounds of what a control script may ask for, so that no request to a standalone fake can be
// held longer than maxControlDelay and no script can make the fake hold (and, under its lock,
// build) more than maxControlTimes pending answers.
const (
	maxControlDelay      = 5 * time.Minute
	maxControlTimes      = 10000
	maxControlRetryAfter = 24 * time.Hour
)

// serveControl answers the control API. It reports whether the request was for it.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request, cleaned string, body []byte, rec *Request) bool {
	if !strings.HasPrefix(cleaned+"/", ControlPath) {
		return false
	}
	rec.Operation, rec.Status = "", 0
	reply := func(status int, v any) {
		rec.Status = status
		b, _ := json.Marshal(v)
		writeBytes(w, status, b)
	}
	fail := func(status int, format string, args ...any) {
		reply(status, map[string]string{"error": fmt.Sprintf(format, args...)})
	}
	route := r.Method + " " + strings.TrimPrefix(cleaned, strings.TrimSuffix(ControlPath, "/"))
	switch route {
	case "GET /emails":
		out := []controlEmail{}
		for _, e := range s.Emails() {
			out = append(out, controlEmail(e))
		}
		reply(http.StatusOK, map[string]any{"emails": out})
	case "GET /requests":
		out := []controlRequest{}
		for _, q := range s.Requests() {
			out = append(out, controlRequest{Operation: q.Operation, Method: q.Method, Path: q.Path, PathParams: q.PathParams, Header: q.Header, Body: q.Body, Status: q.Status})
		}
		reply(http.StatusOK, map[string]any{"requests": out})
	case "POST /tokens":
		var p struct {
			Operation      string `json:"operation"`
			OrganizationID string `json:"organization_id"`
			EmailAddress   string `json:"email_address"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			fail(http.StatusBadRequest, "body: %v", err)
			return true
		}
		op, ok := OperationByID(p.Operation)
		if _, consumes := tokenRules[p.Operation]; !ok || !consumes {
			fail(http.StatusBadRequest, "operation %q does not consume a token", p.Operation)
			return true
		}
		if p.EmailAddress == "" {
			fail(http.StatusBadRequest, "email_address is required")
			return true
		}
		reply(http.StatusOK, map[string]string{"token": s.Token(op, p.OrganizationID, p.EmailAddress)})
	case "POST /scripts":
		var p controlScript
		if err := json.Unmarshal(body, &p); err != nil {
			fail(http.StatusBadRequest, "body: %v", err)
			return true
		}
		if err := s.applyScript(p); err != nil {
			fail(http.StatusBadRequest, "%v", err)
			return true
		}
		op, _ := OperationByID(p.Operation)
		reply(http.StatusOK, map[string]int{"pending": s.Pending(op)})
	case "POST /reset":
		s.Reset()
		reply(http.StatusOK, map[string]bool{"reset": true})
	default:
		fail(http.StatusNotFound, "no control route %s; see b2btest.ControlPath", route)
	}
	return true
}

// applyScript scripts what a control request asks for, turning the script methods' panics into
// errors.
func (s *Server) applyScript(p controlScript) (err error) {
	op, ok := OperationByID(p.Operation)
	if !ok {
		return fmt.Errorf("operation %q is not in the spec", p.Operation)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	if p.Times > maxControlTimes {
		return fmt.Errorf("times %d is more than the %d a control script may ask for", p.Times, maxControlTimes)
	}
	sc := s.On(op)
	if p.Times > 1 {
		sc = sc.Times(p.Times)
	}
	n := 0
	for _, set := range []bool{p.Fail != nil, p.RateLimit != nil, p.DelayMS > 0, p.MFARequired, p.DropConnection, p.Respond != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("give exactly one of fail, rate_limit, delay_ms, mfa_required, drop_connection, respond (got %d)", n)
	}
	switch {
	case p.Fail != nil:
		sc.Fail(p.Fail.Status, gen.ErrorType(p.Fail.ErrorType))
	case p.RateLimit != nil:
		secs := p.RateLimit.RetryAfterSeconds
		if !(secs >= 0 && secs <= maxControlRetryAfter.Seconds()) { // also refuses NaN
			return fmt.Errorf("retry_after_seconds %v is outside 0 to %v", secs, maxControlRetryAfter.Seconds())
		}
		sc.RateLimit(time.Duration(secs * float64(time.Second)))
	case p.DelayMS > 0:
		// Compared before converting: a huge delay_ms would overflow into a short (or negative)
		// duration.
		if p.DelayMS > maxControlDelay.Milliseconds() {
			return fmt.Errorf("delay_ms %d is longer than the %v a control script may hold a request", p.DelayMS, maxControlDelay)
		}
		sc.Delay(time.Duration(p.DelayMS) * time.Millisecond)
	case p.MFARequired:
		sc.MFARequired()
	case p.DropConnection:
		sc.DropConnection()
	case p.Respond != nil:
		body := p.Respond.Body
		if len(body) == 0 {
			body = json.RawMessage("{}")
		}
		sc.RespondJSON(p.Respond.Status, body)
	}
	return nil
}

// Reset makes the server forget everything that happened since it started: members and
// organizations go back to those of WithOrganization and WithMember, and tokens, sessions,
// emails, recorded requests and scripts are gone. The signing key stays.
func (s *Server) Reset() {
	st := newStore(s.now, s.cfg.strict)
	for _, org := range s.cfg.orgs {
		_ = st.addOrganization(org)
	}
	for _, m := range s.cfg.members {
		_ = st.addMember(m)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
	s.emails = nil
	s.requests = nil
	s.scripts = map[string][]*outcome{}
}
