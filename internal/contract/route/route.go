// Package route finds the operation of an OpenAPI document that an HTTP method and an escaped URL
// path name. It is the repository's one router: internal/contract validates the requests it
// matches, b2btest's fake server dispatches on it, and b2b/drift uses it to know which operation an
// answer belongs to. It depends on kin-openapi's document model only, so the drift detector, which
// users link into their programs, does not pull in the request validator.
//
// Matching looks at the method and the path, never at the scheme or host. A caller says how much of
// the path the operation's template must explain:
//
//   - Exact: the whole path, as a server sees it (b2btest).
//   - Prefix: the path starts with a known base path, such as "/prefix" for a client configured
//     with http://127.0.0.1:8080/prefix, and the template explains the rest.
//   - AnyPrefix: the template explains the end of the path, whatever comes before it (the drift
//     detector, which sees URLs of Stytch or of a proxy that adds a prefix). The shortest prefix
//     that leaves a match wins.
//
// A path parameter is exactly one non-empty segment; its value is returned unescaped (and as sent).
// Where two templates of the same method could match, the one with a literal segment at the first
// position where they differ wins ("/a/b/{x}" beats "/a/{y}/c" for "/a/b/c"). A path with an empty
// segment ("//", or a trailing slash), a dot segment ("." or "..", also percent-encoded) or a
// malformed escape matches nothing: such a path means something else once normalised, and the
// caller decides whether to clean it first.
package route

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// ErrNoRoute is returned when no operation matches a method and path.
var ErrNoRoute = errors.New("no operation of the spec matches this method and path")

// Entry is one operation of the document: a method on a path template.
type Entry struct {
	Method    string // upper case, as in the document ("GET")
	Template  string // the path template as written in the document, e.g. "/v1/things/{thing_id}"
	Operation *openapi3.Operation
	PathItem  *openapi3.PathItem

	segs []segment
}

// OperationID returns the operation's operationId.
func (e *Entry) OperationID() string { return e.Operation.OperationID }

// ParamNames returns the names of the template's path parameters, in the order they appear.
func (e *Entry) ParamNames() []string {
	var out []string
	for _, s := range e.segs {
		if s.param != "" {
			out = append(out, s.param)
		}
	}
	return out
}

// segment is one segment of a template: a literal, or a parameter when param is set.
type segment struct {
	lit   string
	param string
}

// Match is the result of a successful Find.
type Match struct {
	*Entry
	// Prefix is the escaped part of the path before the template's first segment: "" for Exact,
	// the given prefix (as sent) for Prefix, what was skipped for AnyPrefix.
	Prefix string
	// PathParams holds the template's parameters, unescaped ("a%2Fb" gives "a/b").
	PathParams map[string]string
	// RawPathParams holds the same parameters as they appear in the path, still escaped.
	RawPathParams map[string]string
}

// Mode says how much of a path a template must explain. Build one with Exact, Prefix or AnyPrefix;
// the zero value is Exact.
type Mode struct {
	prefix   []string // unescaped segments the path must start with
	anywhere bool
}

// Exact matches the whole path against the templates.
func Exact() Mode { return Mode{} }

// Prefix matches paths that start with the escaped base path p ("/prefix" or "/prefix/"), segment
// by segment, and whose remaining segments match a template. "" and "/" are Exact. Segments are
// compared after unescaping, so "/a%7Eb" and "/a~b" are the same prefix. A prefix with an empty or
// a dot segment matches no path.
func Prefix(p string) Mode {
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return Mode{}
	}
	p = strings.TrimPrefix(p, "/")
	var segs []string
	for _, raw := range strings.Split(p, "/") {
		v, err := url.PathUnescape(raw)
		if err != nil || raw == "" || v == "." || v == ".." {
			return Mode{prefix: []string{"\x00invalid"}} // no valid path segment equals this
		}
		segs = append(segs, v)
	}
	return Mode{prefix: segs}
}

