package main

// The -upstream comparison: spec/ against a copy of the vendor's published OpenAPI document. The
// rules are stated in the package documentation (main.go) and in upstreamRules (the usage text);
// keep the three in step.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// extKnownValues is the project extension listing the values a response string is known to take.
const extKnownValues = "x-stytch-known-values"

// upstreamRules is the part of the usage text that states how -upstream classifies differences.
const upstreamRules = `
-upstream FILE compares the spec with FILE, a copy of Stytch's published OpenAPI
document (YAML or JSON, loaded without validation and without external $refs), for
the operations the spec has, matched by method and path (path parameter names,
operationIds, descriptions and examples are ignored). Each difference is one line:

  FAIL|note <operationId> <place> <pointer>: <what differs>

place is "operation", "servers", "security", "parameter <in> <name>", "request body"
or "response <status>"; pointer is a JSON-pointer-like path into the schema ("[]" is
an array item, "/*" an additionalProperties value). A difference is a note when it
cannot break a call made with this spec, and a failure otherwise:

  - requests travel from the SDK to Stytch: the spec may be stricter than upstream
    (require an optional field, refuse null, allow fewer enum values, a narrower
    type or format such as int32 for int64); looser or conflicting is a failure;
  - responses travel from Stytch to the SDK: the spec may be looser than upstream
    (optional where upstream requires, nullable, wider type or format), and must
    list every property and every listed value (enum or x-stytch-known-values)
    upstream documents; stricter, conflicting or missing is a failure;
  - something only the spec documents is a note when it happens only if the caller
    asks for it or the server sends it: an optional property or parameter, an enum or
    known value, a response status; a required property or parameter found only here
    is a failure, and so is an operation missing upstream;
  - a property or parameter only upstream is a failure in responses, and in requests
    when upstream requires it (a note when it is optional there);
  - security: each alternative of the spec (compared by scheme type, not name) must
    be accepted upstream; an alternative only upstream is a note;
  - servers (compared by scheme and host; a path prefix is folded into the paths): a
    server only in the spec is a failure, one only upstream a note.

Exit status: 0 when there is no failure (notes only, or no difference), 1 when there
is a failure, 2 when the comparison could not run.
`

// upstreamKind says whether a difference is a failure or a note.
type upstreamKind int

const (
	upNote upstreamKind = iota
	upFail
)

func (k upstreamKind) String() string {
	if k == upFail {
		return "FAIL"
	}
	return "note"
}

// upstreamDiff is one difference between the spec and the upstream document.
type upstreamDiff struct {
	Kind    upstreamKind
	Place   string // "response 200", "request body", "parameter path member_id", "security", ...
	Pointer string // "/member/status"; empty for the schema's root or for places without a schema
	Message string
}

// upstreamGroup is the differences of one operation of the spec (or of the document as a whole).
type upstreamGroup struct {
	Label  string // the spec's operationId, or "document"
	Method string
	Path   string
	Diffs  []upstreamDiff
}

// upstreamReport is the result of a comparison, in output order.
type upstreamReport struct {
	Groups     []upstreamGroup
	Operations int // operations of the spec that were compared
}

func (r *upstreamReport) counts() (fails, notes, groups int) {
	for _, g := range r.Groups {
		if len(g.Diffs) > 0 && g.Method != "" {
			groups++
		}
		for _, d := range g.Diffs {
			if d.Kind == upFail {
				fails++
			} else {
				notes++
			}
		}
	}
	return fails, notes, groups
}

