package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// Advisories are shared reference data; with a practice chosen, the
// affected counts and devices are that practice's.

func (s *Server) handleAPIAdvisoryIndex(w http.ResponseWriter, c *apiCall) error {
	all, err := s.st.FindAdvisories(c.ctx)
	if err != nil {
		return err
	}
	if all == nil {
		all = []*domain.AdvisorySummary{}
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: all, Total: intPtr(len(all))})
}

func (s *Server) handleAPIAdvisoryView(w http.ResponseWriter, c *apiCall) error {
	adv, revs, err := s.st.FindAdvisory(c.ctx, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	out := map[string]any{"advisory": adv, "revisions": revs}
	if c.tenant != nil {
		rows, err := s.st.FindVulnerabilities(c.ctx, domain.VulnFilter{AdvisoryID: adv.ID})
		if err != nil {
			return err
		}
		out["devices"] = nonNilViews(rows)
	}
	return writeJSON(w, http.StatusOK, out)
}

func nonNilViews(v []*domain.VulnView) []*domain.VulnView {
	if v == nil {
		return []*domain.VulnView{}
	}
	return v
}

// vulnFilter reads the vulnerability list's query parameters.
func vulnFilter(c *apiCall) (domain.VulnFilter, error) {
	q := c.r.URL.Query()
	f := domain.VulnFilter{AdvisoryID: q.Get("advisory"), CVE: q.Get("cve"), KEV: q.Get("kev") == "true" || q.Get("kev") == "1"}
	if d := q.Get("device"); d != "" {
		id, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return f, domain.Errorf(domain.CodeInvalid, "device must be a device id, not %q", d)
		}
		f.DeviceID = id
	}
	if st := q.Get("status"); st != "" {
		for _, x := range strings.Split(st, ",") {
			f.Statuses = append(f.Statuses, domain.VulnStatus(strings.TrimSpace(x)))
		}
	}
	return f, nil
}

func (s *Server) handleAPIVulnIndex(w http.ResponseWriter, c *apiCall) error {
	f, err := vulnFilter(c)
	if err != nil {
		return err
	}
	rows, err := s.st.FindVulnerabilities(c.ctx, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: nonNilViews(rows), Total: intPtr(len(rows))})
}

func (s *Server) handleAPIDeviceVulnIndex(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "device")
	if err != nil {
		return err
	}
	if _, err := s.st.FindDeviceByID(c.ctx, id); err != nil {
		return err
	}
	rows, err := s.st.FindVulnerabilities(c.ctx, domain.VulnFilter{DeviceID: id})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: nonNilViews(rows), Total: intPtr(len(rows))})
}

// handleAPIDeviceVulnDecide records a decision on one of the device's
// vulnerabilities: {"advisory_id", "cve", "status": "mitigated" |
// "risk_accepted" | "", "reason", "until": "YYYY-MM-DD"}.
func (s *Server) handleAPIDeviceVulnDecide(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "device")
	if err != nil {
		return err
	}
	members, err := readObject(w, c.r)
	if err != nil {
		return err
	}
	d := domain.VulnDecision{DeviceID: id}
	var problems []domain.Problem
	for _, m := range members {
		var str string
		if err := json.Unmarshal(m.value, &str); err != nil {
			problems = append(problems, domain.Problem{Location: "#/" + m.name, Message: "must be a string"})
			continue
		}
		switch m.name {
		case "advisory_id":
			d.AdvisoryID = str
		case "cve":
			d.CVE = str
		case "status":
			d.Status = domain.VulnStatus(str)
		case "reason":
			d.Reason = str
		case "until":
			if str != "" {
				if d.Until, err = domain.ParseDate(str, domain.MonthFirst); err != nil {
					problems = append(problems, domain.Problem{Location: "#/until", Message: domain.ErrorMessage(err)})
				}
			}
		default:
			problems = append(problems, domain.Problem{Location: "#/" + m.name, Message: "unknown member; send advisory_id, cve, status, reason, until"})
		}
	}
	if err := invalid(problems); err != nil {
		return err
	}
	v, err := s.st.DecideVulnerability(c.ctx, d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}
