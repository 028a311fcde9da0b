package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/web"
)

// openAPI is the parsed OpenAPI document, with the checks the tests make
// against it.
type openAPI struct {
	doc map[string]any
}

func loadOpenAPI(tb testing.TB) *openAPI {
	tb.Helper()
	var doc map[string]any
	if err := json.Unmarshal(web.OpenAPIDoc, &doc); err != nil {
		tb.Fatalf("openapi.json is not JSON: %v", err)
	}
	return &openAPI{doc: doc}
}

// resolve follows a local $ref ("#/components/…") until a value without one.
func (o *openAPI) resolve(v any) any {
	for i := 0; i < 10; i++ {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		v = o.pointer(ref)
	}
	return nil
}

// pointer returns the value at a "#/a/b" reference, or nil.
func (o *openAPI) pointer(ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = o.doc
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[strings.NewReplacer("~1", "/", "~0", "~").Replace(part)]
	}
	return cur
}

// operation returns the operation object for method and path (below
// /api/v1), or nil.
func (o *openAPI) operation(method, path string) map[string]any {
	paths, _ := o.doc["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	return op
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations lists "METHOD path" for every documented operation.
func (o *openAPI) operations() []string {
	var out []string
	paths, _ := o.doc["paths"].(map[string]any)
	for p, item := range paths {
		for m := range item.(map[string]any) {
			if slices.Contains(httpMethods, m) {
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// params returns the names of an operation's parameters in location in.
func (o *openAPI) params(op map[string]any, in string) []string {
	var out []string
	list, _ := op["parameters"].([]any)
	for _, p := range list {
		pm, _ := o.resolve(p).(map[string]any)
		if pm["in"] == in {
			out = append(out, pm["name"].(string))
		}
	}
	sort.Strings(out)
	return out
}

// validate checks v against a schema, for the subset of JSON Schema the
// document uses: $ref, type (one or several), properties, required,
// additionalProperties, items, enum, minimum, maximum and pattern. It
// returns what fails, each with its place in v.
func (o *openAPI) validate(schema any, v any, at string) []string {
	s, ok := o.resolve(schema).(map[string]any)
	if !ok {
		return []string{at + ": unresolvable schema"}
	}
	var errs []string
	if t, ok := s["type"]; ok {
		var types []string
		switch x := t.(type) {
		case string:
			types = []string{x}
		case []any:
			for _, y := range x {
				types = append(types, y.(string))
			}
		}
		if !slices.ContainsFunc(types, func(tn string) bool { return jsonType(v, tn) }) {
			return []string{fmt.Sprintf("%s: %s is not %v", at, describeJSON(v), types)}
		}
	}
	if e, ok := s["enum"].([]any); ok && !slices.Contains(e, v) {
		errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", at, v, e))
	}
	if n, ok := v.(float64); ok {
		if min, ok := s["minimum"].(float64); ok && n < min {
			errs = append(errs, fmt.Sprintf("%s: %v < minimum %v", at, n, min))
		}
		if max, ok := s["maximum"].(float64); ok && n > max {
			errs = append(errs, fmt.Sprintf("%s: %v > maximum %v", at, n, max))
		}
	}
	if pat, ok := s["pattern"].(string); ok {
		if str, ok := v.(string); ok && !regexp.MustCompile(pat).MatchString(str) {
			errs = append(errs, fmt.Sprintf("%s: %q does not match %s", at, str, pat))
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := x[r.(string)]; !ok {
					errs = append(errs, fmt.Sprintf("%s: required member %q is missing", at, r))
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k]; ok {
				errs = append(errs, o.validate(ps, x[k], at+"/"+k)...)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, fmt.Sprintf("%s: member %q is not documented", at, k))
				}
			case map[string]any:
				errs = append(errs, o.validate(ap, x[k], at+"/"+k)...)
			}
		}
	case []any:
		if items, ok := s["items"]; ok {
			for i, y := range x {
				errs = append(errs, o.validate(items, y, at+"/"+strconv.Itoa(i))...)
			}
		}
	}
	return errs
}

func jsonType(v any, t string) bool {
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		n, ok := v.(float64)
		return ok && n == float64(int64(n))
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

func describeJSON(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		b = append(b[:77], "..."...)
	}
	return string(b)
}

// checkResponse fails unless the response is one the document gives for
// the operation: its status listed (or "default" for a 5xx), its media
// type, and its body valid against the schema.
func (o *openAPI) checkResponse(tb testing.TB, method, path string, status int, contentType string, body []byte) {
	tb.Helper()
	op := o.operation(method, path)
	if op == nil {
		tb.Fatalf("%s %s is not documented", method, path)
	}
	responses, _ := op["responses"].(map[string]any)
	r, ok := responses[strconv.Itoa(status)]
	if !ok && status >= 500 {
		r, ok = responses["default"]
	}
	if !ok {
		tb.Fatalf("%s %s answered %d, which the document does not list (body %s)", method, path, status, body)
	}
	rm, _ := o.resolve(r).(map[string]any)
	content, _ := rm["content"].(map[string]any)
	if len(content) == 0 {
		if len(bytes.TrimSpace(body)) != 0 {
			tb.Fatalf("%s %s %d: documented without a body, got %s", method, path, status, body)
		}
		return
	}
	mt := strings.TrimSpace(strings.Split(contentType, ";")[0])
	media, ok := content[mt].(map[string]any)
	if !ok {
		// A download of whatever type was uploaded is documented as */*.
		if _, any := content["*/*"]; any && mt != "" && mt != "application/json" && mt != "application/problem+json" {
			return
		}
		tb.Fatalf("%s %s %d: Content-Type %q is not documented", method, path, status, contentType)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		tb.Fatalf("%s %s %d: body is not JSON: %v", method, path, status, err)
	}
	if errs := o.validate(media["schema"], v, "$"); len(errs) > 0 {
		tb.Fatalf("%s %s %d: body does not match the document:\n%s\nbody: %s", method, path, status, strings.Join(errs, "\n"), body)
	}
}

// Ensure every route the server registers is documented with its query
// parameters, and every documented operation is served.
func TestOpenAPI_MatchesRoutes(t *testing.T) {
	o := loadOpenAPI(t)
	var served []string
	for _, rt := range web.APIRoutes() {
		key := rt.Method + " " + rt.Path
		served = append(served, key)
		op := o.operation(rt.Method, rt.Path)
		if op == nil {
			t.Errorf("%s is served but not documented", key)
			continue
		}
		wantQuery := slices.Clone(rt.Query)
		if !rt.Public {
			wantQuery = append(wantQuery, "tenant")
		}
		sort.Strings(wantQuery)
		if got := o.params(op, "query"); !slices.Equal(got, wantQuery) {
			t.Errorf("%s: documented query parameters %v, served %v", key, got, wantQuery)
		}
		var pathParams []string
		for _, m := range regexp.MustCompile(`\{([a-z_]+)\}`).FindAllStringSubmatch(rt.Path, -1) {
			pathParams = append(pathParams, m[1])
		}
		if got := o.params(op, "path"); !slices.Equal(got, pathParams) {
			t.Errorf("%s: documented path parameters %v, in the path %v", key, got, pathParams)
		}
		sec, hasSec := op["security"].([]any)
		if rt.Public != (hasSec && len(sec) == 0) {
			t.Errorf("%s: public %v, but the document's security is %v", key, rt.Public, op["security"])
		}
		if !rt.Public && !strings.Contains(fmt.Sprint(op["description"]), "`"+string(rt.Perm)+"`") {
			t.Errorf("%s: the description does not name the %s permission it needs", key, rt.Perm)
		}
	}
	sort.Strings(served)
	for _, key := range o.operations() {
		if _, found := slices.BinarySearch(served, key); !found {
			t.Errorf("%s is documented but not served", key)
		}
	}
}

// Ensure the document holds together: OpenAPI 3.1, bearer security, every
// reference resolves, operation ids are unique, every operation lists a
// success and the problem responses, and the device schemas name exactly
// the device fields.
func TestOpenAPI_Document(t *testing.T) {
	o := loadOpenAPI(t)
	if o.doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v", o.doc["openapi"])
	}
	if s := o.pointer("#/components/securitySchemes/bearerAuth"); fmt.Sprint(s) != fmt.Sprint(map[string]any{"type": "http", "scheme": "bearer",
		"bearerFormat": "vgl_…", "description": "An API token from `vigil token create` or POST /tokens"}) {
		t.Fatalf("bearerAuth = %v", s)
	}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && o.pointer(ref) == nil {
				t.Errorf("%s: $ref %s does not resolve", at, ref)
			}
			for k, y := range x {
				walk(y, at+"/"+k)
			}
		case []any:
			for i, y := range x {
				walk(y, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(o.doc, "#")
	ids := map[string]string{}
	for _, key := range o.operations() {
		m, p, _ := strings.Cut(key, " ")
		op := o.operation(m, p)
		id, _ := op["operationId"].(string)
		if prev, dup := ids[id]; dup || id == "" {
			t.Errorf("%s: operationId %q (also %s)", key, id, prev)
		}
		ids[id] = key
		responses, _ := op["responses"].(map[string]any)
		ok2xx := false
		for code := range responses {
			ok2xx = ok2xx || strings.HasPrefix(code, "2")
		}
		if !ok2xx || responses["default"] == nil || responses["400"] == nil {
			t.Errorf("%s: responses %v lack a success, 400 or default", key, responses)
		}
	}
	var fields []string
	for _, f := range domain.FieldNames() {
		fields = append(fields, f)
	}
	fields = append(fields, "version", "provenance", "created_at", "updated_at")
	sort.Strings(fields)
	for _, name := range []string{"Device", "DeviceInput"} {
		props, _ := o.pointer("#/components/schemas/" + name + "/properties").(map[string]any)
		var got []string
		for k := range props {
			got = append(got, k)
		}
		sort.Strings(got)
		if !slices.Equal(got, fields) {
			t.Errorf("%s properties %v\nwant the device fields %v", name, got, fields)
		}
	}
}

// Ensure the document is served without credentials, as JSON.
func TestOpenAPI_Served(t *testing.T) {
	e := newAPIEnv(t)
	resp, err := http.Get(e.ts.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, web.OpenAPIDoc) {
		t.Fatalf("GET openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
