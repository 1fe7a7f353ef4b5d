// Package testkit is the one way the repository's tests drive the SDK: it calls any operation of
// the facade with a fixture, checks the traffic against the spec with the shared validator, and
// records what a test server received.
//
//   - Dispatch: Methods finds every operation method of *b2b.Client and its sub-clients by
//     reflection (a method whose second parameter is an operation's params type), keyed by the
//     operation's ID, so a facade method added for a new operation is found without a list to
//     edit. Invoke, Call and Do call one; HeaderOptionsFor turns a fixture's header parameters
//     into the per-call options that send them. An operation without a facade method (the usual
//     state right after adding one to the spec) fails the test that asked for it, through its t or
//     the error Invoke, Call and Do return, and not the whole test binary.
//   - Validation: NewClient returns a client whose requests and success answers are checked
//     against the spec by contract.MustShared(), the one host-agnostic validator (matched on the
//     path under the client's base URL, never on the host). NewFaultClient checks requests only,
//     for tests that answer with broken bodies on purpose; NewLenientClient records violations
//     instead of failing. Checked is the same check as an option, for a client built elsewhere
//     (the b2btest fake's own Server.Client).
//   - Recording: NewServer starts an httptest server that records every request (method, path as
//     sent and unescaped, headers, body) and answers with a Handler; OK, Reply, Error and
//     Unreachable are the common handlers.
//
// Every helper is safe for parallel tests: nothing is shared between tests but the validator,
// which is read-only.
//
// A typical test:
//
//	for _, c := range fixtures.Select(func(op gen.Operation) bool { return op.Retry.Repeatable() }) {
//		srv := testkit.NewServer(t, testkit.OK(c.Response))
//		resp, err := testkit.Do(t.Context(), testkit.NewClient(t, srv.URL), c, fixtures.Full)
//		...
//	}
package testkit

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
)

// Method is one operation method of the facade.
type Method struct {
	// Op is the operation the method sends.
	Op gen.Operation
	// Name is how a caller reaches the method from a *b2b.Client, such as
	// "MagicLinks.Email.Invite".
	Name string
	// Params is the type of the method's params, such as *gen.MagicLinksEmailInviteRequest
	// (b2b.MagicLinksEmailInviteParams is an alias of it).
	Params reflect.Type
	// Response is the type of the method's first result, such as
	// *gen.MagicLinksEmailInviteResponse.
	Response reflect.Type

	fields []int // the exported sub-client fields leading from *b2b.Client to the method's receiver
	index  int   // the method's index in its receiver's method set
}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
	optionsType = reflect.TypeFor[[]b2b.CallOption]()
	opType      = reflect.TypeFor[interface{ Operation() gen.Operation }]()
)

