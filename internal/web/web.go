// Package web serves Vigil's console, REST API and health endpoints over
// net/http: sign-in with server-side sessions, CSRF-checked forms, the
// inventory scoped to the signed-in user's practices, and the JSON API
// under /api/v1 (api.go) for bearer tokens and sessions alike.
package web

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Server is the HTTP face of Vigil.
type Server struct {
	st     store.Store
	log    *slog.Logger
	tmpl   map[string]*template.Template
	static map[string]string // logical name → content-hashed URL path
	mux    *http.ServeMux
	// patterns are the registered routes, in registration order.
	patterns []string
	// limiter locks out an address or client after repeated failed
	// sign-ins.
	limiter *auth.Limiter
	metrics *metrics
	// clock, when set, is the time second-factor codes are checked
	// against (tests move it); otherwise time.Now.
	clock atomic.Pointer[func() time.Time]
	// api routes the REST API (api.go); apiPublic holds its paths that
	// need no credentials.
	api       *http.ServeMux
	apiPublic map[string]bool
}

// pages are the views; each is rendered inside layout.html. Startup fails
// if one is missing.
var pages = []string{"audit", "dashboard", "devices", "device", "device_edit", "error", "import", "login", "login_totp", "password", "sites", "tokens", "totp", "users", "vendor", "vendors", "advisories", "advisory", "vulns"}

// NewServer builds the server and parses every template.
func NewServer(st store.Store, log *slog.Logger) (*Server, error) {
	s := &Server{st: st, log: log, tmpl: map[string]*template.Template{}, static: map[string]string{}, mux: http.NewServeMux(),
		limiter: auth.NewLimiter(5, 15*time.Minute), metrics: newMetrics()}
	if err := s.loadStatic(); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset":  func(name string) string { return s.static[name] },
		"add":    func(a, b int) int { return a + b },
		"pct":    func(f float64) float64 { return f * 100 },
		"label":  func(f domain.Field) string { fi, _ := domain.LookupField(string(f)); return fi.Label },
		"mul100": func(f float64) float64 { return f * 100 },
		"bytes":  domain.FormatBytes,
		"rows": func(users []*domain.User, me int64, tenant, csrf string) map[string]any {
			return map[string]any{"Users": users, "Me": me, "Tenant": tenant, "CSRF": csrf}
		},
	}
	maps.Copy(funcs, lifecycle.PlanFuncs) // money, when, date
	for _, p := range pages {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", "templates/"+p+".html")
		if err != nil {
			return nil, err
		}
		s.tmpl[p] = t
	}
	s.routes()
	return s, nil
}

// loadStatic computes content-hashed URLs so assets can be cached forever.
func (s *Server) loadStatic() error {
	return fs.WalkDir(staticFS, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(path, "static/")
		s.static[name] = "/static/" + hex.EncodeToString(sum[:6]) + "/" + name
		return nil
	})
}

func (s *Server) routes() {
	s.handle("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	s.handle("GET /readyz", s.handleReady)
	s.handle("GET /metrics", s.metrics.handle)
	s.handle("GET /static/{hash}/{name}", s.handleStatic)
	s.handle("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.static["favicon.svg"], http.StatusMovedPermanently)
	})
	s.registerDashboardRoutes()
	s.registerAuditRoutes()
	s.registerImportRoutes()
	s.registerUserRoutes()
	s.registerVendorRoutes()
	s.registerLifecycleRoutes()
	s.registerTokenRoutes()
	s.registerIntelRoutes()
	s.handle("GET /login", s.handleLoginForm)
	s.handle("POST /login", s.handleLogin)
	s.handle("POST /logout", s.handleLogout)
	s.handle("GET /password", s.handlePasswordForm)
	s.handle("POST /password", s.handlePassword)
	s.registerDeviceRoutes()
	s.registerTOTPRoutes()
	s.registerAPIRoutes()
}

// maxRequest bounds any request body: the largest upload and its form.
const maxRequest = maxUpload + 1<<20