// write renders the report: a heading per group that has differences, one line per difference,
// and a summary line last.
func (r *upstreamReport) write(w io.Writer, ourName, upName string) {
	for _, g := range r.Groups {
		if len(g.Diffs) == 0 {
			continue
		}
		if g.Method != "" {
			fmt.Fprintf(w, "%s (%s %s)\n", g.Label, g.Method, g.Path)
		} else {
			fmt.Fprintf(w, "%s\n", g.Label)
		}
		for _, d := range g.Diffs {
			where := d.Place
			if d.Pointer != "" {
				where += " " + d.Pointer
			}
			fmt.Fprintf(w, "  %s %s %s: %s\n", d.Kind, g.Label, where, d.Message)
		}
	}
	fails, notes, groups := r.counts()
	if fails == 0 && notes == 0 {
		fmt.Fprintf(w, "gen: %s matches %s in all %d operations: no differences\n", ourName, upName, r.Operations)
		return
	}
	fmt.Fprintf(w, "gen: %s against %s: %s, %s; %d of %d operations differ\n",
		ourName, upName, plural(fails, "failure"), plural(notes, "note"), groups, r.Operations)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// runUpstream is -upstream: it loads both documents, compares them and prints the report.
func runUpstream(ourPath, upPath string, stdout, stderr io.Writer) int {
	// Decoding a vendor's full document allocates a few times its size in short-lived garbage; a
	// higher GC target for this short run trades some memory for about a third of the time.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	ctx := context.Background()
	ours, err := loadSpec(ctx, ourPath, false)
	if err != nil {
		fmt.Fprintf(stderr, "gen: -upstream: cannot load the spec %s: %v\n", ourPath, err)
		return 2
	}
	up, err := loadUpstream(ctx, upPath, ours)
	if err != nil {
		fmt.Fprintf(stderr, "gen: -upstream: %v\n", err)
		return 2
	}
	rep := compareUpstream(ours, up)
	rep.write(stdout, ourPath, upPath)
	if fails, _, _ := rep.counts(); fails > 0 {
		return 1
	}
	return 0
}

// loadUpstream reads a vendor document leniently: it is parsed and its internal references are
// resolved, but it is not validated (a published document often breaks a rule that does not
// matter here), and references to other files or URLs are refused.
//
// A vendor's full document is large, and kin-openapi's typed decoding of all of it takes seconds,
// so the document is cut down to the path items that match an operation of ours plus the
// components they reach through $ref, and only that part is loaded with kin-openapi. A reference
// elsewhere in the document, broken or not, is then never looked at. Block-style YAML is cut as
// text (see cutYAML); JSON, and YAML that cannot be cut as text, is decoded as plain data and cut
// (see cutUpstream). When neither can be done safely (a $ref outside #/components/, say), the
// document is loaded whole.
func loadUpstream(ctx context.Context, path string, ours *openapi3.T) (*openapi3.T, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the document the user named with -upstream
	if err != nil {
		return nil, fmt.Errorf("cannot read the upstream document: %w", err)
	}
	loadErr := func(err error) error {
		return fmt.Errorf("cannot load the upstream document %s (it is parsed and its internal $refs resolved, without validation; external $refs are refused): %w", path, err)
	}
	noPaths := fmt.Errorf("the upstream document %s has no paths: is it an OpenAPI document?", path)
	if !json.Valid(data) {
		if small, ok := cutYAML(ctx, data, ours); ok {
			if doc, err := loadKin(ctx, small); err == nil {
				return doc, nil
			}
			// A broken part, or a cut that went wrong: the plain decoding below says which.
		}
	}
	if raw, err := decodePlain(ctx, data); err == nil {
		if paths, _ := raw["paths"].(map[string]any); len(paths) == 0 {
			return nil, noPaths
		}
		if cut, ok := cutUpstream(raw, ours); ok {
			small, err := json.Marshal(cut)
			if err != nil {
				return nil, loadErr(err)
			}
			doc, err := loadKin(ctx, small)
			if err != nil {
				return nil, loadErr(err)
			}
			return doc, nil
		}
	}
	doc, err := loadKin(ctx, data)
	if err != nil {
		return nil, loadErr(err)
	}
	if doc.Paths == nil || doc.Paths.Len() == 0 {
		return nil, noPaths
	}
	return doc, nil
}

func loadKin(ctx context.Context, data []byte) (*openapi3.T, error) {
	l := openapi3.NewLoader()
	l.Context = ctx
	l.IsExternalRefsAllowed = false
	return l.LoadFromData(data)
}

// yamlBlock is a key of a block-style YAML mapping with the lines of its value.
type yamlBlock struct {
	key   string
	lines []string // the key's line first
}

var (
	// yamlRefRE finds $ref values in YAML text, quoted or not, in block or flow style.
	yamlRefRE = regexp.MustCompile(`\$ref['"]?\s*:\s*['"]?([^'"\s,}\]]+)`)
	// yamlAnchorRE and yamlAliasRE find what may be anchors and aliases; prose matches too
	// ("*this*"), so an alias counts only when its anchor is defined somewhere.
	yamlAnchorRE = regexp.MustCompile(`(?:^|[\s\[{,])&([^\s,\[\]{}]+)`)
	yamlAliasRE  = regexp.MustCompile(`(?:^|[\s\[{,])\*([^\s,\[\]{}*]+)`)
	yamlMergeRE  = regexp.MustCompile(`(?m)^\s*(- )?<<\s*:`)
)

func indentOf(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// isYAMLContent reports whether a line holds something other than blanks or a comment.
func isYAMLContent(line string) bool {
	t := strings.TrimSpace(line)
	return t != "" && !strings.HasPrefix(t, "#")
}

// yamlKey parses the mapping key at the start of a line without its indentation: plain, or in
// single or double quotes (without escapes). rest is what follows the colon.
func yamlKey(line string) (key, rest string, ok bool) {
	if line == "" {
		return "", "", false
	}
	if q := line[0]; q == '\'' || q == '"' {
		end := strings.IndexByte(line[1:], q)
		if end < 0 || strings.Contains(line[1:end+1], "\\") {
			return "", "", false
		}
		key, after := line[1:end+1], line[end+2:]
		if !strings.HasPrefix(after, ":") {
			return "", "", false
		}
		return key, after[1:], true
	}
	if strings.ContainsAny(line[:1], "-?[{&*!|>%@`#") {
		return "", "", false
	}
	for i := 0; i < len(line); i++ {
		if line[i] == ':' && (i+1 == len(line) || line[i+1] == ' ') {
			return line[:i], line[i+1:], true
		}
	}
	return "", "", false
}

// yamlBlocks splits lines, all indented at least indent, into the mapping entries that start at
// exactly indent. ok is false when the lines are not such a mapping.
func yamlBlocks(lines []string, indent int) ([]yamlBlock, bool) {
	var out []yamlBlock
	for _, line := range lines {
		if !isYAMLContent(line) {
			if len(out) > 0 {
				out[len(out)-1].lines = append(out[len(out)-1].lines, line)
			}
			continue
		}
		switch n := indentOf(line); {
		case n < indent:
			return nil, false
		case n == indent && len(out) > 0 && (line[n:] == "-" || strings.HasPrefix(line[n:], "- ")):
			// An indentless sequence: the value of the entry above.
			out[len(out)-1].lines = append(out[len(out)-1].lines, line)
		case n == indent:
			key, _, ok := yamlKey(line[n:])
			if !ok {
				return nil, false
			}
			out = append(out, yamlBlock{key: key, lines: []string{line}})
		case len(out) == 0:
			return nil, false
		default:
			out[len(out)-1].lines = append(out[len(out)-1].lines, line)
		}
	}
	return out, true
}

// yamlChildren splits the value of a block whose value is a block mapping into its entries.
func yamlChildren(b yamlBlock) ([]yamlBlock, bool) {
	_, rest, _ := yamlKey(strings.TrimLeft(b.lines[0], " "))
	if isYAMLContent(rest) {
		return nil, false // a value on the key's line: flow style or a scalar
	}
	for _, line := range b.lines[1:] {
		if isYAMLContent(line) {
			n := indentOf(line)
			if n <= indentOf(b.lines[0]) || line[n] == '-' {
				return nil, false // a sequence, not a mapping
			}
			return yamlBlocks(b.lines[1:], n)
		}
	}
	return nil, true // empty
}

// cutYAML cuts a block-style YAML document as text, without parsing it: the top-level openapi,
// info, servers and security entries, the entries of paths that match one of ours, and the
// entries of components they reach through $ref. In block-style YAML an entry of a mapping starts
// on a line at the mapping's indentation and everything deeper belongs to it, so the cut is exact
// for such documents; ok is false for anything else (flow style, anchors and aliases across
// entries, a $ref outside #/components/), and the caller then parses the whole document.
func cutYAML(ctx context.Context, data []byte, ours *openapi3.T) ([]byte, bool) {
	text := strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), "\r\n", "\n")
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if t := strings.TrimRight(line, " "); strings.HasPrefix(line, "%") || t == "---" || t == "..." {
			continue
		}
		if strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "--- ") {
			return nil, false
		}
		lines = append(lines, line)
	}
	top, ok := yamlBlocks(lines, 0)
	if !ok {
		return nil, false
	}
	sections := map[string]yamlBlock{}
	for _, b := range top {
		if _, dup := sections[b.key]; dup {
			return nil, false
		}
		sections[b.key] = b
	}
	pathsBlock, ok := sections["paths"]
	if !ok {
		return nil, false
	}
	pathEntries, ok := yamlChildren(pathsBlock)
	if !ok || len(pathEntries) == 0 {
		return nil, false
	}
	// The servers decide the path prefix; they are a small part, parsed on their own.
	var upPrefix string
	if sb, ok := sections["servers"]; ok {
		doc, err := loadKin(ctx, []byte("openapi: 3.0.3\ninfo: {title: servers, version: '0'}\npaths: {}\n"+strings.Join(sb.lines, "\n")+"\n"))
		if err != nil {
			return nil, false
		}
		upPrefix = serverPrefix(doc.Servers)
	}
	want := map[string]bool{}
	ourPrefix := serverPrefix(ours.Servers)
	for p := range ours.Paths.Map() {
		want[pathKey(ourPrefix+p)] = true
	}
	var kept []yamlBlock
	for _, e := range pathEntries {
		if want[pathKey(upPrefix+e.key)] {
			kept = append(kept, e)
		}
	}

	// components: kind -> name -> entry, and the order of the kinds.
	comps := map[string]map[string]yamlBlock{}
	var kinds []yamlBlock
	if cb, ok := sections["components"]; ok {
		var ok2 bool
		if kinds, ok2 = yamlChildren(cb); !ok2 {
			return nil, false
		}
		for _, k := range kinds {
			entries, ok := yamlChildren(k)
			if !ok {
				return nil, false
			}
			comps[k.key] = map[string]yamlBlock{}
			for _, e := range entries {
				comps[k.key][e.key] = e
			}
		}
	}
	keptComps := map[string]map[string]bool{"securitySchemes": {}}
	for name := range comps["securitySchemes"] {
		keptComps["securitySchemes"][name] = true
	}
	anchors := map[string]bool{}
	if strings.Contains(text, "&") {
		for _, m := range yamlAnchorRE.FindAllStringSubmatch(text, -1) {
			anchors[m[1]] = true
		}
	}
	queue := append([]yamlBlock(nil), kept...)
	for _, name := range slices.Sorted(mapKeys(comps["securitySchemes"])) {
		queue = append(queue, comps["securitySchemes"][name])
	}
	for len(queue) > 0 {
		body := strings.Join(queue[0].lines, "\n")
		queue = queue[1:]
		// An alias or a merge key makes this entry depend on text that may not be kept.
		if yamlMergeRE.MatchString(body) {
			return nil, false
		}
		if len(anchors) > 0 {
			for _, m := range yamlAliasRE.FindAllStringSubmatch(body, -1) {
				if anchors[m[1]] {
					return nil, false
				}
			}
		}
		for _, m := range yamlRefRE.FindAllStringSubmatch(body, -1) {
			kind, name, ok := componentOf(m[1])
			if !ok {
				return nil, false
			}
			e, found := comps[kind][name]
			if !found {
				continue // unresolvable: kin-openapi reports it
			}
			if keptComps[kind] == nil {
				keptComps[kind] = map[string]bool{}
			}
			if !keptComps[kind][name] {
				keptComps[kind][name] = true
				queue = append(queue, e)
			}
		}
	}

	var b strings.Builder
	for _, k := range []string{"openapi", "info", "servers", "security"} {
		if s, ok := sections[k]; ok {
			b.WriteString(strings.Join(s.lines, "\n") + "\n")
		}
	}
	b.WriteString(pathsBlock.lines[0] + "\n")
	for _, e := range kept {
		b.WriteString(strings.Join(e.lines, "\n") + "\n")
	}
	if len(kinds) > 0 {
		b.WriteString(sections["components"].lines[0] + "\n")
		for _, k := range kinds {
			if len(keptComps[k.key]) == 0 {
				continue
			}
			b.WriteString(k.lines[0] + "\n")
			entries, _ := yamlChildren(k)
			for _, e := range entries {
				if keptComps[k.key][e.key] {
					b.WriteString(strings.Join(e.lines, "\n") + "\n")
				}
			}
		}
	}
	return []byte(b.String()), true
}

