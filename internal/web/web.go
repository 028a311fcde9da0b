// Package web serves Vigil's console and health endpoints over net/http.
// Until the console issue lands this is a read-only inventory browser; it
// binds to loopback by default because it has no sign-in yet.
package web

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
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
}

// pages are the views; each is rendered inside layout.html. Startup fails
// if one is missing.
var pages = []string{"devices", "device", "error"}

// NewServer builds the server and parses every template.
func NewServer(st store.Store, log *slog.Logger) (*Server, error) {
	s := &Server{st: st, log: log, tmpl: map[string]*template.Template{}, static: map[string]string{}, mux: http.NewServeMux()}
	if err := s.loadStatic(); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset": func(name string) string { return s.static[name] },
		"add":   func(a, b int) int { return a + b },
		"label": func(f domain.Field) string { fi, _ := domain.LookupField(string(f)); return fi.Label },
	}
	for _, p := range pages {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
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
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	s.mux.HandleFunc("GET /readyz", s.handleReady)
	s.mux.HandleFunc("GET /static/{hash}/{name}", s.handleStatic)
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/devices", http.StatusSeeOther)
	})
	s.mux.HandleFunc("GET /devices", s.handleDeviceIndex)
	s.mux.HandleFunc("GET /devices/{id}", s.handleDeviceView)
}

// ServeHTTP adds security headers and request logging around the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	start := time.Now()
	s.mux.ServeHTTP(w, r)
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "duration_ms", time.Since(start).Milliseconds())
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
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(b)
}

// page is what every template receives.
type page struct {
	Title   string
	Tenant  *domain.Tenant
	Tenants []*domain.Tenant
	Data    any
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
	s.render(w, status, "error", page{Title: http.StatusText(status), Data: domain.ErrorMessage(err)})
}

// tenantScope picks the practice from ?tenant=, else the first one.
func (s *Server) tenantScope(r *http.Request) (context.Context, page, error) {
	ctx := domain.WithActor(r.Context(), domain.Actor{Kind: domain.ActorUser, Name: "anonymous", IP: r.RemoteAddr, UserAgent: r.UserAgent()})
	all, err := s.st.FindTenants(ctx)
	if err != nil {
		return nil, page{}, err
	}
	if len(all) == 0 {
		return nil, page{}, domain.Errorf(domain.CodeNotFound, "there is no practice yet; create one with `vigil tenant add NAME`")
	}
	t := all[0]
	if ref := r.URL.Query().Get("tenant"); ref != "" {
		if t, err = s.st.FindTenant(ctx, ref); err != nil {
			return nil, page{}, err
		}
	}
	return domain.WithTenant(ctx, t.ID), page{Tenant: t, Tenants: all}, nil
}

const pageSize = 50

type deviceIndex struct {
	Devices    []*domain.Device
	Total      int
	Filter     domain.DeviceFilter
	Categories []domain.Category
	Sites      []*domain.Site
	Page       int
	Pages      int
	Prev, Next string
}

func (s *Server) handleDeviceIndex(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := domain.DeviceFilter{Query: q.Get("q"), Site: q.Get("site"), Manufacturer: q.Get("manufacturer"), Limit: pageSize}
	if f.Category, err = domain.ParseCategory(q.Get("category")); err != nil {
		s.fail(w, r, err)
		return
	}
	pg, _ := strconv.Atoi(q.Get("page"))
	pg = max(pg, 1)
	f.Offset = (pg - 1) * pageSize
	devices, total, err := s.st.FindDevices(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sites, err := s.st.FindSites(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := deviceIndex{Devices: devices, Total: total, Filter: f, Categories: domain.Categories(), Sites: sites, Page: pg, Pages: (total + pageSize - 1) / pageSize}
	link := func(n int) string {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(n))
		return "/devices?" + v.Encode()
	}
	if pg > 1 {
		d.Prev = link(pg - 1)
	}
	if pg < d.Pages {
		d.Next = link(pg + 1)
	}
	p.Title, p.Data = "Devices", d
	s.render(w, http.StatusOK, "devices", p)
}

type attrRow struct {
	Label, Value, Source string
}

type deviceView struct {
	Device  *domain.Device
	Attrs   []attrRow
	History []*domain.AuditEvent
}

func (s *Server) handleDeviceView(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, domain.Errorf(domain.CodeNotFound, "no device %q", r.PathValue("id")))
		return
	}
	d, err := s.st.FindDeviceByID(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	history, err := s.st.FindAuditEvents(ctx, domain.AuditFilter{ObjectType: "device", ObjectID: id})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := deviceView{Device: d, History: history}
	for _, fi := range domain.DeviceFields() {
		if fi.Field == domain.FieldID {
			continue
		}
		row := attrRow{Label: fi.Label, Value: d.Get(fi.Field)}
		if src, ok := d.Provenance.Of(fi.Field); ok {
			row.Source = src.Describe()
		}
		v.Attrs = append(v.Attrs, row)
	}
	p.Title, p.Data = d.Label(), v
	s.render(w, http.StatusOK, "device", p)
}