// methods is computed once: the facade's types do not change while a test binary runs.
var methods = sync.OnceValues(func() (map[string]Method, error) {
	out := map[string]Method{}
	var walk func(t reflect.Type, path []int, name string) error
	walk = func(t reflect.Type, path []int, name string) error {
		for i := range t.NumMethod() {
			m := t.Method(i)
			ft := m.Type // with the receiver as In(0)
			if ft.NumIn() != 4 || !ft.IsVariadic() || ft.In(1) != contextType || ft.In(3) != optionsType ||
				ft.NumOut() != 2 || ft.Out(1) != errorType || ft.Out(0).Kind() != reflect.Pointer ||
				ft.In(2).Kind() != reflect.Pointer || !ft.In(2).Implements(opType) {
				continue
			}
			op := reflect.New(ft.In(2).Elem()).Interface().(interface{ Operation() gen.Operation }).Operation()
			full := strings.TrimPrefix(name+"."+m.Name, ".")
			if prev, dup := out[op.ID]; dup {
				return fmt.Errorf("testkit: both %s and %s send %s", prev.Name, full, op.ID)
			}
			out[op.ID] = Method{Op: op, Name: full, Params: ft.In(2), Response: ft.Out(0), fields: slices.Clone(path), index: i}
		}
		e := t.Elem()
		for i := range e.NumField() {
			f := e.Field(i)
			if f.IsExported() && f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
				if err := walk(f.Type, append(slices.Clip(path), i), strings.TrimPrefix(name+"."+f.Name, ".")); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(reflect.TypeFor[*b2b.Client](), nil, ""); err != nil {
		return nil, err
	}
	return out, nil
})

// Methods returns every operation method of *b2b.Client and its exported sub-clients, by the ID
// of the operation it sends. It fails when two methods send the same operation.
func Methods() (map[string]Method, error) {
	m, err := methods()
	if err != nil {
		return nil, err
	}
	return maps.Clone(m), nil
}

// NoMethodError says that no method of the facade sends an operation.
type NoMethodError struct {
	// Op is the operation without a method.
	Op gen.Operation
}

func (e *NoMethodError) Error() string {
	return fmt.Sprintf("testkit: no method of *b2b.Client or of its sub-clients takes %T: add the facade method of %s (%s %s)",
		e.Op.NewParams(), e.Op.ID, e.Op.Method, e.Op.Path)
}

// FindMethod returns the facade method of op, or a *NoMethodError naming what to add when the
// facade has none.
func FindMethod(op gen.Operation) (Method, error) {
	m, err := methods()
	if err != nil {
		return Method{}, err
	}
	meth, ok := m[op.ID]
	if !ok {
		return Method{}, &NoMethodError{Op: op}
	}
	return meth, nil
}

// MethodFor returns the facade method of op, and fails the test through t, naming what to add,
// when the facade has none.
func MethodFor(t testing.TB, op gen.Operation) Method {
	t.Helper()
	m, err := FindMethod(op)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// MethodOf is FindMethod for code without a testing.TB: it panics with FindMethod's error, which
// aborts the whole test binary. Tests call MethodFor.
func MethodOf(op gen.Operation) Method {
	m, err := FindMethod(op)
	if err != nil {
		panic(err.Error())
	}
	return m
}

// bind returns the method of c, following the sub-client fields.
func (m Method) bind(c *b2b.Client) (reflect.Value, error) {
	v := reflect.ValueOf(c)
	for _, i := range m.fields {
		v = v.Elem().Field(i)
		if v.IsNil() {
			return reflect.Value{}, fmt.Errorf("testkit: the client's sub-client on the way to %s is nil", m.Name)
		}
	}
	return v.Method(m.index), nil
}

// Invoke calls the facade method of op on c. params must be of the method's params type, or nil,
// which is passed as a nil pointer of that type, as a caller passing nil would. The response is
// the method's typed pointer (such as *gen.RecoveryCodesGetResponse), or nil when the method
// returned a nil pointer. When the facade has no method for op (a *NoMethodError) or params has
// another type, Invoke sends nothing and returns the error, so that only the calling test fails.
func Invoke(ctx context.Context, c *b2b.Client, op gen.Operation, params any, opts ...b2b.CallOption) (any, error) {
	m, err := FindMethod(op)
	if err != nil {
		return nil, err
	}
	p := reflect.Zero(m.Params)
	if params != nil {
		p = reflect.ValueOf(params)
		if p.Type() != m.Params {
			return nil, fmt.Errorf("testkit: %s takes %v, not %T", m.Name, m.Params, params)
		}
	}
	fn, err := m.bind(c)
	if err != nil {
		return nil, err
	}
	ctxV := reflect.Zero(contextType)
	if ctx != nil {
		ctxV = reflect.ValueOf(ctx)
	}
	args := []reflect.Value{ctxV, p}
	for _, o := range opts {
		args = append(args, reflect.ValueOf(o))
	}
	out := fn.Call(args)
	callErr, _ := out[1].Interface().(error)
	if out[0].IsNil() {
		return nil, callErr
	}
	return out[0].Interface(), callErr
}

// Call is Invoke for the operation params belong to (params must have an Operation method, as
// every generated params type has; otherwise Call returns an error and sends nothing).
func Call(ctx context.Context, c *b2b.Client, params any, opts ...b2b.CallOption) (any, error) {
	withOp, ok := params.(interface{ Operation() gen.Operation })
	if !ok {
		return nil, fmt.Errorf("testkit: %T is not a params type: it has no Operation method", params)
	}
	return Invoke(ctx, c, withOp.Operation(), params, opts...)
}

// Do calls the operation of a fixture case with its params of the given kind, setting every header
// parameter of the case (c.Header) through its per-call option, followed by opts. It returns
// Invoke's errors, and the error of a header the facade has no option for, without sending
// anything.
func Do(ctx context.Context, client *b2b.Client, c fixtures.Case, kind fixtures.Kind, opts ...b2b.CallOption) (any, error) {
	headers, err := headerOptionsOf(c.Header)
	if err != nil {
		return nil, err
	}
	return Invoke(ctx, client, c.Op, c.Params(kind), append(headers, opts...)...)
}

// headerOptions maps the header parameters of the spec to the facade's per-call option that sends
// each. An operation the spec gives one of these headers takes the option with no other change.
// A header parameter not listed here needs a facade option first; TestHeaderOptionsCoverTheSpec
// names it.
var headerOptions = map[string]func(string) b2b.CallOption{
	"X-Stytch-Member-Session":    b2b.WithMemberSession,
	"X-Stytch-Member-SessionJWT": b2b.WithMemberSessionJWT,
}

// HeaderOption returns the per-call option that sends value as the header parameter name, and
// false when the facade has no option for that header.
func HeaderOption(name, value string) (b2b.CallOption, bool) {
	for n, f := range headerOptions {
		if strings.EqualFold(n, name) {
			return f(value), true
		}
	}
	return b2b.CallOption{}, false
}

// headerOptionsOf returns the per-call options that send the header parameters of h, in name
// order, or an error naming the first header the facade has no option for.
func headerOptionsOf(h map[string]string) ([]b2b.CallOption, error) {
	var out []b2b.CallOption
	for _, name := range slices.Sorted(maps.Keys(h)) {
		o, ok := HeaderOption(name, h[name])
		if !ok {
			return nil, fmt.Errorf("testkit: the facade has no per-call option for the header parameter %s: add one to package b2b and to headerOptions in internal/testkit/dispatch.go", name)
		}
		out = append(out, o)
	}
	return out, nil
}

// HeaderOptionsFor returns the per-call options that send the header parameters of h (a fixture
// case's Header), in name order, and fails the test through t for a header the facade has no
// option for.
func HeaderOptionsFor(t testing.TB, h map[string]string) []b2b.CallOption {
	t.Helper()
	out, err := headerOptionsOf(h)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// HeaderOptions is HeaderOptionsFor for code without a testing.TB: it panics for a header the
// facade has no option for, which aborts the whole test binary. Tests call HeaderOptionsFor.
func HeaderOptions(h map[string]string) []b2b.CallOption {
	out, err := headerOptionsOf(h)
	if err != nil {
		panic(err.Error())
	}
	return out
}