// wrapperKey holds a YAML document nested in a minimal one, so that kin-openapi's YAML parser
// hands it back as plain data (an extension's value).
const wrapperKey = "x-upstream-document"

// decodePlain decodes a JSON or YAML document into plain maps, slices and scalars.
func decodePlain(ctx context.Context, data []byte) (map[string]any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err == nil {
		return m, nil
	}
	// YAML: indent the document under wrapperKey. Directives and bare document markers would
	// end up inside the mapping, so they are dropped; anything else on a marker line makes the
	// wrapper fail to parse, and the caller then loads the document whole.
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: wrapper, version: '0'}\npaths: {}\n" + wrapperKey + ":\n")
	for _, line := range strings.Split(string(data), "\n") {
		if t := strings.TrimRight(line, " \t\r"); strings.HasPrefix(line, "%") || t == "---" || t == "..." || strings.HasPrefix(line, "--- #") {
			continue
		}
		b.WriteString("  ")
		b.WriteString(line)
		b.WriteString("\n")
	}
	doc, err := loadKin(ctx, []byte(b.String()))
	if err != nil {
		return nil, err
	}
	m, ok := doc.Extensions[wrapperKey].(map[string]any)
	if !ok {
		return nil, errors.New("not a mapping")
	}
	return m, nil
}

