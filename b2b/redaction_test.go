package b2b_test

// Secrets never show: not when params and responses are printed with fmt or logged with slog, not
// in any error, not in the SDK's debug log. Which fields are secret is read from the spec
// (x-stytch-secret) and which types exist from the facade's methods, never from a hand list.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/b2bauth/stytch-b2b-go/b2b"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/fixtures"
	"github.com/b2bauth/stytch-b2b-go/internal/testkit"
	"github.com/b2bauth/stytch-b2b-go/spec"
)

// specSecrets returns, by Go type name, the JSON names of the fields the spec marks
// x-stytch-secret: properties of component schemas (the schema's name is the gen type's name)
// and header parameters (gen groups them in <Operation.Name>Params). It checks that it found every
// mark in the spec's text, so a secret somewhere else (an inline schema) fails the test instead of
// going unchecked.
func specSecrets(t *testing.T) map[string][]string {
	t.Helper()
	isSecret := func(ext map[string]any) bool { return fmt.Sprint(ext[spec.ExtSecret]) == "true" }
	doc := fixtures.Spec()
	out := map[string][]string{}
	found := 0
	for name, ref := range doc.Components.Schemas {
		for prop, p := range properties(ref.Value) {
			if p.Value != nil && isSecret(p.Value.Extensions) {
				out[name] = append(out[name], prop)
			}
		}
		for _, p := range ref.Value.Properties { // allOf members are counted with their own schema
			if p.Value != nil && isSecret(p.Value.Extensions) {
				found++
			}
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			for _, p := range op.Parameters {
				if p.Value != nil && isSecret(p.Value.Extensions) {
					// Header parameters are per-call options of the facade, not fields of a type:
					// TestErrorsNeverContainASecretThatWasSent and the debug-log test send them.
					require.Equal(t, "header", p.Value.In, "only header parameters can be secret")
					found++
				}
			}
		}
	}
	marks := regexp.MustCompile(`(?m)^\s+`+regexp.QuoteMeta(spec.ExtSecret)+`:\s*true\s*$`).FindAll(spec.YAML, -1)
	require.Equal(t, len(marks), found,
		"every x-stytch-secret mark of the spec is on a component schema property or a header parameter")
	require.NotEmpty(t, out)
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// facadeTypes returns every named struct type reachable from the facade's operation methods:
// their params, per-call options and responses, and everything nested in those, by name.
func facadeTypes(t *testing.T) map[string]reflect.Type {
	t.Helper()
	out := map[string]reflect.Type{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			walk(typ.Elem())
		case reflect.Func:
			for i := range typ.NumIn() {
				walk(typ.In(i))
			}
		case reflect.Struct:
			if typ.Name() == "" || typ.PkgPath() != reflect.TypeFor[gen.Operation]().PkgPath() {
				return
			}
			if _, seen := out[typ.Name()]; seen {
				return
			}
			out[typ.Name()] = typ
			for i := range typ.NumField() {
				walk(typ.Field(i).Type)
			}
		}
	}
	methods, err := testkit.Methods()
	require.NoError(t, err)
	// One facade method per operation: name each operation without one, and each method whose
	// operation gen.Operations does not list, rather than comparing counts.
	var missing, unknown []string
	ids := map[string]bool{}
	for _, op := range gen.Operations {
		ids[op.ID] = true
		if _, ok := methods[op.ID]; !ok {
			missing = append(missing, fmt.Sprintf("%s (%s %s, params %T)", op.ID, op.Method, op.Path, op.NewParams()))
		}
	}
	for id, m := range methods {
		if !ids[id] {
			unknown = append(unknown, m.Name+" sends "+id)
		}
	}
	slices.Sort(unknown)
	require.Empty(t, missing, "operations without a facade method: add one in b2b/ for each, then run make generate")
	require.Empty(t, unknown, "facade methods whose operation gen.Operations does not list: run make generate")
	for _, m := range methods {
		walk(m.Params)
		walk(m.Response)
	}
	return out
}

