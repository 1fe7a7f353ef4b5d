package testkit

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// Request is one request a Server received.
type Request struct {
	N           int    // its number, from 1
	Method      string // as sent
	Path        string // r.URL.Path: unescaped
	RawPath     string // r.URL.RawPath: set when the escaped form is not the default one
	EscapedPath string // r.URL.EscapedPath(): the path as it was on the wire
	Header      http.Header
	Body        []byte
}

// Handler answers request number n (from 1) of a Server. r.Body can still be read.
type Handler func(n int, w http.ResponseWriter, r *http.Request)

// Server is an httptest server that records every request it receives and answers it with its
// Handler. It is closed when the test that made it ends.
type Server struct {
	*httptest.Server

	mu   sync.Mutex
	reqs []Request
}

// NewServer starts a recording server on loopback that answers with h.
func NewServer(t testing.TB, h Handler) *Server {
	t.Helper()
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.reqs) + 1
		s.reqs = append(s.reqs, Request{
			N: n, Method: r.Method, Path: r.URL.Path, RawPath: r.URL.RawPath, EscapedPath: r.URL.EscapedPath(),
			Header: r.Header.Clone(), Body: body,
		})
		s.mu.Unlock()
		if err != nil {
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// Requests returns a copy of the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// Count returns how many requests were received so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// HeaderRequestID is the X-Request-Id header OK and Reply answer with.
const HeaderRequestID = "request-id-test-header"

// Reply answers every request with status and body, with the given Content-Type (none when
// empty) and X-Request-Id HeaderRequestID.
func Reply(status int, contentType string, body []byte) Handler {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Header().Set("X-Request-Id", HeaderRequestID)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// OK answers every request with a 200 JSON body.
func OK(body []byte) Handler { return Reply(http.StatusOK, "application/json", body) }

// ErrorRequestID is the request_id of the body Error writes for status.
func ErrorRequestID(status int) string { return "request-id-test-" + strconv.Itoa(status) }

// Error writes a Stytch error object with status, errorType and message; its request_id is
// ErrorRequestID(status) and its error_url a documentation link.
func Error(w http.ResponseWriter, status int, errorType, message string) {
	body, _ := json.Marshal(map[string]any{
		"status_code":   status,
		"request_id":    ErrorRequestID(status),
		"error_type":    errorType,
		"error_message": message,
		"error_url":     "https://stytch.com/docs/api/errors/" + strconv.Itoa(status),
	})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Unreachable fails the test for any request: for calls that must send nothing.
func Unreachable(t testing.TB) Handler {
	return func(_ int, w http.ResponseWriter, r *http.Request) {
		t.Errorf("testkit: unexpected request %s %s", r.Method, r.URL.EscapedPath())
		w.WriteHeader(http.StatusTeapot)
	}
}