// cutUpstream returns the part of a plain upstream document that the comparison reads: the
// top-level fields it uses, the path items whose paths match one of ours, and the components
// those reach, transitively. ok is false when that cannot be determined safely.
func cutUpstream(raw map[string]any, ours *openapi3.T) (map[string]any, bool) {
	paths, _ := raw["paths"].(map[string]any)
	var servers openapi3.Servers
	if s, ok := raw["servers"]; ok {
		b, err := json.Marshal(s)
		if err != nil || json.Unmarshal(b, &servers) != nil {
			return nil, false
		}
	}
	want := map[string]bool{}
	ourPrefix := serverPrefix(ours.Servers)
	for p := range ours.Paths.Map() {
		want[pathKey(ourPrefix+p)] = true
	}
	upPrefix := serverPrefix(servers)
	keptPaths := map[string]any{}
	for p, item := range paths {
		if want[pathKey(upPrefix+p)] {
			keptPaths[p] = item
		}
	}
	comps, _ := raw["components"].(map[string]any)
	keptComps := map[string]any{}
	if ss, ok := comps["securitySchemes"]; ok {
		keptComps["securitySchemes"] = ss
	}
	queue := []any{keptPaths}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		var refs []string
		if !collectRefs(v, &refs) {
			return nil, false
		}
		for _, ref := range refs {
			kind, name, ok := componentOf(ref)
			if !ok {
				return nil, false
			}
			section, _ := comps[kind].(map[string]any)
			c, found := section[name]
			if !found {
				continue // unresolvable: kin-openapi reports it with its place
			}
			kept, _ := keptComps[kind].(map[string]any)
			if kept == nil {
				kept = map[string]any{}
				keptComps[kind] = kept
			}
			if _, done := kept[name]; !done {
				kept[name] = c
				queue = append(queue, c)
			}
		}
	}
	out := map[string]any{"paths": keptPaths, "components": keptComps}
	for _, k := range []string{"openapi", "info", "servers", "security"} {
		if v, ok := raw[k]; ok {
			out[k] = v
		}
	}
	return out, true
}

// collectRefs appends every $ref string in v. It returns false for a $ref that is not a string.
func collectRefs(v any, refs *[]string) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "$ref" {
				s, ok := e.(string)
				if !ok {
					return false
				}
				*refs = append(*refs, s)
				continue
			}
			if !collectRefs(e, refs) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !collectRefs(e, refs) {
				return false
			}
		}
	}
	return true
}