// secretTypes pairs the spec's secret fields with the generated types, failing when a marked
// schema has no type or a marked property no field of a string kind.
func secretTypes(t *testing.T) map[reflect.Type][]string {
	t.Helper()
	types := facadeTypes(t)
	out := map[reflect.Type][]string{}
	for name, props := range specSecrets(t) {
		typ, ok := types[name]
		require.True(t, ok, "the spec marks secrets in %s, which no facade method uses", name)
		for _, prop := range props {
			f, ok := fieldByJSON(typ, prop)
			require.True(t, ok, "%s has no field for the secret %q", name, prop)
			k := f.Type
			if k.Kind() == reflect.Pointer || k.Kind() == reflect.Slice {
				k = k.Elem()
			}
			require.Equal(t, reflect.String, k.Kind(), "%s.%s: secrets are strings", name, f.Name)
		}
		out[typ] = props
	}
	return out
}

// fillType returns a new *typ in which every secret string (by secrets) is "sentinel-<Type>-<json>",
// every other string "visible-<Type>-<json>", and nested structs, pointers and slices are filled
// the same way, to a bounded depth. It returns the sentinels it planted.
func fillType(typ reflect.Type, secrets map[reflect.Type][]string) (reflect.Value, []string) {
	var planted []string
	var fill func(v reflect.Value, owner reflect.Type, field string, secret bool, depth int)
	fill = func(v reflect.Value, owner reflect.Type, field string, secret bool, depth int) {
		if depth > 6 {
			return
		}
		switch v.Kind() {
		case reflect.String:
			if secret {
				s := "sentinel-" + owner.Name() + "-" + field
				planted = append(planted, s)
				v.SetString(s)
			} else {
				v.SetString("visible-" + owner.Name() + "-" + field)
			}
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), owner, field, secret, depth+1)
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			for i := range 2 {
				fill(v.Index(i), owner, fmt.Sprintf("%s.%d", field, i), secret, depth+1)
			}
		case reflect.Struct:
			if v.Type().PkgPath() != reflect.TypeFor[gen.Operation]().PkgPath() {
				return // time.Time and the like
			}
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if !f.IsExported() {
					continue
				}
				name := jsonName(f)
				fill(v.Field(i), v.Type(), name, slices.Contains(secrets[v.Type()], name), depth+1)
			}
		}
	}
	p := reflect.New(typ)
	fill(p.Elem(), typ, "", false, 0)
	return p, planted
}

// renderings prints v (a pointer) and the value it points to in every way a user might: fmt
// verbs and slog's JSON and text handlers.
func renderings(v reflect.Value) map[string]string {
	out := map[string]string{}
	ptr, val := v.Interface(), v.Elem().Interface()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out["value "+verb] = fmt.Sprintf(verb, val)
		out["pointer "+verb] = fmt.Sprintf(verb, ptr)
	}
	out["Sprint"] = fmt.Sprint(val, ptr)
	out["Sprintln"] = fmt.Sprintln(val, ptr)
	for name, h := range map[string]func(io.Writer) slog.Handler{
		"slog JSON": func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
		"slog text": func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
	} {
		var buf bytes.Buffer
		l := slog.New(h(&buf))
		l.Info("value", "v", val)
		l.Info("pointer", "p", ptr)
		l.Info("group", slog.Group("g", slog.Any("v", val)))
		l.With("w", ptr).Info("with")
		out[name] = buf.String()
	}
	return out
}

