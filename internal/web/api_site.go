package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// apiSite is a site in the API's JSON form.
type apiSite struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Address   string    `json:"address"`
	TimeZone  string    `json:"timezone"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func siteJSON(x *domain.Site) apiSite {
	return apiSite{ID: x.ID, Slug: x.Slug, Name: x.Name, Address: x.Address, TimeZone: x.TimeZone, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
}

func (s *Server) handleAPISiteIndex(w http.ResponseWriter, c *apiCall) error {
	sites, err := s.st.FindSites(c.ctx)
	if err != nil {
		return err
	}
	items := make([]apiSite, len(sites))
	for i, x := range sites {
		items[i] = siteJSON(x)
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: items, Total: intPtr(len(items))})
}

func (s *Server) handleAPISiteView(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "site")
	if err != nil {
		return err
	}
	x, err := s.st.FindSite(c.ctx, strconv.FormatInt(id, 10))
	if err == nil && x.ID != id { // a site whose name is that number
		err = domain.Errorf(domain.CodeNotFound, "no site %d", id)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, siteJSON(x))
}

func (s *Server) handleAPISiteCreate(w http.ResponseWriter, c *apiCall) error {
	members, err := readObject(w, c.r)
	if err != nil {
		return err
	}
	v, err := stringMembers(members, "name", "slug", "address", "timezone")
	if err != nil {
		return err
	}
	x := &domain.Site{Name: v["name"], Slug: v["slug"], Address: v["address"], TimeZone: v["timezone"]}
	var problems []domain.Problem
	if strings.TrimSpace(x.Name) == "" {
		problems = append(problems, bodyProblem([]string{"name"}, "name", "a site needs a name"))
	}
	if _, err := time.LoadLocation(x.TimeZone); x.TimeZone != "" && err != nil {
		problems = append(problems, bodyProblem([]string{"timezone"}, "timezone", "unknown time zone; use an IANA name such as America/New_York"))
	}
	if err := invalid(problems); err != nil {
		return err
	}
	if err := x.Validate(); err != nil {
		// What is left to refuse is the short name, given or made from
		// the name.
		field := "slug"
		if v["slug"] == "" {
			field = "name"
		}
		return invalid([]domain.Problem{bodyProblem([]string{field}, field, domain.ErrorMessage(err))})
	}
	if err := s.st.CreateSite(c.ctx, x); err != nil {
		return err
	}
	return created(w, "/sites/"+strconv.FormatInt(x.ID, 10), siteJSON(x))
}