// componentOf splits "#/components/schemas/Name" (or a pointer below it) into kind and name.
func componentOf(ref string) (kind, name string, ok bool) {
	rest, found := strings.CutPrefix(ref, "#/components/")
	if !found {
		return "", "", false
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 2 {
		return "", "", false
	}
	name, err := url.PathUnescape(parts[1])
	if err != nil {
		return "", "", false
	}
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	return parts[0], name, true
}

// compareUpstream compares every operation of ours with the operation of up at the same method
// and path.
func compareUpstream(ours, up *openapi3.T) *upstreamReport {
	rep := &upstreamReport{}
	ourPrefix, upPrefix := serverPrefix(ours.Servers), serverPrefix(up.Servers)

	doc := upstreamGroup{Label: "document"}
	doc.Diffs = compareServers(ours.Servers, up.Servers, true)
	rep.Groups = append(rep.Groups, doc)

	upIndex := map[string]*openapi3.PathItem{}
	upKeys := slices.Sorted(mapKeys(up.Paths.Map()))
	for _, p := range upKeys {
		k := pathKey(upPrefix + p)
		if upIndex[k] == nil {
			upIndex[k] = up.Paths.Value(p)
		}
	}
	upNames := map[*openapi3.PathItem]string{}
	for _, p := range upKeys {
		upNames[up.Paths.Value(p)] = p
	}

	ourPaths := slices.Sorted(mapKeys(ours.Paths.Map()))
	for _, p := range ourPaths {
		item := ours.Paths.Value(p)
		for _, m := range slices.Sorted(mapKeys(item.Operations())) {
			op := item.GetOperation(m)
			rep.Operations++
			g := upstreamGroup{Label: op.OperationID, Method: m, Path: p}
			if g.Label == "" {
				g.Label = m + " " + p
			}
			c := &comparer{ours: ours, up: up}
			upItem := upIndex[pathKey(ourPrefix+p)]
			var upOp *openapi3.Operation
			if upItem != nil {
				upOp = upItem.GetOperation(m)
			}
			if upOp == nil {
				msg := "not in the upstream document"
				if upItem != nil && len(upItem.Operations()) > 0 {
					msg += fmt.Sprintf(" (its path %s has %s)", upNames[upItem], strings.Join(slices.Sorted(mapKeys(upItem.Operations())), ", "))
				}
				c.add(upFail, "operation", "", "%s", msg)
			} else {
				c.operation(p, item, op, upNames[upItem], upItem, upOp)
			}
			g.Diffs = c.diffs
			rep.Groups = append(rep.Groups, g)
		}
	}
	return rep
}

var pathParam = regexp.MustCompile(`\{[^}/]*\}`)

// pathKey identifies a path template whatever its parameters are called.
func pathKey(p string) string {
	p = pathParam.ReplaceAllString(p, "{}")
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	return p
}

// pathParamNames lists the parameter names of a path template in order.
func pathParamNames(p string) []string {
	var names []string
	for _, m := range pathParam.FindAllString(p, -1) {
		names = append(names, strings.Trim(m, "{}"))
	}
	return names
}

// serverURLs expands server variables (each over its enum, or its default) and returns the URLs.
func serverURLs(servers openapi3.Servers) []string {
	var out []string
	for _, s := range servers {
		if s == nil {
			continue
		}
		urls := []string{s.URL}
		for _, name := range slices.Sorted(mapKeys(s.Variables)) {
			v := s.Variables[name]
			values := v.Enum
			if len(values) == 0 {
				values = []string{v.Default}
			}
			var next []string
			for _, u := range urls {
				for _, val := range values {
					if len(next) < 64 { // a bound against a combinatorial document
						next = append(next, strings.ReplaceAll(u, "{"+name+"}", val))
					}
				}
			}
			urls = next
		}
		out = append(out, urls...)
	}
	return out
}

// serverPrefix is the path of the first server's URL ("/v1" for https://api.example.com/v1),
// which is part of every operation's path.
func serverPrefix(servers openapi3.Servers) string {
	urls := serverURLs(servers)
	if len(urls) == 0 {
		return ""
	}
	u, err := url.Parse(urls[0])
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

// serverOrigin is a server's scheme and host, lower-cased.
func serverOrigin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

func originSet(servers openapi3.Servers) []string {
	set := map[string]bool{}
	for _, u := range serverURLs(servers) {
		set[serverOrigin(u)] = true
	}
	return slices.Sorted(mapKeys(set))
}

// compareServers compares two server lists by origin. atTop says these are the documents'
// top-level lists, where an upstream document without servers is only noted.
func compareServers(ours, up openapi3.Servers, atTop bool) []upstreamDiff {
	c := &comparer{}
	o, u := originSet(ours), originSet(up)
	if atTop && len(u) == 0 {
		c.add(upNote, "servers", "", "the upstream document lists no servers; not compared")
		return c.diffs
	}
	for _, s := range o {
		if !slices.Contains(u, s) {
			c.add(upFail, "servers", "", "%s only here (upstream: %s)", s, orNone(u))
		}
	}
	for _, s := range u {
		if !slices.Contains(o, s) {
			c.add(upNote, "servers", "", "%s only upstream", s)
		}
	}
	return c.diffs
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// direction is the way a message travels: a request from the SDK to Stytch, or a response back.
type direction int

const (
	dirRequest direction = iota
	dirResponse
)

// relation says how the set of values the spec accepts at a place relates to upstream's.
type relation int

const (
	relEqual    relation = iota
	relStricter          // the spec accepts less than upstream
	relLooser            // the spec accepts more than upstream
	relConflict          // neither contains the other
)

// severity applies the direction rule: a request may be stricter, a response looser.
func severity(d direction, r relation) upstreamKind {
	switch {
	case d == dirRequest && r == relStricter, d == dirResponse && r == relLooser:
		return upNote
	default:
		return upFail
	}
}

// comparer collects the differences of one operation.
type comparer struct {
	ours, up *openapi3.T
	diffs    []upstreamDiff
	// stack holds the schema pairs being compared, so that a recursive schema ends the descent.
	stack map[[2]*openapi3.Schema]bool
}

func (c *comparer) add(k upstreamKind, place, pointer, format string, args ...any) {
	c.diffs = append(c.diffs, upstreamDiff{Kind: k, Place: place, Pointer: pointer, Message: fmt.Sprintf(format, args...)})
}

func (c *comparer) operation(ourPath string, item *openapi3.PathItem, op *openapi3.Operation, upPath string, upItem *openapi3.PathItem, upOp *openapi3.Operation) {
	// Servers, only where an operation or path overrides the document's list.
	if hasServers(item, op) || hasServers(upItem, upOp) {
		c.diffs = append(c.diffs, compareServers(effectiveServers(c.ours, item, op), effectiveServers(c.up, upItem, upOp), false)...)
	}
	c.security(op, upOp)
	c.parameters(ourPath, item, op, upPath, upItem, upOp)
	c.requestBody(op, upOp)
	c.responses(op, upOp)
}

func effectiveServers(doc *openapi3.T, item *openapi3.PathItem, op *openapi3.Operation) openapi3.Servers {
	if op.Servers != nil && len(*op.Servers) > 0 {
		return *op.Servers
	}
	if len(item.Servers) > 0 {
		return item.Servers
	}
	return doc.Servers
}

// securityAlternatives describes each alternative of an operation's security by scheme type, so
// that two documents naming the same scheme differently agree.
func securityAlternatives(doc *openapi3.T, op *openapi3.Operation) []string {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	set := map[string]bool{}
	for _, req := range reqs {
		var parts []string
		for _, name := range slices.Sorted(mapKeys(req)) {
			part := schemeSignature(doc, name)
			if scopes := slices.Sorted(slices.Values(req[name])); len(scopes) > 0 {
				part += " [" + strings.Join(scopes, " ") + "]"
			}
			parts = append(parts, part)
		}
		if len(parts) == 0 {
			parts = []string{"none (anonymous)"}
		}
		slices.Sort(parts)
		set[strings.Join(parts, " + ")] = true
	}
	if len(set) == 0 {
		set["none (anonymous)"] = true
	}
	return slices.Sorted(mapKeys(set))
}

func schemeSignature(doc *openapi3.T, name string) string {
	if doc.Components == nil || doc.Components.SecuritySchemes[name] == nil || doc.Components.SecuritySchemes[name].Value == nil {
		return "undefined scheme " + name
	}
	s := doc.Components.SecuritySchemes[name].Value
	switch s.Type {
	case "http":
		return "http " + strings.ToLower(s.Scheme)
	case "apiKey":
		return "apiKey " + s.In + " " + s.Name
	default:
		return s.Type
	}
}

func (c *comparer) security(op, upOp *openapi3.Operation) {
	o, u := securityAlternatives(c.ours, op), securityAlternatives(c.up, upOp)
	for _, a := range o {
		if !slices.Contains(u, a) {
			c.add(upFail, "security", "", "%s here, not accepted upstream (upstream: %s)", a, strings.Join(u, "; "))
		}
	}
	for _, a := range u {
		if !slices.Contains(o, a) {
			c.add(upNote, "security", "", "upstream also accepts %s", a)
		}
	}
}

// ignoredHeaders are header parameters a vendor document may list that the spec expresses
// otherwise (security, content negotiation).
var ignoredHeaders = []string{"accept", "authorization", "content-type"}

type paramEntry struct {
	label string // "path member_id"
	p     *openapi3.Parameter
}

// params returns an operation's parameters (the path item's, overridden by the operation's),
// keyed by location and name; path parameters are named after rename, which maps a position in
// the path to the spec's name for it.
func params(item *openapi3.PathItem, op *openapi3.Operation, rename map[string]string) map[string]paramEntry {
	out := map[string]paramEntry{}
	for _, list := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, pr := range list {
			if pr == nil || pr.Value == nil {
				continue
			}
			p := pr.Value
			name := p.Name
			if p.In == openapi3.ParameterInPath && rename[name] != "" {
				name = rename[name]
			}
			if p.In == openapi3.ParameterInHeader {
				if slices.Contains(ignoredHeaders, strings.ToLower(name)) {
					continue
				}
				name = strings.ToLower(name)
			}
			label := p.In + " " + name
			if p.In == openapi3.ParameterInHeader {
				label = p.In + " " + p.Name // as written; matched without case
			}
			out[p.In+" "+name] = paramEntry{label: label, p: p}
		}
	}
	return out
}

func (c *comparer) parameters(ourPath string, item *openapi3.PathItem, op *openapi3.Operation, upPath string, upItem *openapi3.PathItem, upOp *openapi3.Operation) {
	rename := map[string]string{}
	ourNames, upNames := pathParamNames(ourPath), pathParamNames(upPath)
	for i, n := range upNames {
		if i < len(ourNames) {
			rename[n] = ourNames[i]
		}
	}
	o, u := params(item, op, nil), params(upItem, upOp, rename)
	keys := map[string]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range u {
		keys[k] = true
	}
	for _, k := range slices.Sorted(mapKeys(keys)) {
		po, okO := o[k]
		pu, okU := u[k]
		place := "parameter " + po.label
		if !okO {
			place = "parameter " + pu.label
		}
		switch {
		case okO && !okU:
			if po.p.Required {
				c.add(upFail, place, "", "required here, not in the upstream document")
			} else {
				c.add(upNote, place, "", "optional parameter only here")
			}
		case !okO && okU:
			if pu.p.Required {
				c.add(upFail, place, "", "missing here, required upstream")
			} else {
				c.add(upNote, place, "", "missing here (optional upstream; the SDK cannot send it)")
			}
		default:
			if po.p.Required != pu.p.Required {
				c.required(dirRequest, place, "", po.p.Required)
			}
			c.schema(dirRequest, place, "", po.p.Schema, pu.p.Schema)
		}
	}
}

// required reports that the spec and upstream disagree on whether the thing at place and pointer
// is required; ours is the spec's answer.
func (c *comparer) required(d direction, place, pointer string, ours bool) {
	if ours {
		c.add(severity(d, relStricter), place, pointer, "required here, optional upstream")
	} else {
		c.add(severity(d, relLooser), place, pointer, "optional here, required upstream")
	}
}

// jsonSchema returns the schema of a content map's JSON media type, and whether there is one.
func jsonSchema(content openapi3.Content) (*openapi3.SchemaRef, bool) {
	for _, ct := range slices.Sorted(mapKeys(content)) {
		base, _, _ := strings.Cut(strings.ToLower(ct), ";")
		base = strings.TrimSpace(base)
		if base == "application/json" || strings.HasSuffix(base, "+json") {
			if mt := content[ct]; mt != nil && mt.Schema != nil {
				return mt.Schema, true
			}
		}
	}
	return nil, false
}

func (c *comparer) requestBody(op, upOp *openapi3.Operation) {
	var o, u *openapi3.RequestBody
	if op.RequestBody != nil {
		o = op.RequestBody.Value
	}
	if upOp.RequestBody != nil {
		u = upOp.RequestBody.Value
	}
	const place = "request body"
	switch {
	case o == nil && u == nil:
		return
	case o != nil && u == nil:
		c.add(upFail, place, "", "sent here, not in the upstream document")
		return
	case o == nil && u != nil:
		if u.Required {
			c.add(upFail, place, "", "missing here, required upstream")
		} else {
			c.add(upNote, place, "", "missing here (optional upstream)")
		}
		return
	}
	if o.Required != u.Required {
		c.required(dirRequest, place, "", o.Required)
	}
	os, okO := jsonSchema(o.Content)
	us, okU := jsonSchema(u.Content)
	switch {
	case okO && !okU:
		c.add(upFail, place, "", "a JSON body here; upstream documents none")
	case !okO && okU:
		c.add(upFail, place, "", "no JSON body here; upstream documents one")
	case okO && okU:
		c.schema(dirRequest, place, "", os, us)
	}
}

// responseFor finds the response a status falls under: its own, its range (4XX), or default.
func responseFor(rs *openapi3.Responses, code string) (*openapi3.Response, string) {
	if rs == nil {
		return nil, ""
	}
	m := rs.Map()
	keys := []string{code}
	if len(code) == 3 && code != "default" {
		keys = append(keys, code[:1]+"XX", code[:1]+"xx")
	}
	keys = append(keys, "default")
	for _, k := range keys {
		if r := m[k]; r != nil && r.Value != nil {
			return r.Value, k
		}
	}
	return nil, ""
}

func (c *comparer) responses(op, upOp *openapi3.Operation) {
	codes := map[string]bool{}
	for _, rs := range []*openapi3.Responses{op.Responses, upOp.Responses} {
		if rs != nil {
			for k := range rs.Map() {
				codes[k] = true
			}
		}
	}
	ordered := slices.Sorted(mapKeys(codes))
	// Statuses in numeric order (ranges after their codes), default last.
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i] != "default" && ordered[j] == "default" })
	covering := map[string]bool{} // the spec's ranges and default that an upstream status fell under
	for _, code := range ordered {
		place := "response " + code
		o, ok := responseFor(op.Responses, code)
		u, uk := responseFor(upOp.Responses, code)
		switch {
		case o == nil && u == nil:
			continue
		case o != nil && u == nil:
			if ok == code && !covering[code] {
				c.add(upNote, place, "", "documented only here")
			}
			continue
		case o == nil && u != nil:
			c.add(upFail, place, "", "documented upstream, not here")
			continue
		}
		if ok != code && uk != code {
			continue // neither documents this status itself
		}
		if ok != code {
			covering[ok] = true
			place += " (" + ok + " here)"
		} else if uk != code {
			place += " (" + uk + " upstream)"
		}
		os, okO := jsonSchema(o.Content)
		us, okU := jsonSchema(u.Content)
		switch {
		case okO && !okU:
			c.add(upNote, place, "", "a JSON body here; upstream documents none")
		case !okO && okU:
			c.add(upFail, place, "", "no JSON body here; upstream documents one")
		case okO && okU:
			c.schema(dirResponse, place, "", os, us)
		}
	}
}