func TestRedactionOfEveryTypeWithASecret(t *testing.T) {
	t.Parallel()
	secrets := secretTypes(t)
	// Every type the generator gave a Redacted method holds a secret, and the other way round.
	for name, typ := range facadeTypes(t) {
		_, hasRedacted := typ.MethodByName("Redacted")
		_, isSecret := secrets[typ]
		assert.Equal(t, isSecret, hasRedacted, "%s: Redacted method iff the spec marks a secret in it", name)
	}
	for typ, props := range secrets {
		t.Run(typ.Name(), func(t *testing.T) {
			t.Parallel()
			assert.True(t, typ.Implements(reflect.TypeFor[fmt.Formatter]()), "%s implements fmt.Formatter", typ)
			assert.True(t, typ.Implements(reflect.TypeFor[slog.LogValuer]()), "%s implements slog.LogValuer", typ)

			v, planted := fillType(typ, secrets)
			require.Len(t, planted, countSecrets(typ, secrets), "every secret field got a sentinel")
			before, err := json.Marshal(v.Interface())
			require.NoError(t, err)

			hasValueSecret := false // a secret fmt prints as text, not as a pointer's address
			for _, p := range props {
				f, _ := fieldByJSON(typ, p)
				hasValueSecret = hasValueSecret || f.Type.Kind() != reflect.Pointer
			}
			hasPlainField := false // a string field that is not secret
			for i := range typ.NumField() {
				f := typ.Field(i)
				k := f.Type
				if k.Kind() == reflect.Pointer {
					k = k.Elem()
				}
				hasPlainField = hasPlainField || (k.Kind() == reflect.String && !slices.Contains(props, jsonName(f)))
			}
			for how, s := range renderings(v) {
				for _, sentinel := range planted {
					// %x and %X print strings in hex.
					requireAbsent(t, s, sentinel, hex.EncodeToString([]byte(sentinel)), strings.ToUpper(hex.EncodeToString([]byte(sentinel))))
				}
				_, verb, _ := strings.Cut(how, " ")
				textual := slices.Contains([]string{"%v", "%+v", "%#v", "%s", "%q"}, verb) || how == "Sprint" || how == "Sprintln" || how == "slog text"
				if how == "slog JSON" || (hasValueSecret && textual) {
					assert.Contains(t, s, gen.Redacted, "%s shows the redaction", how)
				}
				if how == "slog JSON" && hasPlainField {
					assert.Contains(t, s, "visible-", "%s still shows the fields that are not secret", how)
				}
			}
			assert.Contains(t, fmt.Sprintf("%#v", v.Elem().Interface()), "gen."+typ.Name()+"{", "%#v names the real type")

			after, err := json.Marshal(v.Interface())
			require.NoError(t, err)
			assert.JSONEq(t, string(before), string(after), "printing does not change the value")
			for _, sentinel := range planted {
				assert.Contains(t, string(after), sentinel, "the value itself keeps its secrets")
			}
		})
	}
}

// countSecrets counts the sentinels fillType plants in typ.
func countSecrets(typ reflect.Type, secrets map[reflect.Type][]string) int {
	_, planted := fillType(typ, secrets)
	return len(planted)
}

// With the fixtures: the params and decoded responses of every operation, as the tests of other
// packages use them, print no secret of fixtures.Secrets. (Header parameters are per-call options,
// plain strings the facade never prints.)
func TestRedactionOfFixtures(t *testing.T) {
	t.Parallel()
	for _, tc := range fixtures.Cases() {
		t.Run(tc.Op.ID, func(t *testing.T) {
			t.Parallel()
			resp := reflect.New(testkit.MethodFor(t, tc.Op).Response.Elem())
			require.NoError(t, b2b.DecodeJSON(tc.Response, resp.Interface()))
			values := []reflect.Value{reflect.ValueOf(tc.Full), reflect.ValueOf(tc.Minimal), resp}
			secrets := fixtures.Secrets(tc)
			for _, v := range values {
				for how, s := range renderings(v) {
					for _, secret := range secrets {
						assert.NotContains(t, s, secret, "%T %s", v.Interface(), how)
					}
				}
			}
		})
	}
}

// allSecrets is every secret a call with tc's Full params and Headers may carry or receive:
// the spec's, the project secret and the Authorization header value.
func allSecrets(tc fixtures.Case) []string {
	// An independent oracle: the credentials are computed here, not asked of the code under test.
	encoded := base64.StdEncoding.EncodeToString([]byte(testkit.ProjectID + ":" + testkit.Secret))
	return append(fixtures.Secrets(tc), testkit.Secret, encoded)
}

// requireAbsent fails the test when s contains one of the words, naming the word (and not
// dumping s, which may be long).
func requireAbsent(t *testing.T, s string, words ...string) {
	t.Helper()
	for _, w := range words {
		if w != "" && strings.Contains(s, w) {
			i := strings.Index(s, w)
			t.Fatalf("%q appears in: ...%s...", w, s[max(0, i-80):min(len(s), i+len(w)+80)])
		}
	}
}

// assertNoSecret checks every way err can be printed.
func assertNoSecret(t *testing.T, err error, secrets []string) {
	t.Helper()
	require.Error(t, err)
	for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		requireAbsent(t, s, secrets...)
	}
	var e *b2b.Error
	if errors.As(err, &e) {
		b, jerr := json.Marshal(e)
		require.NoError(t, jerr)
		requireAbsent(t, string(b), secrets...)
	}
}

