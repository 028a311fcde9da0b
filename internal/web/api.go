package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// apiPrefix is where the REST API lives; route paths below are relative to
// it, as are the paths of the OpenAPI document (its server URL).
const apiPrefix = "/api/v1"

// apiScope says what a route works on.
type apiScope int

const (
	// scopePublic routes need no credentials.
	scopePublic apiScope = iota
	// scopePractice routes work in one practice: the credential's own, or
	// for a provider-wide credential the one named by ?tenant=.
	scopePractice
	// scopeAny routes work in a practice when the credential has one or
	// ?tenant= names one, and in the provider's scope otherwise.
	scopeAny
)

// apiRoute is one operation of the REST API. apiRoutes is the one table:
// it registers the handlers, the authentication layer reads which routes
// are public from it, and a test checks it against the OpenAPI document in
// both directions.
type apiRoute struct {
	method string
	path   string            // below apiPrefix, in ServeMux pattern syntax
	perm   domain.Permission // the caller's role must grant it; "" for public routes
	scope  apiScope
	query  []string // the query parameters the route takes, besides tenant
	handle func(s *Server, w http.ResponseWriter, c *apiCall) error
}

// pageQuery are the paging parameters of listings.
var pageQuery = []string{"limit", "cursor"}

func apiRoutes() []apiRoute {
	read, edit, users, audit := domain.PermReadInventory, domain.PermEditInventory, domain.PermManageUsers, domain.PermReadAudit
	return append([]apiRoute{
		{"GET", "/openapi.json", "", scopePublic, nil, (*Server).handleAPIOpenAPI},
		{"GET", "/tenants", read, scopeAny, nil, (*Server).handleAPITenantIndex},
		{"GET", "/devices", read, scopePractice, append([]string{"category", "site", "manufacturer", "q", "criticality", "review", "sort"}, pageQuery...),
			(*Server).handleAPIDeviceIndex},
		{"POST", "/devices", edit, scopePractice, nil, (*Server).handleAPIDeviceCreate},
		{"GET", "/devices/{id}", read, scopePractice, nil, (*Server).handleAPIDeviceView},
		{"PATCH", "/devices/{id}", edit, scopePractice, nil, (*Server).handleAPIDeviceUpdate},
		{"DELETE", "/devices/{id}", edit, scopePractice, nil, (*Server).handleAPIDeviceDelete},
		{"GET", "/devices/{id}/history", read, scopePractice, nil, (*Server).handleAPIDeviceHistory},
		{"GET", "/devices/{id}/observations", read, scopePractice, nil, (*Server).handleAPIDeviceObservations},
		{"GET", "/devices/{id}/flows", read, scopePractice, append([]string{"peer", "transport", "port", "app"}, pageQuery...), (*Server).handleAPIDeviceFlows},
		{"GET", "/flows", read, scopePractice, append([]string{"device", "peer", "transport", "port", "app"}, pageQuery...), (*Server).handleAPIFlowIndex},
		{"GET", "/sites", read, scopePractice, nil, (*Server).handleAPISiteIndex},
		{"GET", "/sites/{id}", read, scopePractice, nil, (*Server).handleAPISiteView},
		{"POST", "/sites", domain.PermManageSites, scopePractice, nil, (*Server).handleAPISiteCreate},
		{"GET", "/vendors", read, scopeAny, nil, (*Server).handleAPIVendorIndex},
		{"GET", "/vendors/{id}", read, scopeAny, nil, (*Server).handleAPIVendorView},
		{"GET", "/models", read, scopeAny, []string{"vendor"}, (*Server).handleAPIModelIndex},
		{"GET", "/audit", audit, scopeAny, append([]string{"object_type", "object_id", "action", "actor", "since", "until"}, pageQuery...),
			(*Server).handleAPIAuditIndex},
		{"GET", "/audit/verify", audit, scopeAny, nil, (*Server).handleAPIAuditVerify},
		{"GET", "/tokens", users, scopeAny, nil, (*Server).handleAPITokenIndex},
		{"POST", "/tokens", users, scopeAny, nil, (*Server).handleAPITokenCreate},
		{"DELETE", "/tokens/{id}", users, scopeAny, nil, (*Server).handleAPITokenDelete},
		{"GET", "/advisories", read, scopeAny, nil, (*Server).handleAPIAdvisoryIndex},
		{"GET", "/advisories/{id}", read, scopeAny, nil, (*Server).handleAPIAdvisoryView},
		{"GET", "/vulnerabilities", read, scopePractice, []string{"device", "advisory", "cve", "status", "kev"}, (*Server).handleAPIVulnIndex},
		{"GET", "/devices/{id}/vulnerabilities", read, scopePractice, nil, (*Server).handleAPIDeviceVulnIndex},
		{"PATCH", "/devices/{id}/vulnerabilities", edit, scopePractice, nil, (*Server).handleAPIDeviceVulnDecide},
	}, lifecycleAPIRoutes()...)
}