// anySchema stands for a schema a document leaves out: it accepts anything.
var anySchema = &openapi3.Schema{}

// allTypes is every JSON type a schema can name, "null" aside.
var allTypes = []string{"array", "boolean", "integer", "number", "object", "string"}

// schemaView is a schema with $ref, allOf and nullable unions resolved into one description.
type schemaView struct {
	id                  *openapi3.Schema
	types               []string // sorted, without "null"; nil means any type
	nullable            bool
	format              string
	enum                []any // the values allowed, null aside; nil when not constrained
	known               []any // x-stytch-known-values
	props               map[string]*openapi3.SchemaRef
	required            map[string]bool
	items               *openapi3.SchemaRef
	addl                *openapi3.SchemaRef
	union               string // "oneOf" or "anyOf" when the schema is a choice of several non-null schemas
	members             openapi3.SchemaRefs
	readOnly, writeOnly bool
}

func viewOf(ref *openapi3.SchemaRef) *schemaView {
	v := &schemaView{id: anySchema, props: map[string]*openapi3.SchemaRef{}, required: map[string]bool{}}
	if ref == nil || ref.Value == nil {
		return v
	}
	v.id = unwrap(ref.Value)
	v.merge(ref.Value, 0)
	if v.types == nil {
		switch {
		case len(v.props) > 0 || v.addl != nil:
			v.types = []string{"object"}
		case v.items != nil:
			v.types = []string{"array"}
		}
	}
	return v
}