// echoingServer answers every request with a Stytch error that repeats every string the
// request carried (body values and every header, the Authorization header decoded too) in each of
// the error's fields: a hostile or buggy server trying to make the SDK print what it sent.
func echoingServer(t *testing.T, status int) *testkit.Server {
	return testkit.NewServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		var echoed []string
		for _, vs := range r.Header {
			echoed = append(echoed, vs...)
		}
		if u, p, ok := r.BasicAuth(); ok {
			echoed = append(echoed, u, p)
		}
		body := requestBody(r)
		var doc any
		if json.Unmarshal(body, &doc) == nil {
			stringsIn(doc, &echoed)
		}
		all := strings.Join(echoed, " | ")
		out, _ := json.Marshal(map[string]any{
			"status_code":   status,
			"request_id":    "request-id-" + all,
			"error_type":    "invalid_" + all,
			"error_message": "You sent: " + all,
			"error_url":     "https://stytch.com/docs/api/errors/" + all,
			"error_details": map[string]any{"echo": echoed, all: []any{all, map[string]any{"nested": all}}},
		})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", all)
		w.WriteHeader(status)
		_, _ = w.Write(out)
	})
}

// requestBody reads the request body in a testkit.Server handler.
func requestBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}

func stringsIn(v any, out *[]string) {
	switch v := v.(type) {
	case string:
		*out = append(*out, v)
	case map[string]any:
		for k, x := range v {
			*out = append(*out, k)
			stringsIn(x, out)
		}
	case []any:
		for _, x := range v {
			stringsIn(x, out)
		}
	}
}

func TestErrorsNeverContainASecretThatWasSent(t *testing.T) {
	t.Parallel()
	for _, tc := range fixtures.Cases() {
		t.Run(tc.Op.ID, func(t *testing.T) {
			t.Parallel()
			noLeaks(t)
			secrets := allSecrets(tc)

			// *Error: a server echoing everything it received, for a final and a retried status.
			for _, status := range []int{http.StatusBadRequest, http.StatusTooManyRequests, http.StatusInternalServerError} {
				srv := echoingServer(t, status)
				c, _ := faultClient(t, srv.URL)
				resp, err := testkit.Do(t.Context(), c, tc, fixtures.Full)
				requireNoResponse(t, resp, err)
				var e *b2b.Error
				require.ErrorAs(t, err, &e)
				require.Equal(t, status, e.StatusCode)
				assertNoSecret(t, err, secrets)
				assert.Contains(t, e.ErrorMessage, gen.Redacted, "what was echoed is replaced, not dropped")
			}

			// DecodeError: a 2xx body holding the response's secrets, cut short or of the wrong type.
			for _, body := range brokenBodies(tc.Response) {
				srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) })
				c, _ := faultClient(t, srv.URL)
				resp, err := testkit.Do(t.Context(), c, tc, fixtures.Full)
				requireNoResponse(t, resp, err)
				var de *b2b.DecodeError
				require.ErrorAs(t, err, &de, "body %.60q", body)
				assertNoSecret(t, err, secrets)
			}

			// TransportError: reset after the request was read, refused, timed out.
			base := rawServer(t, func(_ int, conn net.Conn) {
				if err := readRequest(conn); err == nil {
					reset(conn)
				}
			})
			for _, u := range []string{base, closedPortURL(t)} {
				c, _ := faultClient(t, u)
				_, err := testkit.Do(t.Context(), c, tc, fixtures.Full)
				var te *b2b.TransportError
				require.ErrorAs(t, err, &te)
				assertNoSecret(t, err, secrets)
			}
			srv := hangingServer(t)
			c, _ := faultClient(t, srv.URL, b2b.WithTimeout(50*time.Millisecond))
			_, err := testkit.Do(t.Context(), c, tc, fixtures.Full)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assertNoSecret(t, err, secrets)

			// ValidationError: break every rule that does not involve a secret, keep the secrets.
			broken, ok := breakRules(tc, secrets)
			if assert.True(t, ok, "a validation error can be forced") {
				c, _ := faultClient(t, closedPortURL(t))
				_, err := testkit.Call(t.Context(), c, broken, testkit.HeaderOptionsFor(t, tc.Header)...)
				var ve *b2b.ValidationError
				require.ErrorAs(t, err, &ve)
				assertNoSecret(t, err, secrets)
			}
		})
	}
}

