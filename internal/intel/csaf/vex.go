package csaf

import "github.com/vigil-med/vigil/internal/domain"

// VEX returns the VEX statements an advisory makes: for each vulnerability
// (with a CVE) and each status other than recommended, one statement per
// set of products sharing the same justification, impact and action.
// A known_not_affected product's justification is the label of the flag
// naming it and its impact the details of the impact threat naming it
// (the CSAF VEX profile requires one of the two, 4.5); a known_affected
// product's action is the details of the remediations naming it. It works
// on any CSAF document, csaf_vex or not.
func VEX(a *domain.Advisory) []domain.VEXStatement {
	if a == nil {
		return nil
	}
	byID := make(map[string]domain.Product, len(a.Products))
	for _, p := range a.Products {
		byID[p.ID] = p
	}
	var out []domain.VEXStatement
	for _, v := range a.Vulns {
		if v.CVE == "" {
			continue
		}
		for _, st := range []struct {
			from domain.ProductStatus
			to   domain.VEXStatus
		}{
			{domain.StatusKnownNotAffected, domain.VEXNotAffected},
			{domain.StatusKnownAffected, domain.VEXAffected},
			{domain.StatusFixed, domain.VEXFixed},
			{domain.StatusUnderInvestigation, domain.VEXUnderInvestigation},
		} {
			index := map[[3]string]int{}
			for _, id := range v.Status[st.from] {
				var key [3]string // justification, impact, action
				switch st.to {
				case domain.VEXNotAffected:
					key[0] = flagFor(v.Flags, id)
					key[1] = threatFor(v.Threats, id)
				case domain.VEXAffected:
					key[2] = actionFor(v.Remediations, id)
				}
				i, ok := index[key]
				if !ok {
					i = len(out)
					index[key] = i
					out = append(out, domain.VEXStatement{
						Vuln: v.CVE, Status: st.to, Justification: key[0], Impact: key[1], Action: key[2],
						Author: a.Publisher, Issued: a.Updated, Source: a.Source,
					})
				}
				p, ok := byID[id]
				if !ok {
					p = domain.Product{ID: id}
				}
				out[i].Products = append(out[i].Products, p)
			}
		}
	}
	return out
}

func flagFor(flags []domain.Flag, id string) string {
	for _, f := range flags {
		for _, p := range f.ProductIDs {
			if p == id {
				return f.Label
			}
		}
	}
	return ""
}

func threatFor(threats []domain.Threat, id string) string {
	for _, t := range threats {
		if t.Category != "impact" {
			continue
		}
		for _, p := range t.ProductIDs {
			if p == id {
				return t.Details
			}
		}
	}
	return ""
}

func actionFor(rems []domain.Remediation, id string) string {
	s := ""
	for _, r := range rems {
		for _, p := range r.ProductIDs {
			if p == id {
				if s != "" {
					s += "\n"
				}
				s += r.Details
				break
			}
		}
	}
	return s
}