// unwrap follows wrappers that only add nullability or a description to one schema (allOf with a
// single member, oneOf or anyOf with one non-null member) to that schema, which identifies the
// pair being compared when a recursive schema is reached again.
func unwrap(s *openapi3.Schema) *openapi3.Schema {
	for range 16 {
		if s.Type != nil && !isNullOnly(s) || len(s.Properties) > 0 || s.Items != nil {
			return s
		}
		var only *openapi3.SchemaRef
		n := 0
		for _, list := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, m := range list {
				if m != nil && m.Value != nil && !isNullOnly(m.Value) {
					only = m
					n++
				}
			}
		}
		if n != 1 {
			return s
		}
		s = only.Value
	}
	return s
}

// isNullOnly reports whether s accepts only null (a member of a "nullable" union in 3.1 style).
func isNullOnly(s *openapi3.Schema) bool {
	if s == nil {
		return false
	}
	if s.Type != nil && len(*s.Type) == 1 && (*s.Type)[0] == "null" {
		return true
	}
	return s.Type == nil && len(s.Enum) == 1 && s.Enum[0] == nil
}

func (v *schemaView) merge(s *openapi3.Schema, depth int) {
	if s == nil || depth > 16 {
		return
	}
	if s.Type != nil {
		var ts []string
		for _, t := range *s.Type {
			if t == "null" {
				v.nullable = true
			} else {
				ts = append(ts, t)
			}
		}
		slices.Sort(ts)
		switch {
		case len(ts) == 0:
		case v.types == nil:
			v.types = ts
		default: // two allOf members with types: both apply
			var both []string
			for _, t := range v.types {
				if slices.Contains(ts, t) {
					both = append(both, t)
				}
			}
			v.types = both
		}
	}
	if s.Nullable {
		v.nullable = true
	}
	if v.format == "" {
		v.format = s.Format
	}
	if len(s.Enum) > 0 {
		var vals []any
		for _, e := range s.Enum {
			if e == nil {
				v.nullable = true
				continue
			}
			vals = append(vals, e)
		}
		if v.enum == nil {
			v.enum = vals
		}
	}
	if kv, ok := s.Extensions[extKnownValues].([]any); ok && v.known == nil {
		v.known = kv
	}
	for name, p := range s.Properties {
		if v.props[name] == nil {
			v.props[name] = p
		}
	}
	for _, r := range s.Required {
		v.required[r] = true
	}
	if v.items == nil && s.Items != nil {
		v.items = s.Items
	}
	if v.addl == nil && s.AdditionalProperties.Schema != nil {
		v.addl = s.AdditionalProperties.Schema
	}
	v.readOnly = v.readOnly || s.ReadOnly
	v.writeOnly = v.writeOnly || s.WriteOnly
	for _, m := range s.AllOf {
		if m != nil {
			v.merge(m.Value, depth+1)
		}
	}
	for _, u := range []struct {
		kind    string
		members openapi3.SchemaRefs
	}{{"oneOf", s.OneOf}, {"anyOf", s.AnyOf}} {
		var rest openapi3.SchemaRefs
		for _, m := range u.members {
			if m == nil || m.Value == nil {
				continue
			}
			if isNullOnly(m.Value) {
				v.nullable = true
				continue
			}
			rest = append(rest, m)
		}
		switch {
		case len(rest) == 1:
			v.merge(rest[0].Value, depth+1)
		case len(rest) > 1 && v.union == "":
			v.union, v.members = u.kind, rest
		}
	}
}

// typeSet is the set of JSON types a list accepts; "number" includes "integer".
func typeSet(ts []string) map[string]bool {
	if ts == nil {
		ts = allTypes
	}
	set := map[string]bool{}
	for _, t := range ts {
		set[t] = true
		if t == "number" {
			set["integer"] = true
		}
	}
	return set
}

func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func typeRelation(ours, up []string) relation {
	o, u := typeSet(ours), typeSet(up)
	switch oSub, uSub := subset(o, u), subset(u, o); {
	case oSub && uSub:
		return relEqual
	case oSub:
		return relStricter
	case uSub:
		return relLooser
	default:
		return relConflict
	}
}

// formatWidth orders the formats that only narrow a range: int32 within int64, float within double.
var formatWidth = map[string][2]int{"int32": {1, 1}, "int64": {1, 2}, "float": {2, 1}, "double": {2, 2}}

func formatRelation(ours, up string) relation {
	switch {
	case ours == up:
		return relEqual
	case ours == "":
		return relLooser
	case up == "":
		return relStricter
	}
	o, okO := formatWidth[ours]
	u, okU := formatWidth[up]
	if okO && okU && o[0] == u[0] {
		if o[1] < u[1] {
			return relStricter
		}
		return relLooser
	}
	return relConflict
}

func typesString(ts []string) string {
	if ts == nil {
		return "any"
	}
	return strings.Join(ts, "|")
}

func formatString(f string) string {
	if f == "" {
		return "none"
	}
	return f
}