// brokenBodies derives bodies that fail to decode from a complete response: cut at a few
// places (some inside secrets), and with every secret-looking string value turned into an object.
func brokenBodies(full []byte) [][]byte {
	var out [][]byte
	for _, frac := range []int{2, 3, 5, 7} {
		out = append(out, full[:len(full)*(frac-1)/frac])
	}
	if i := bytes.Index(full, []byte(`"secret-`)); i >= 0 {
		out = append(out, full[:i+12]) // inside the first secret
	}
	// A secret where a number belongs, and a secret where an object belongs.
	out = append(out, []byte(`{"status_code":"secret-x","request_id":"r"}`))
	if i := bytes.Index(full, []byte(`"secret-`)); i >= 0 {
		end := bytes.IndexByte(full[i+1:], '"') + i + 2
		secret := full[i:end]
		out = append(out, fmt.Appendf(nil, `{"status_code":%s,"member":%s,"organization":[%s]}`, secret, secret, secret))
	}
	return out
}

// breakRules returns a copy of tc.Full in which every non-secret string is emptied and every
// integer set below any minimum, so Validate fails on rules that do not involve a secret while the
// secrets stay in place. When only secrets have rules, it empties the first required secret
// instead, or sets two properties of a group of which several may not be set. ok is false when
// Validate cannot be made to fail.
func breakRules(tc fixtures.Case, secrets []string) (any, bool) {
	v := reflect.New(reflect.TypeOf(tc.Full).Elem())
	v.Elem().Set(reflect.ValueOf(tc.Full).Elem())
	changed := false
	for i := range v.Elem().NumField() {
		f := v.Elem().Field(i)
		if !v.Elem().Type().Field(i).IsExported() {
			continue
		}
		target := f
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			target = reflect.New(f.Type().Elem()).Elem()
			target.Set(f.Elem())
		}
		switch target.Kind() {
		case reflect.String:
			if slices.Contains(secrets, target.String()) {
				continue
			}
			target.SetString("")
		case reflect.Int, reflect.Int32, reflect.Int64:
			target.SetInt(-1)
		default:
			continue
		}
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			p := reflect.New(f.Type().Elem())
			p.Elem().Set(target)
			f.Set(p)
		}
		changed = true
	}
	if changed && v.Interface().(b2b.Params).Validate() != nil {
		return v.Interface(), true
	}
	// Only secrets have rules: empty the first required one and keep the others.
	v.Elem().Set(reflect.ValueOf(tc.Full).Elem())
	for i := range v.Elem().NumField() {
		f := v.Elem().Field(i)
		if f.Kind() == reflect.String && slices.Contains(secrets, f.String()) {
			f.SetString("")
			return v.Interface(), v.Interface().(b2b.Params).Validate() != nil
		}
	}
	// Only a group of secrets of which several may not be set: set a second property of it to the
	// first one's value, so that the group is broken while every value stays a secret.
	for _, g := range fixtures.Groups(tc.Op.ID) {
		if g.SeveralOK {
			continue
		}
		typ := v.Elem().Type()
		first, ok1 := fieldByJSON(typ, g.Names[0])
		second, ok2 := fieldByJSON(typ, g.Names[1])
		if ok1 && ok2 && first.Type == second.Type {
			v.Elem().FieldByIndex(second.Index).Set(v.Elem().FieldByIndex(first.Index))
			return v.Interface(), v.Interface().(b2b.Params).Validate() != nil
		}
	}
	return nil, false
}