// AnyPrefix matches paths whose last segments match a template, whatever segments come before.
// When several templates match different numbers of final segments, the one that explains the
// most of the path (the shortest skipped prefix) wins.
func AnyPrefix() Mode { return Mode{anywhere: true} }

// String describes the mode, for error messages.
func (m Mode) String() string {
	switch {
	case m.anywhere:
		return "any prefix"
	case len(m.prefix) == 0:
		return "exact"
	default:
		return "under /" + strings.Join(m.prefix, "/")
	}
}

// Table is the set of operations of one document, ready for matching. It is safe for concurrent
// use; it does not modify the document.
type Table struct {
	doc      *openapi3.T
	entries  []*Entry // in precedence order, see less
	byMethod map[string][]*Entry
	byID     map[string]*Entry
}

// New builds the table of doc's operations. It fails on a template it cannot match reliably: a
// segment mixing literal text and a parameter, an empty segment, a repeated parameter name, or two
// templates of the same method that differ only in parameter names.
func New(doc *openapi3.T) (*Table, error) {
	if doc == nil || doc.Paths == nil {
		return nil, errors.New("route: document has no paths")
	}
	t := &Table{doc: doc, byMethod: map[string][]*Entry{}, byID: map[string]*Entry{}}
	for _, tmpl := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(tmpl)
		segs, err := parseTemplate(tmpl)
		if err != nil {
			return nil, err
		}
		methods := item.Operations()
		names := make([]string, 0, len(methods))
		for m := range methods {
			names = append(names, m)
		}
		slices.Sort(names)
		for _, m := range names {
			e := &Entry{Method: strings.ToUpper(m), Template: tmpl, Operation: methods[m], PathItem: item, segs: segs}
			if id := e.Operation.OperationID; id != "" {
				if prev, ok := t.byID[id]; ok {
					return nil, fmt.Errorf("route: operationId %q is used by %s %s and %s %s", id, prev.Method, prev.Template, e.Method, e.Template)
				}
				t.byID[id] = e
			}
			t.entries = append(t.entries, e)
		}
	}
	slices.SortStableFunc(t.entries, compare)
	for i, e := range t.entries {
		if i > 0 {
			if p := t.entries[i-1]; p.Method == e.Method && sameShape(p.segs, e.segs) {
				return nil, fmt.Errorf("route: %s %s and %s %s match the same paths", p.Method, p.Template, e.Method, e.Template)
			}
		}
		t.byMethod[e.Method] = append(t.byMethod[e.Method], e)
	}
	return t, nil
}

func parseTemplate(tmpl string) ([]segment, error) {
	if !strings.HasPrefix(tmpl, "/") {
		return nil, fmt.Errorf("route: path template %q does not start with /", tmpl)
	}
	if tmpl == "/" {
		return nil, nil
	}
	var segs []segment
	seen := map[string]bool{}
	for _, s := range strings.Split(tmpl[1:], "/") {
		switch {
		case s == "":
			return nil, fmt.Errorf("route: path template %q has an empty segment", tmpl)
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && !strings.ContainsAny(s[1:len(s)-1], "{}"):
			name := s[1 : len(s)-1]
			if name == "" || seen[name] {
				return nil, fmt.Errorf("route: path template %q has an empty or repeated parameter name", tmpl)
			}
			seen[name] = true
			segs = append(segs, segment{param: name})
		case strings.ContainsAny(s, "{}"):
			return nil, fmt.Errorf("route: path template %q: segment %q mixes literal text and a parameter", tmpl, s)
		case s == "." || s == "..":
			return nil, fmt.Errorf("route: path template %q has a dot segment", tmpl)
		default:
			segs = append(segs, segment{lit: s})
		}
	}
	return segs, nil
}