// valueKey renders an enum value as JSON, which both identifies and displays it.
func valueKey(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func valueSet(lists ...[]any) map[string]bool {
	var set map[string]bool
	for _, l := range lists {
		for _, v := range l {
			if v == nil {
				continue
			}
			if set == nil {
				set = map[string]bool{}
			}
			set[valueKey(v)] = true
		}
	}
	return set
}

func keysString(set map[string]bool) string {
	return "[" + strings.Join(slices.Sorted(mapKeys(set)), " ") + "]"
}

// maxSchemaDepth bounds the descent into a schema; no real document nests this deep.
const maxSchemaDepth = 64

// schema compares two schemas at place and pointer, recursively.
func (c *comparer) schema(d direction, place, pointer string, oursRef, upRef *openapi3.SchemaRef) {
	o, u := viewOf(oursRef), viewOf(upRef)
	key := [2]*openapi3.Schema{o.id, u.id}
	if c.stack == nil {
		c.stack = map[[2]*openapi3.Schema]bool{}
	}
	if c.stack[key] || len(c.stack) >= maxSchemaDepth {
		return // a recursive schema: this pair is already being compared further up
	}
	c.stack[key] = true
	defer delete(c.stack, key)

	tr := typeRelation(o.types, u.types)
	if tr != relEqual {
		c.add(severity(d, tr), place, pointer, "type %s here, %s upstream", typesString(o.types), typesString(u.types))
	}
	if tr == relConflict {
		return // what is below a different type is not comparable
	}
	if fr := formatRelation(o.format, u.format); fr != relEqual {
		c.add(severity(d, fr), place, pointer, "format %s here, %s upstream", formatString(o.format), formatString(u.format))
	}
	switch {
	case o.nullable && !u.nullable:
		c.add(severity(d, relLooser), place, pointer, "nullable here, not upstream")
	case !o.nullable && u.nullable:
		c.add(severity(d, relStricter), place, pointer, "not nullable here, nullable upstream")
	}
	c.values(d, place, pointer, o, u)

	if o.union != "" || u.union != "" {
		if o.union != u.union || len(o.members) != len(u.members) {
			c.add(upFail, place, pointer, "%s here, %s upstream; not compared further", unionString(o), unionString(u))
			return
		}
		for i := range o.members {
			c.schema(d, place, fmt.Sprintf("%s/%s[%d]", pointer, o.union, i), o.members[i], u.members[i])
		}
	}

	c.properties(d, place, pointer, o, u)
	if o.items != nil || u.items != nil {
		c.schema(d, place, pointer+"[]", o.items, u.items)
	}
	if o.addl != nil && u.addl != nil {
		c.schema(d, place, pointer+"/*", o.addl, u.addl)
	}
}

func unionString(v *schemaView) string {
	if v.union == "" {
		return "a single schema"
	}
	return fmt.Sprintf("%s of %d schemas", v.union, len(v.members))
}

// values compares enums and known values.
func (c *comparer) values(d direction, place, pointer string, o, u *schemaView) {
	if d == dirRequest {
		oe, ue := valueSet(o.enum), valueSet(u.enum)
		switch {
		case oe == nil && ue == nil:
		case oe == nil:
			c.add(upFail, place, pointer, "any value here; upstream accepts only %s", keysString(ue))
		case ue == nil:
			c.add(upNote, place, pointer, "enum %s here; upstream accepts any value", keysString(oe))
		default:
			for _, k := range slices.Sorted(mapKeys(oe)) {
				if !ue[k] {
					c.add(upNote, place, pointer, "enum value %s only here", k)
				}
			}
			for _, k := range slices.Sorted(mapKeys(ue)) {
				if !oe[k] {
					c.add(upNote, place, pointer, "enum value %s only upstream (the SDK does not accept it)", k)
				}
			}
		}
		return
	}
	// Responses: upstream's enum and known values are what Stytch says it sends; the spec's are
	// what the SDK and the drift detector expect.
	ol, ul := valueSet(o.enum, o.known), valueSet(u.enum, u.known)
	switch {
	case ol == nil && ul == nil:
	case ol == nil:
		c.add(upNote, place, pointer, "upstream lists the values %s; none listed here", keysString(ul))
	case ul == nil:
		if o.enum != nil {
			c.add(upFail, place, pointer, "enum %s here; upstream lists no values", keysString(ol))
		} else {
			c.add(upNote, place, pointer, "known values %s here; upstream lists none", keysString(ol))
		}
	default:
		for _, k := range slices.Sorted(mapKeys(ol)) {
			if !ul[k] {
				c.add(upNote, place, pointer, "value %s listed only here", k)
			}
		}
		for _, k := range slices.Sorted(mapKeys(ul)) {
			if !ol[k] {
				c.add(upFail, place, pointer, "value %s listed upstream, not here", k)
			}
		}
	}
}

// escapePointer escapes a property name as a JSON pointer segment.
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (c *comparer) properties(d direction, place, pointer string, o, u *schemaView) {
	// A property one side marks readOnly does not travel in requests, writeOnly not in responses.
	skip := func(p *openapi3.SchemaRef) bool {
		if p == nil || p.Value == nil {
			return false
		}
		return (d == dirRequest && p.Value.ReadOnly) || (d == dirResponse && p.Value.WriteOnly)
	}
	names := map[string]bool{}
	for n, p := range o.props {
		if !skip(p) {
			names[n] = true
		}
	}
	for n, p := range u.props {
		if !skip(p) {
			names[n] = true
		}
	}
	for _, name := range slices.Sorted(mapKeys(names)) {
		ptr := pointer + "/" + escapePointer(name)
		po, pu := o.props[name], u.props[name]
		if skip(po) || skip(pu) {
			continue
		}
		ro, ru := o.required[name], u.required[name]
		switch {
		case po != nil && pu == nil:
			if ro {
				c.add(upFail, place, ptr, "field only here, required here")
			} else {
				c.add(upNote, place, ptr, "field only here (optional)")
			}
		case po == nil && pu != nil:
			switch {
			case d == dirResponse:
				c.add(upFail, place, ptr, "field missing here (%s upstream)", requiredWord(ru))
			case ru:
				c.add(upFail, place, ptr, "field missing here, required upstream")
			default:
				c.add(upNote, place, ptr, "field missing here (optional upstream; the SDK cannot send it)")
			}
		default:
			if ro != ru {
				c.required(d, place, ptr, ro)
			}
			c.schema(d, place, ptr, po, pu)
		}
	}
}

func requiredWord(r bool) string {
	if r {
		return "required"
	}
	return "optional"
}

// hasServers reports whether an operation or its path item overrides the document's servers.
func hasServers(item *openapi3.PathItem, op *openapi3.Operation) bool {
	return (op.Servers != nil && len(*op.Servers) > 0) || len(item.Servers) > 0
}