// The debug log names each attempt (method, path, status, attempt, duration, request ID) and
// never carries a body, a header or a secret, whatever the outcome.
func TestDebugLogNeverCarriesSecretsOrBodies(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "text"} {
		for _, tc := range fixtures.Cases() {
			t.Run(format+"/"+tc.Op.ID, func(t *testing.T) {
				t.Parallel()
				noLeaks(t)
				opts := &slog.HandlerOptions{Level: slog.LevelDebug}
				logger := func(buf *bytes.Buffer) *slog.Logger {
					if format == "text" {
						return slog.New(slog.NewTextHandler(buf, opts))
					}
					return slog.New(slog.NewJSONHandler(buf, opts))
				}
				secrets := allSecrets(tc)

				// A 429, then the complete response.
				var buf bytes.Buffer
				srv := testkit.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
					if n == 1 {
						w.Header().Set("Retry-After", "1")
						testkit.Error(w, http.StatusTooManyRequests, "too_many_requests", "slow down")
						return
					}
					okWithRequestID(w, tc.Response)
				})
				c, _ := faultClient(t, srv.URL, b2b.WithLogger(logger(&buf)))
				_, err := testkit.Do(t.Context(), c, tc, fixtures.Full)
				require.NoError(t, err)
				out := buf.String()
				requireAbsent(t, out, secrets...)
				// Nothing of the request body, the response body or the headers either.
				requireAbsent(t, out, bodyStrings(t, tc)...)
				requireAbsent(t, out, "Basic ", "Authorization",
					"application/json", `"member"`, "stytch-b2b-go/", "secret-")

				// A server echoing everything back: the error line is logged, scrubbed.
				var echoBuf bytes.Buffer
				echo := echoingServer(t, http.StatusBadRequest)
				c, _ = faultClient(t, echo.URL, b2b.WithLogger(logger(&echoBuf)))
				_, err = testkit.Do(t.Context(), c, tc, fixtures.Full)
				require.Error(t, err)
				requireAbsent(t, echoBuf.String(), secrets...)
				assert.Equal(t, 1, strings.Count(echoBuf.String(), "\n"))

				lines := strings.Split(strings.TrimSpace(out), "\n")
				require.Len(t, lines, 2, "one line per attempt")
				if format == "json" {
					var first, second map[string]any
					require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
					require.NoError(t, json.Unmarshal([]byte(lines[1]), &second))
					assert.Equal(t, "DEBUG", first["level"])
					assert.Equal(t, tc.Op.ID, first["operation"])
					assert.Equal(t, tc.Op.Method, first["method"])
					assert.Equal(t, srv.Requests()[0].EscapedPath, first["path"])
					assert.EqualValues(t, 429, first["status"])
					assert.EqualValues(t, 1, first["attempt"])
					assert.Equal(t, "request-id-test-429", first["request_id"])
					assert.Contains(t, first, "duration")
					assert.Contains(t, first, "retry_in")
					assert.EqualValues(t, 200, second["status"])
					assert.EqualValues(t, 2, second["attempt"])
					// The success line carries the body's request_id, which wins over the header's.
					assert.Equal(t, bodyRequestID(t, tc.Response), second["request_id"])
				} else {
					for _, key := range []string{"level=DEBUG", "method=" + tc.Op.Method, "path=", "status=429", "attempt=1", "duration=", "request_id=request-id-test-429", "status=200", "attempt=2"} {
						assert.Contains(t, out, key)
					}
				}
			})
		}
	}
}

// bodyStrings returns the strings of c's request body and of its answer that name their place (they
// end with the case's context), but for the answer's request_id, which the log shows on purpose.
func bodyStrings(t *testing.T, c fixtures.Case) []string {
	t.Helper()
	var out []string
	logged := bodyRequestID(t, c.Response)
	collect := func(body []byte, ctx string) {
		var tree any
		require.NoError(t, json.Unmarshal(body, &tree))
		var all []string
		stringsIn(tree, &all)
		for _, s := range all {
			if strings.HasSuffix(s, "-"+ctx) && s != logged {
				out = append(out, s)
			}
		}
	}
	if c.Op.HasBody {
		collect(fixtures.Golden(c.Op.ID, fixtures.Full), fixtures.RequestContext(c.Op.ID))
	}
	collect(c.Response, fixtures.ResponseContext(c.Op.ID))
	require.NotEmpty(t, out)
	return out
}

// Without a logger, or with one above debug level, nothing is logged.
func TestDebugLogIsOffByDefault(t *testing.T) {
	t.Parallel()
	noLeaks(t)
	tc := one(t, "is repeatable", repeatable)
	srv := testkit.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { okWithRequestID(w, tc.Response) })
	var buf bytes.Buffer
	c, _ := faultClient(t, srv.URL, b2b.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	_, err := testkit.Call(t.Context(), c, tc.Minimal)
	require.NoError(t, err)
	assert.Empty(t, buf.String())
}

// bodyRequestID returns the request_id of a fixture body.
func bodyRequestID(t *testing.T, body []byte) string {
	t.Helper()
	var v struct {
		RequestID string `json:"request_id"`
	}
	require.NoError(t, json.Unmarshal(body, &v))
	require.NotEmpty(t, v.RequestID)
	return v.RequestID
}
