package web

import (
	"net/http"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// apiTenant is a practice in the API's JSON form.
type apiTenant struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// handleAPITenantIndex lists the practices the caller can reach: a
// practice credential's own, or for provider-wide ones all of them (the
// values ?tenant= takes).
func (s *Server) handleAPITenantIndex(w http.ResponseWriter, c *apiCall) error {
	var all []*domain.Tenant
	if c.caller.tenantID != 0 {
		all = []*domain.Tenant{c.tenant}
	} else {
		var err error
		if all, err = s.st.FindTenants(c.ctx); err != nil {
			return err
		}
	}
	items := make([]apiTenant, len(all))
	for i, t := range all {
		items[i] = apiTenant{ID: t.ID, Slug: t.Slug, Name: t.Name, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: items, Total: intPtr(len(items))})
}
