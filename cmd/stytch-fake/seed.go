package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
	"github.com/b2bauth/stytch-b2b-go/gen"
	"github.com/b2bauth/stytch-b2b-go/internal/contract"
)

// loadSeed reads a seed file (JSON or YAML) and returns the options that add its organizations
// and members. YAML is read with kin-openapi's loader (which accepts JSON and YAML and keeps keys
// it does not know as extensions), so no YAML library is added to the module. Every object is
// checked property by property against the spec's Organization or Member schema; an error names
// the file, the object and the property.
func loadSeed(path string) ([]b2btest.Option, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the -seed file the user named
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("seed %s: not JSON or YAML: %w", path, err)
	}
	// The loader reads an OpenAPI document: the keys it knows land in fields, not extensions.
	if doc.OpenAPI != "" || doc.Info != nil || doc.Paths.Len() > 0 || doc.Components != nil || len(doc.Servers) > 0 ||
		len(doc.Security) > 0 || len(doc.Tags) > 0 || doc.ExternalDocs != nil {
		return nil, fmt.Errorf("seed %s: it has keys of an OpenAPI document (openapi, info, paths, ...); a seed has organizations and members only", path)
	}
	var keys []string
	for k := range doc.Extensions {
		if k != "organizations" && k != "members" {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		sort.Strings(keys)
		return nil, fmt.Errorf("seed %s: unknown top-level key %q (a seed has organizations and members)", path, keys[0])
	}
	v := contract.MustShared()
	var opts []b2btest.Option
	for _, section := range []struct{ key, schema string }{{"organizations", "Organization"}, {"members", "Member"}} {
		raw, ok := doc.Extensions[section.key]
		if !ok {
			continue
		}
		list, ok := raw.([]any)
		if !ok {
			return nil, fmt.Errorf("seed %s: %s must be a list", path, section.key)
		}
		schema := v.Doc().Components.Schemas[section.schema].Value
		for i, item := range list {
			where := fmt.Sprintf("seed %s: %s[%d]", path, section.key, i)
			obj, ok := item.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: must be an object", where)
			}
			if err := checkObject(schema, section.schema, obj); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			b, _ := json.Marshal(obj)
			switch section.key {
			case "organizations":
				var org gen.Organization
				if err := json.Unmarshal(b, &org); err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
				opts = append(opts, b2btest.WithOrganization(org))
			case "members":
				var m gen.Member
				if err := json.Unmarshal(b, &m); err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
				if m.OrganizationID == "" || m.EmailAddress == "" {
					return nil, fmt.Errorf("%s: organization_id and email_address are required", where)
				}
				opts = append(opts, b2btest.WithMember(m))
			}
		}
	}
	return opts, nil
}

// checkObject validates each property of obj against its schema in the component schema: a
// seed gives only the properties it cares about, so required properties are not demanded, but a
// property the schema does not have, or a value of the wrong type or outside an enum, is refused.
func checkObject(schema *openapi3.Schema, name string, obj map[string]any) error {
	props := make([]string, 0, len(obj))
	for k := range obj {
		props = append(props, k)
	}
	sort.Strings(props)
	for _, k := range props {
		ps, ok := schema.Properties[k]
		if !ok || ps.Value == nil {
			known := make([]string, 0, len(schema.Properties))
			for p := range schema.Properties {
				known = append(known, p)
			}
			slices.Sort(known)
			return fmt.Errorf("%s has no property %q (it has %s)", name, k, strings.Join(known, ", "))
		}
		if err := ps.Value.VisitJSON(obj[k], openapi3.MultiErrors()); err != nil {
			return fmt.Errorf("%s: %v", k, oneLine(err))
		}
	}
	return nil
}

// oneLine writes err on one line. It asserts each error's own type, not errors.As: a MultiError's
// As matches any of its errors, which would lose the others.
func oneLine(err error) string {
	var parts []string
	if me, ok := err.(openapi3.MultiError); ok { //nolint:errorlint // see above
		for _, e := range me {
			parts = append(parts, oneLine(e))
		}
		return strings.Join(parts, "; ")
	}
	if se, ok := err.(*openapi3.SchemaError); ok { //nolint:errorlint // see above
		where := ""
		if p := se.JSONPointer(); len(p) > 0 {
			where = "/" + strings.Join(p, "/") + ": "
		}
		return where + se.Reason
	}
	return err.Error()
}