// apiCall is one API request on its way through a handler.
type apiCall struct {
	r      *http.Request
	ctx    context.Context // the actor and, when one is chosen, the practice
	caller *apiCaller
	tenant *domain.Tenant // nil in the provider's scope
}

// registerAPIRoutes mounts the API under apiPrefix on its own mux, so that
// unknown paths and methods there answer with problem documents too.
func (s *Server) registerAPIRoutes() {
	s.api = http.NewServeMux()
	s.apiPublic = map[string]bool{}
	for _, rt := range apiRoutes() {
		s.api.HandleFunc(rt.method+" "+apiPrefix+rt.path, s.apiHandler(rt))
		if rt.scope == scopePublic {
			s.apiPublic[apiPrefix+rt.path] = true
		}
	}
	s.mux.HandleFunc("/api/", s.serveAPI)
}

// serveAPI routes an API request; what the API mux does not know becomes a
// 404 or 405 problem.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.api.Handler(r)
	if pattern != "" {
		s.api.ServeHTTP(w, r) // sets the path values Handler does not
		return
	}
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		s.apiProblem(w, r, http.StatusMethodNotAllowed, domain.Errorf(domain.CodeInvalid, "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, rec.header.Get("Allow")))
		return
	}
	s.apiProblem(w, r, 0, domain.Errorf(domain.CodeNotFound, "no API route %s %s; see %s/openapi.json", r.Method, r.URL.Path, apiPrefix))
}

// headerRecorder keeps what the mux's fallback handlers set, and drops
// their plain-text body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(status int)      { h.status = status }

// apiHandler wraps a route: the role must grant the route's permission,
// the query may hold only the route's parameters, and the practice is
// chosen, in that order, before the handler runs. Errors become problem
// documents.
func (s *Server) apiHandler(rt apiRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := &apiCall{r: r, ctx: r.Context()}
		var err error
		if rt.scope != scopePublic {
			c.caller = callerFrom(r.Context())
			switch {
			case c.caller == nil:
				err = domain.Errorf(domain.CodeUnauthorized, "send an API token: Authorization: Bearer vgl_…")
			case !c.caller.role.Can(rt.perm):
				err = domain.Errorf(domain.CodeForbidden, "the role %s may not do this (it needs the %s permission)", c.caller.role, rt.perm)
			}
		}
		if err == nil {
			err = checkQuery(r, rt)
		}
		if err == nil && rt.scope != scopePublic {
			err = s.chooseTenant(c, rt.scope)
		}
		if err == nil {
			err = rt.handle(s, w, c)
		}
		if err != nil {
			s.apiProblem(w, r, 0, err)
		}
	}
}

// checkQuery refuses query parameters the route does not take, and
// parameters given twice, so a misspelt filter is not silently ignored.
func checkQuery(r *http.Request, rt apiRoute) error {
	var problems []domain.Problem
	q := r.URL.Query()
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		switch {
		case k != "tenant" && !slices.Contains(rt.query, k):
			msg := "unknown query parameter"
			if len(rt.query) > 0 {
				msg += "; this route takes: " + strings.Join(append(slices.Clone(rt.query), "tenant"), ", ")
			}
			problems = append(problems, queryProblem(k, msg))
		case len(q[k]) > 1:
			problems = append(problems, queryProblem(k, "given more than once"))
		}
	}
	return invalid(problems)
}

// chooseTenant puts the practice the call works in on its context.
func (s *Server) chooseTenant(c *apiCall, scope apiScope) error {
	ref := strings.TrimSpace(c.r.URL.Query().Get("tenant"))
	var t *domain.Tenant
	var err error
	switch {
	case c.caller.tenantID != 0:
		// A practice credential reaches its own practice only; any other
		// is "not found", whether it exists or not.
		if t = c.caller.tenant; t == nil || t.ID != c.caller.tenantID {
			return domain.Errorf(domain.CodeUnauthorized, "the credential's practice is unknown")
		}
		if ref != "" && ref != t.Slug && ref != strconv.FormatInt(t.ID, 10) {
			return domain.Errorf(domain.CodeNotFound, "no practice %q", ref)
		}
	case ref != "":
		if t, err = s.st.FindTenant(c.ctx, ref); err != nil {
			return err
		}
	case scope == scopePractice:
		return invalid([]domain.Problem{queryProblem("tenant", "a provider-wide credential names the practice: add ?tenant= with its id or short name")})
	}
	if t != nil {
		c.tenant, c.ctx = t, domain.WithTenant(c.ctx, t.ID)
	}
	return nil
}

