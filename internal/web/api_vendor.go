package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// apiVendor is a vendor in the API's JSON form. Vendors are shared
// reference data; device_count counts the chosen practice's devices and is
// left out when no practice is chosen.
type apiVendor struct {
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	Website         string    `json:"website"`
	PSIRTEmail      string    `json:"psirt_email"`
	PSIRTURL        string    `json:"psirt_url"`
	SecurityContact string    `json:"security_contact"`
	ContactVerified string    `json:"contact_verified"` // YYYY-MM-DD, or "" when never
	Notes           string    `json:"notes"`
	AccountManager  string    `json:"account_manager"`
	Contract        string    `json:"support_contract"`
	ContractEnd     string    `json:"support_contract_end"` // YYYY-MM-DD, or ""
	AdvisoryFeedURL string    `json:"advisory_feed_url"`
	Aliases         []string  `json:"aliases,omitempty"` // on GET /vendors/{id} only
	DeviceCount     *int      `json:"device_count,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func vendorJSON(c *apiCall, v *domain.Vendor) apiVendor {
	out := apiVendor{ID: v.ID, Name: v.Name, Website: v.Website, PSIRTEmail: v.PSIRTEmail, PSIRTURL: v.PSIRTURL,
		SecurityContact: v.SecurityContact, ContactVerified: v.ContactVerified.String(), Notes: v.Notes, Aliases: v.Aliases,
		AccountManager: v.AccountManager, Contract: v.SupportContract, ContractEnd: v.SupportContractEnd.String(), AdvisoryFeedURL: v.AdvisoryFeedURL,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
	if c.tenant != nil {
		out.DeviceCount = intPtr(v.DeviceCount)
	}
	return out
}

func (s *Server) handleAPIVendorIndex(w http.ResponseWriter, c *apiCall) error {
	vendors, err := s.st.FindVendors(c.ctx)
	if err != nil {
		return err
	}
	items := make([]apiVendor, len(vendors))
	for i, v := range vendors {
		items[i] = vendorJSON(c, v)
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: items, Total: intPtr(len(items))})
}

func (s *Server) handleAPIVendorView(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "vendor")
	if err != nil {
		return err
	}
	v, err := s.st.FindVendor(c.ctx, strconv.FormatInt(id, 10))
	if err == nil && v.ID != id { // a vendor whose name is that number
		err = domain.Errorf(domain.CodeNotFound, "no vendor %d", id)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, vendorJSON(c, v))
}
