package csaf

import (
	"slices"
	"sort"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// statusGroups folds the eight CSAF product status lists (3.2.3.9) into
// the five domain statuses, with the contradiction class of each: a
// product may not be affected, not affected, fixed and under
// investigation at once (CSAF mandatory test 6.1.6). recommended is no
// contradiction class.
var statusGroups = []struct {
	member string
	status domain.ProductStatus
	list   func(*productStatus) []string
}{
	{"first_affected", domain.StatusKnownAffected, func(s *productStatus) []string { return s.FirstAffected }},
	{"known_affected", domain.StatusKnownAffected, func(s *productStatus) []string { return s.KnownAffected }},
	{"last_affected", domain.StatusKnownAffected, func(s *productStatus) []string { return s.LastAffected }},
	{"first_fixed", domain.StatusFixed, func(s *productStatus) []string { return s.FirstFixed }},
	{"fixed", domain.StatusFixed, func(s *productStatus) []string { return s.Fixed }},
	{"known_not_affected", domain.StatusKnownNotAffected, func(s *productStatus) []string { return s.KnownNotAffected }},
	{"under_investigation", domain.StatusUnderInvestigation, func(s *productStatus) []string { return s.UnderInvestigation }},
	{"recommended", domain.StatusRecommended, func(s *productStatus) []string { return s.Recommended }},
}

func (a *adapter) vulnerability(v *vulnerability, path string) domain.AdvisoryVuln {
	out := domain.AdvisoryVuln{CVE: v.CVE, Title: v.Title}
	if v.CVE != "" && !cveRe.MatchString(v.CVE) {
		a.p.Add(path+".cve", "%q is not a CVE id (CVE-YYYY-NNNN)", v.CVE)
	}
	if v.CWE != nil {
		if !cweRe.MatchString(v.CWE.ID) {
			a.p.Add(path+".cwe.id", "%q is not a CWE id (CWE-NNN)", v.CWE.ID)
		}
		a.required(path+".cwe.name", v.CWE.Name)
		out.CWEs = []string{v.CWE.ID}
	}
	out.Notes = a.notes(path+".notes", v.Notes)
	if v.ProductStatus != nil {
		out.Status = a.status(path+".product_status", v.ProductStatus)
	}
	for i, r := range v.Remediations {
		p := feed.Index(path+".remediations", i)
		a.oneOf(p+".category", r.Category, remedyCats)
		a.required(p+".details", r.Details)
		if len(r.ProductIDs)+len(r.GroupIDs) == 0 {
			a.p.Add(p, "the remediation names no products (product_ids or group_ids)")
		}
		a.productIDs(p+".product_ids", r.ProductIDs)
		a.groupIDs(p+".group_ids", r.GroupIDs)
		out.Remediations = append(out.Remediations, domain.Remediation{
			Category:   domain.RemediationCategory(r.Category),
			Details:    r.Details,
			URL:        r.URL,
			ProductIDs: a.resolve(r.ProductIDs, r.GroupIDs),
			Date:       a.p.Time(p+".date", r.Date, false),
		})
	}
	for i, s := range v.Scores {
		p := feed.Index(path+".scores", i)
		if len(s.Products) == 0 {
			a.p.Add(p+".products", "missing (a score applies to at least one product)")
		}
		a.productIDs(p+".products", s.Products)
		if s.CVSSv2 == nil && s.CVSSv3 == nil {
			a.p.Add(p, "the score has neither cvss_v2 nor cvss_v3")
		}
		if s.CVSSv3 != nil {
			out.Scores = append(out.Scores, a.cvss(p+".cvss_v3", s.CVSSv3, s.Products, true))
		}
		if s.CVSSv2 != nil {
			out.Scores = append(out.Scores, a.cvss(p+".cvss_v2", s.CVSSv2, s.Products, false))
		}
	}
	for i, f := range v.Flags {
		p := feed.Index(path+".flags", i)
		a.oneOf(p+".label", f.Label, flagLabels)
		if len(f.ProductIDs)+len(f.GroupIDs) == 0 {
			a.p.Add(p, "the flag names no products (product_ids or group_ids)")
		}
		a.productIDs(p+".product_ids", f.ProductIDs)
		a.groupIDs(p+".group_ids", f.GroupIDs)
		a.p.Time(p+".date", f.Date, false)
		out.Flags = append(out.Flags, domain.Flag{Label: f.Label, ProductIDs: a.resolve(f.ProductIDs, f.GroupIDs)})
	}
	for i, t := range v.Threats {
		p := feed.Index(path+".threats", i)
		a.oneOf(p+".category", t.Category, threatCats)
		a.required(p+".details", t.Details)
		a.productIDs(p+".product_ids", t.ProductIDs)
		a.groupIDs(p+".group_ids", t.GroupIDs)
		out.Threats = append(out.Threats, domain.Threat{
			Category:   t.Category,
			Details:    t.Details,
			ProductIDs: a.resolve(t.ProductIDs, t.GroupIDs),
			Date:       a.p.Time(p+".date", t.Date, false),
		})
	}
	return out
}

// status folds the product status lists and rejects a product listed in
// two contradicting classes.
func (a *adapter) status(path string, ps *productStatus) map[domain.ProductStatus][]string {
	out := map[domain.ProductStatus][]string{}
	class := map[string]domain.ProductStatus{}
	for _, g := range statusGroups {
		p := path + "." + g.member
		for i, id := range a.productIDs(p, g.list(ps)) {
			if g.status != domain.StatusRecommended {
				if c, ok := class[id]; ok && c != g.status {
					a.p.Add(feed.Index(p, i), "product %q is also listed as %s", id, c)
				}
				class[id] = g.status
			}
			if !slices.Contains(out[g.status], id) {
				out[g.status] = append(out[g.status], id)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (a *adapter) cvss(path string, c *cvss, products []string, v3 bool) domain.Score {
	a.required(path+".version", c.Version)
	a.required(path+".vectorString", c.VectorString)
	s := domain.Score{Version: c.Version, Vector: c.VectorString, Severity: c.BaseSeverity, ProductIDs: products}
	if c.BaseScore == nil {
		a.p.Add(path+".baseScore", "missing")
	} else if *c.BaseScore < 0 || *c.BaseScore > 10 {
		a.p.Add(path+".baseScore", "%v is outside 0–10", *c.BaseScore)
	} else {
		s.Base = *c.BaseScore
	}
	if v3 {
		a.oneOf(path+".baseSeverity", c.BaseSeverity, set("NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"))
	}
	return s
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