// invalid returns a CodeInvalid error carrying the problems, or nil when
// there are none.
func invalid(problems []domain.Problem) error {
	if len(problems) == 0 {
		return nil
	}
	msg := problems[0].Field + ": " + problems[0].Message
	if len(problems) > 1 {
		msg = fmt.Sprintf("%d problems, the first: %s", len(problems), msg)
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: msg, Problems: problems}
}

// queryProblem is a problem with the query parameter name.
func queryProblem(name, msg string) domain.Problem {
	return domain.Problem{Field: name, Location: "?" + name, Message: msg}
}

// bodyProblem is a problem with a member of the request body, located by
// JSON Pointer (RFC 6901) in URI fragment form, as RFC 9457 §3 shows.
func bodyProblem(pointer []string, field, msg string) domain.Problem {
	var b strings.Builder
	b.WriteString("#")
	for _, p := range pointer {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
	}
	return domain.Problem{Field: field, Location: b.String(), Message: msg}
}

// writeJSON writes v as the JSON response body.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return domain.Internal(err, "cannot encode the response")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// maxBody bounds a request body.
const maxBody = 1 << 20

// member is one name/value pair of a JSON object, in the order sent.
type member struct {
	name  string
	value json.RawMessage
}

// readObject reads the request body as one JSON object. Syntax errors,
// another top-level value and repeated member names are problems.
func readObject(w http.ResponseWriter, r *http.Request) ([]member, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, domain.Errorf(domain.CodeInvalid, "send the body as application/json, not %q", ct)
		}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "the request body is unreadable or larger than %d bytes", maxBody)
	}
	syntax := func(msg string) error {
		return invalid([]domain.Problem{{Location: "#", Message: msg}})
	}
	if !json.Valid(data) {
		var raw json.RawMessage
		err := json.Unmarshal(data, &raw)
		if se, ok := err.(*json.SyntaxError); ok {
			return nil, syntax(fmt.Sprintf("the body is not JSON: %s (byte %d)", strings.TrimPrefix(se.Error(), "json: "), se.Offset))
		}
		return nil, syntax("the body is not JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		return nil, syntax("the body must be a JSON object ({…})")
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax("the body is not JSON")
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, syntax("the body is not JSON")
		}
		if seen[name] {
			return nil, invalid([]domain.Problem{bodyProblem([]string{name}, name, "given more than once")})
		}
		seen[name] = true
		out = append(out, member{name, v})
	}
	return out, nil
}

// stringMembers reads an object whose members are all optional strings
// (null meaning absent), refusing names not in allowed.
func stringMembers(members []member, allowed ...string) (map[string]string, error) {
	out := map[string]string{}
	var problems []domain.Problem
	for _, m := range members {
		if !slices.Contains(allowed, m.name) {
			problems = append(problems, bodyProblem([]string{m.name}, m.name, "unknown member; expected: "+strings.Join(allowed, ", ")))
			continue
		}
		if string(m.value) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(m.value, &s); err != nil {
			problems = append(problems, bodyProblem([]string{m.name}, m.name, "expected a string"))
			continue
		}
		out[m.name] = s
	}
	return out, invalid(problems)
}

// pathID reads the {id} path parameter; anything but a positive number
// names nothing, so it is "not found".
func pathID(c *apiCall, what string) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.CodeNotFound, "no %s %q", what, c.r.PathValue("id"))
	}
	return id, nil
}

// pageLimit reads ?limit= (default 50, at most 500).
func pageLimit(c *apiCall) (int, error) {
	v := c.r.URL.Query().Get("limit")
	if v == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		return 0, invalid([]domain.Problem{queryProblem("limit", fmt.Sprintf("%q is not a whole number from 1 to %d", v, maxLimit))})
	}
	return n, nil
}

const (
	defaultLimit = 50
	maxLimit     = 500
)

// apiPage is a listing response. Total is nil where counting would cost a
// scan (the audit trail); NextCursor is nil on the last page.
type apiPage struct {
	Items      any     `json:"items"`
	Total      *int    `json:"total,omitempty"`
	NextCursor *string `json:"next_cursor"`
}

func intPtr(n int) *int { return &n }

// nonNil turns a nil slice into an empty one, so listings are [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// created answers 201 with the new object and its address.
func created(w http.ResponseWriter, path string, v any) error {
	w.Header().Set("Location", apiPrefix+path)
	return writeJSON(w, http.StatusCreated, v)
}