// ServeHTTP adds security headers, a request id, signing in, request
// logging and metrics around the routes.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w := &statusWriter{ResponseWriter: rw}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequest) // a form never needs more than an upload
	id := requestID(r)
	h.Set("X-Request-ID", id)
	if r.ContentLength > maxRequest {
		// Said up front, before the form is read: past the limit the form
		// would come out empty and fail its CSRF check with a misleading
		// message.
		err := domain.Errorf(domain.CodeInvalid, "the request is %s; Vigil takes uploads of up to %s (evidence files up to 10 MiB)",
			domain.FormatBytes(r.ContentLength), domain.FormatBytes(maxUpload))
		if isAPI(r.URL.Path) {
			s.apiProblem(w, r, http.StatusRequestEntityTooLarge, err)
		} else {
			http.Error(w, domain.ErrorMessage(err), http.StatusRequestEntityTooLarge)
		}
		s.metrics.observe(r.Method, "too_large", http.StatusRequestEntityTooLarge, time.Since(start))
		return
	}
	r, ok := s.authenticate(w, r)
	if ok {
		s.mux.ServeHTTP(w, r)
	}
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	s.metrics.observe(r.Method, route, w.status, time.Since(start))
	user := ""
	if sess := sessionFrom(r.Context()); sess != nil {
		user = sess.User.Email
	}
	s.log.Info("request", "request_id", id, "method", r.Method, "path", r.URL.Path, "route", route, "status", w.status,
		"duration_ms", time.Since(start).Milliseconds(), "user", user, "ip", clientIP(r))
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if err := s.st.Ping(r.Context()); err != nil {
		s.log.Error("readiness check failed", "err", err)
		http.Error(w, "not ready: "+domain.ErrorMessage(err), http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if s.static[name] != r.URL.Path {
		http.NotFound(w, r)
		return
	}
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case strings.HasSuffix(name, ".svg"):
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable") // replaces no-store: the URL names the content
	w.Write(b)
}

// page is what every template receives.
type page struct {
	Title   string
	Session *domain.Session
	Tenant  *domain.Tenant
	Tenants []*domain.Tenant
	Data    any
}

// page builds a page for the signed-in user.
func (s *Server) page(r *http.Request, title string, data any) page {
	return page{Title: title, Session: sessionFrom(r.Context()), Data: data}
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	var b strings.Builder
	if err := s.tmpl[name].Execute(&b, p); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

// statusOf maps error codes to HTTP status codes: the one table.
func statusOf(err error) int {
	switch domain.ErrorCode(err) {
	case domain.CodeInvalid:
		return http.StatusBadRequest
	case domain.CodeNotFound:
		return http.StatusNotFound
	case domain.CodeConflict:
		return http.StatusConflict
	case domain.CodeUnauthorized:
		return http.StatusUnauthorized
	case domain.CodeForbidden:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
	}
	s.render(w, status, "error", s.page(r, http.StatusText(status), domain.ErrorMessage(err)))
}

// tenantScope scopes the request to a practice the user may see: a
// practice user's own (asking for another is "not found"); for the
// provider's staff the one named by ?tenant=, else the first.
func (s *Server) tenantScope(r *http.Request) (context.Context, page, error) {
	ctx := r.Context()
	sess := sessionFrom(ctx)
	p := page{Session: sess}
	if !sess.User.Role.Can(domain.PermReadInventory) {
		return nil, p, domain.Errorf(domain.CodeForbidden, "your role may not see the inventory")
	}
	ref := r.URL.Query().Get("tenant")
	if sess.User.TenantID != 0 {
		t, err := s.st.FindTenant(ctx, strconv.FormatInt(sess.User.TenantID, 10))
		if err != nil {
			return nil, p, err
		}
		if ref != "" && ref != t.Slug && ref != strconv.FormatInt(t.ID, 10) {
			return nil, p, domain.Errorf(domain.CodeNotFound, "no practice %q", ref)
		}
		p.Tenant, p.Tenants = t, []*domain.Tenant{t}
		return domain.WithTenant(ctx, t.ID), p, nil
	}
	all, err := s.st.FindTenants(ctx)
	if err != nil {
		return nil, p, err
	}
	if len(all) == 0 {
		return nil, p, domain.Errorf(domain.CodeNotFound, "there is no practice yet; create one with `vigil tenant add NAME`")
	}
	p.Tenants, p.Tenant = all, all[0]
	if ref != "" {
		if p.Tenant, err = s.st.FindTenant(ctx, ref); err != nil {
			return nil, p, err
		}
	}
	return domain.WithTenant(ctx, p.Tenant.ID), p, nil
}