// compare orders entries by method, then by length, then segment by segment with a literal
// before a parameter: the first entry of a method and length that matches a path is the one with
// a literal at the first position where matching templates differ.
func compare(a, b *Entry) int {
	if c := strings.Compare(a.Method, b.Method); c != 0 {
		return c
	}
	if c := len(a.segs) - len(b.segs); c != 0 {
		return c
	}
	for i := range a.segs {
		ap, bp := a.segs[i].param != "", b.segs[i].param != ""
		switch {
		case !ap && bp:
			return -1
		case ap && !bp:
			return 1
		case !ap && !bp:
			if c := strings.Compare(a.segs[i].lit, b.segs[i].lit); c != 0 {
				return c
			}
		}
	}
	return 0
}

func sameShape(a, b []segment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if (a[i].param != "") != (b[i].param != "") || a[i].lit != b[i].lit {
			return false
		}
	}
	return true
}

// Doc returns the document the table was built from. Treat it as read-only.
func (t *Table) Doc() *openapi3.T { return t.doc }

// Entries returns every operation of the document, ordered by method, then template.
func (t *Table) Entries() []*Entry {
	out := slices.Clone(t.entries)
	slices.SortFunc(out, func(a, b *Entry) int {
		if c := strings.Compare(a.Method, b.Method); c != 0 {
			return c
		}
		return strings.Compare(a.Template, b.Template)
	})
	return out
}

// ByID returns the operation with the given operationId.
func (t *Table) ByID(operationID string) (*Entry, bool) {
	e, ok := t.byID[operationID]
	return e, ok
}

// Find returns the operation that method and escapedPath (a URL's EscapedPath, starting with "/")
// name, with the path matched as m says. The error wraps ErrNoRoute and says why.
func (t *Table) Find(method, escapedPath string, m Mode) (*Match, error) {
	if escapedPath == "" {
		escapedPath = "/"
	}
	fail := func(why string) (*Match, error) {
		return nil, fmt.Errorf("%w: %s %s (%s)", ErrNoRoute, method, escapedPath, why)
	}
	if !strings.HasPrefix(escapedPath, "/") {
		return fail("the path does not start with /")
	}
	var raw []string
	if escapedPath != "/" {
		raw = strings.Split(escapedPath[1:], "/")
	}
	vals := make([]string, len(raw))
	for i, s := range raw {
		v, err := url.PathUnescape(s)
		switch {
		case s == "":
			return fail("empty path segment")
		case err != nil:
			return fail("malformed escape in a path segment")
		case v == "." || v == "..":
			return fail("dot segment")
		}
		vals[i] = v
	}
	cands := t.byMethod[method]
	if len(cands) == 0 {
		return fail("no operation has this method")
	}
	start, end := 0, 0 // the range of offsets at which a template may begin
	switch {
	case m.anywhere:
		end = len(raw)
	case len(m.prefix) > 0:
		if len(vals) < len(m.prefix) || !slices.Equal(vals[:len(m.prefix)], m.prefix) {
			return fail("the path is not under the prefix /" + strings.Join(m.prefix, "/"))
		}
		start, end = len(m.prefix), len(m.prefix)
	}
	for off := start; off <= end; off++ {
		if e := first(cands, vals[off:]); e != nil {
			return newMatch(e, raw, vals, off), nil
		}
	}
	return fail(m.String() + " match")
}

// first returns the first entry of cands (in precedence order) whose template matches vals.
func first(cands []*Entry, vals []string) *Entry {
	for _, e := range cands {
		if len(e.segs) != len(vals) {
			continue
		}
		ok := true
		for i, s := range e.segs {
			if s.param == "" && s.lit != vals[i] {
				ok = false
				break
			}
		}
		if ok {
			return e
		}
	}
	return nil
}

func newMatch(e *Entry, raw, vals []string, off int) *Match {
	m := &Match{Entry: e, PathParams: map[string]string{}, RawPathParams: map[string]string{}}
	if off > 0 {
		m.Prefix = "/" + strings.Join(raw[:off], "/")
	}
	for i, s := range e.segs {
		if s.param != "" {
			m.PathParams[s.param] = vals[off+i]
			m.RawPathParams[s.param] = raw[off+i]
		}
	}
	return m
}
