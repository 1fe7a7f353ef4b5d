package benchkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Covers reports how the JSON got (a client's decoded result written back out) differs from the
// body it was decoded from: a member of body that got lacks or holds with another value, or a
// member of got with a non-zero value that body does not have. An empty result means the client
// decoded every member of the body, and nothing else. It is how every benchmark checks that both
// of its clients did the whole work, without a list of fields that a change to the spec would
// make stale: a client whose types know more fields than the body carries writes them as zero
// values or leaves them out, and either is accepted.
//
// Null and absent are the same, and a null in body may come back as the zero value of the
// field's type (a client with non-pointer fields cannot tell them apart). Numbers compare by
// value, and strings that are RFC 3339 times compare as instants, since clients format times in
// their own way.
func Covers(body, got []byte) []string {
	return CoversWith(body, got, CoverOptions{})
}

// CoverOptions relaxes Covers for a client whose encoder, not its decoder, loses information.
type CoverOptions struct {
	// TimesToTheSecond accepts a time in the result that equals the body's truncated to the
	// second: ogen's generated encoder writes date-times without their fraction, although its
	// decoder keeps it (which the caller then checks on the decoded value itself).
	TimesToTheSecond bool
}

// CoversWith is Covers with options.
func CoversWith(body, got []byte, opts CoverOptions) []string {
	var b, g any
	if err := decode(body, &b); err != nil {
		return []string{"body: " + err.Error()}
	}
	if err := decode(got, &g); err != nil {
		return []string{"result: " + err.Error()}
	}
	c := coverage{opts: opts}
	c.covers("$", b, g)
	return c.diffs
}

type coverage struct {
	opts  CoverOptions
	diffs []string
}

func decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

func (c *coverage) covers(path string, want, got any) {
	switch w := want.(type) {
	case nil:
		if !isZero(got) {
			c.diffs = append(c.diffs, fmt.Sprintf("%s: body has null, result has %s", path, short(got)))
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			c.diffs = append(c.diffs, fmt.Sprintf("%s: body has an object, result has %s", path, short(got)))
			return
		}
		for _, k := range slices.Sorted(maps.Keys(w)) {
			gv, present := g[k]
			// A zero value the result leaves out is not lost: the optional fields that absence and
			// zero mean the same for are encoded with omitempty.
			if !present {
				if !isZero(w[k]) {
					c.diffs = append(c.diffs, fmt.Sprintf("%s.%s: missing from the result", path, k))
				}
				continue
			}
			c.covers(path+"."+k, w[k], gv)
		}
		for _, k := range slices.Sorted(maps.Keys(g)) {
			if _, inBody := w[k]; !inBody && !isZero(g[k]) {
				c.diffs = append(c.diffs, fmt.Sprintf("%s.%s: not in the body, result has %s", path, k, short(g[k])))
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			c.diffs = append(c.diffs, fmt.Sprintf("%s: body has %d elements, result has %s", path, len(w), short(got)))
			return
		}
		for i := range w {
			c.covers(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
		}
	case json.Number:
		g, ok := got.(json.Number)
		wf, err1 := w.Float64()
		gf, err2 := g.Float64()
		if !ok || err1 != nil || err2 != nil || wf != gf {
			c.diffs = append(c.diffs, fmt.Sprintf("%s: body has %s, result has %s", path, w, short(got)))
		}
	case string:
		g, ok := got.(string)
		if ok && g == w {
			return
		}
		if ok {
			wt, err1 := time.Parse(time.RFC3339Nano, w)
			gt, err2 := time.Parse(time.RFC3339Nano, g)
			if err1 == nil && err2 == nil && (wt.Equal(gt) || c.opts.TimesToTheSecond && wt.Truncate(time.Second).Equal(gt)) {
				return
			}
		}
		c.diffs = append(c.diffs, fmt.Sprintf("%s: body has %q, result has %s", path, w, short(got)))
	default: // bool
		if got != want {
			c.diffs = append(c.diffs, fmt.Sprintf("%s: body has %v, result has %s", path, want, short(got)))
		}
	}
}

// isZero reports whether v is what a client writes for a field the body did not set.
func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case string:
		return v == ""
	case json.Number:
		f, err := v.Float64()
		return err == nil && f == 0
	case []any:
		return len(v) == 0
	case map[string]any:
		for _, e := range v {
			if !isZero(e) {
				return false
			}
		}
		return true
	}
	return false
}

func short(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(data) > 60 {
		return string(data[:57]) + "..."
	}
	return string(data)
}
