package vex

import (
	"bytes"
	"encoding/json"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// openDoc mirrors an OpenVEX document (OpenVEX specification v0.2.0,
// "Document" and "Statement"; v0.0.1's string forms are accepted too).
type openDoc struct {
	Context    string          `json:"@context"`
	ID         string          `json:"@id"`
	Author     string          `json:"author"`    // required
	Timestamp  string          `json:"timestamp"` // required
	Statements []openStatement `json:"statements"`
}

type openStatement struct {
	Vulnerability   openVuln      `json:"vulnerability"`
	Timestamp       string        `json:"timestamp"`
	Products        []openProduct `json:"products"`
	Status          string        `json:"status"`
	Justification   string        `json:"justification"`
	ImpactStatement string        `json:"impact_statement"`
	ActionStatement string        `json:"action_statement"`
	StatusNotes     string        `json:"status_notes"`
	Supplier        string        `json:"supplier"`
}

// openVuln is a vulnerability: an object with a name (v0.2.0) or a plain
// string (v0.0.1).
type openVuln struct {
	ID   string `json:"@id"`
	Name string `json:"name"`
}

func (v *openVuln) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		return json.Unmarshal(b, &v.Name)
	}
	type plain openVuln
	return json.Unmarshal(b, (*plain)(v))
}

// openProduct is a product: an object with @id and identifiers (v0.2.0)
// or a plain identifier string (v0.0.1). Subcomponents are not read: the
// statement is about the product.
type openProduct struct {
	ID          string `json:"@id"`
	Identifiers struct {
		PURL  string `json:"purl"`
		CPE23 string `json:"cpe23"`
		CPE22 string `json:"cpe22"`
	} `json:"identifiers"`
}

func (p *openProduct) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		return json.Unmarshal(b, &p.ID)
	}
	type plain openProduct
	return json.Unmarshal(b, (*plain)(p))
}

var (
	openStatuses       = map[string]domain.VEXStatus{"not_affected": domain.VEXNotAffected, "affected": domain.VEXAffected, "fixed": domain.VEXFixed, "under_investigation": domain.VEXUnderInvestigation}
	openJustifications = map[string]bool{"component_not_present": true, "vulnerable_code_not_present": true, "vulnerable_code_not_in_execute_path": true, "vulnerable_code_cannot_be_controlled_by_adversary": true, "inline_mitigations_already_exist": true}
)

func readOpenVEX(name string, data []byte) ([]domain.VEXStatement, error) {
	var d openDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, feed.JSONError(name, data, err)
	}
	p := feed.Problems{File: name}
	if d.Author == "" {
		p.Add("$.author", "missing")
	}
	issued := p.Time("$.timestamp", d.Timestamp, true)
	if len(d.Statements) == 0 {
		p.Add("$.statements", "missing (a VEX document makes at least one statement)")
	}
	var out []domain.VEXStatement
	for i, s := range d.Statements {
		path := feed.Index("$.statements", i)
		vuln := s.Vulnerability.Name
		if vuln == "" {
			vuln = s.Vulnerability.ID
		}
		checkVuln(&p, path+".vulnerability.name", vuln)
		status, ok := openStatuses[s.Status]
		switch {
		case s.Status == "":
			p.Add(path+".status", "missing")
		case !ok:
			p.Add(path+".status", "%q is not an OpenVEX status (not_affected, affected, fixed, under_investigation)", s.Status)
		}
		if s.Justification != "" && !openJustifications[s.Justification] {
			p.Add(path+".justification", "%q is not an OpenVEX justification", s.Justification)
		}
		if status == domain.VEXNotAffected && s.Justification == "" && s.ImpactStatement == "" {
			p.Add(path, "a not_affected statement needs a justification or an impact_statement")
		}
		if status == domain.VEXAffected && s.ActionStatement == "" {
			p.Add(path+".action_statement", "missing (an affected statement says what to do)")
		}
		if len(s.Products) == 0 {
			p.Add(path+".products", "missing")
		}
		st := domain.VEXStatement{
			Vuln: vuln, Status: status, Justification: s.Justification, Impact: s.ImpactStatement, Action: s.ActionStatement,
			Author: d.Author, Issued: issued,
		}
		if t := p.Time(path+".timestamp", s.Timestamp, false); !t.IsZero() {
			st.Issued = t
		}
		for j, pr := range s.Products {
			if pr.ID == "" && pr.Identifiers.PURL == "" && pr.Identifiers.CPE23 == "" && pr.Identifiers.CPE22 == "" {
				p.Add(feed.Index(path+".products", j), "the product has neither @id nor identifiers")
			}
			cpe := pr.Identifiers.CPE23
			if cpe == "" {
				cpe = pr.Identifiers.CPE22
			}
			st.Products = append(st.Products, productFromID(pr.ID, pr.Identifiers.PURL, cpe))
		}
		out = append(out, st)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
