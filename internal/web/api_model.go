package web

import (
	"net/http"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// apiModel is a catalogue entry in the API's JSON form; like vendors,
// device_count is the chosen practice's.
type apiModel struct {
	ID                   int64     `json:"id"`
	VendorID             int64     `json:"vendor_id"`
	Manufacturer         string    `json:"manufacturer"`
	Name                 string    `json:"name"`
	Category             string    `json:"category"`
	EndOfSale            string    `json:"end_of_sale"` // YYYY-MM-DD or ""
	EndOfSupport         string    `json:"end_of_support"`
	EndOfLife            string    `json:"end_of_life"`
	ServiceLifeYears     int       `json:"service_life_years"`
	ReplacementCostCents int64     `json:"replacement_cost_cents"`
	Currency             string    `json:"currency"`
	Notes                string    `json:"notes"`
	DeviceCount          *int      `json:"device_count,omitempty"`
	CreatedAt            time.Time `json:"created_at"`
	UpdatedAt            time.Time `json:"updated_at"`
}

func (s *Server) handleAPIModelIndex(w http.ResponseWriter, c *apiCall) error {
	var vendorID int64
	if ref := c.r.URL.Query().Get("vendor"); ref != "" {
		v, err := s.st.FindVendor(c.ctx, ref)
		if domain.ErrorCode(err) == domain.CodeNotFound {
			return invalid([]domain.Problem{queryProblem("vendor", "no vendor "+ref)})
		}
		if err != nil {
			return err
		}
		vendorID = v.ID
	}
	models, err := s.st.FindModels(c.ctx, vendorID)
	if err != nil {
		return err
	}
	items := make([]apiModel, len(models))
	for i, m := range models {
		items[i] = apiModel{ID: m.ID, VendorID: m.VendorID, Manufacturer: m.Manufacturer, Name: m.Name, Category: string(m.Category),
			EndOfSale: m.EndOfSale.String(), EndOfSupport: m.EndOfSupport.String(), EndOfLife: m.EndOfLife.String(),
			ServiceLifeYears: m.ServiceLifeYears, ReplacementCostCents: m.ReplacementCostCents, Currency: m.Currency, Notes: m.Notes,
			CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
		if c.tenant != nil {
			items[i].DeviceCount = intPtr(m.DeviceCount)
		}
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: items, Total: intPtr(len(items))})
}
