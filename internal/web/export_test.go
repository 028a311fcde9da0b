package web

import (
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// SetClock makes the server check second-factor codes against now.
func (s *Server) SetClock(now func() time.Time) { s.clock.Store(&now) }

// APIRoute is what the external tests see of an API route.
type APIRoute struct {
	Method, Path string // Path below /api/v1
	Perm         domain.Permission
	Public       bool
	Practice     bool // needs a practice
	Query        []string
}

// APIRoutes returns the route table.
func APIRoutes() []APIRoute {
	var out []APIRoute
	for _, rt := range apiRoutes() {
		out = append(out, APIRoute{Method: rt.method, Path: rt.path, Perm: rt.perm, Public: rt.scope == scopePublic,
			Practice: rt.scope == scopePractice, Query: rt.query})
	}
	return out
}

// OpenAPIDoc is the served OpenAPI document.
var OpenAPIDoc = openAPIDoc
