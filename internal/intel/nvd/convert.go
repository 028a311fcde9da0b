package nvd

import (
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// node is a configuration node of either NVD format: an operator over CPE
// matches and child nodes.
type node struct {
	operator string
	negate   bool
	children []node
	matches  []domain.CPEMatch
}

// flatten returns the vulnerable matches of a configuration tree. Under an
// AND node, each vulnerable match records the non-vulnerable criteria of
// the same subtree as its Platforms ("this firmware, on one of these
// devices"); elsewhere non-vulnerable matches are dropped. A negated node
// is dropped with everything under it: Vigil does not match "not X".
func flatten(roots []node) []domain.CPEMatch {
	var out []domain.CPEMatch
	for _, n := range roots {
		vuln, _ := collect(n)
		out = append(out, vuln...)
	}
	return out
}

func collect(n node) (vuln []domain.CPEMatch, platforms []string) {
	if n.negate {
		return nil, nil
	}
	for _, m := range n.matches {
		if m.Vulnerable {
			vuln = append(vuln, m)
		} else {
			platforms = appendUnique(platforms, m.Criteria)
		}
	}
	for _, c := range n.children {
		v, p := collect(c)
		vuln = append(vuln, v...)
		for _, x := range p {
			platforms = appendUnique(platforms, x)
		}
	}
	if strings.EqualFold(n.operator, "AND") && len(platforms) > 0 {
		for i := range vuln {
			for _, x := range platforms {
				vuln[i].Platforms = appendUnique(vuln[i].Platforms, x)
			}
		}
	}
	return vuln, platforms
}

// checkCPE records a problem when a criterion is not a CPE 2.3 string.
func checkCPE(rp *recordProblems, rel, cpe string) {
	if !strings.HasPrefix(cpe, "cpe:2.3:") || strings.Count(cpe, ":") < 12 {
		rp.add(rel, "%q is not a CPE 2.3 formatted string", cpe)
	}
}

// score converts a CVSS object; a missing vector or a base score outside
// 0–10 is a problem.
func score(rp *recordProblems, rel string, c *cvssData, severity, source string) domain.Score {
	s := domain.Score{Version: c.Version, Vector: c.VectorString, Severity: c.BaseSeverity, Source: source}
	if s.Severity == "" {
		s.Severity = severity
	}
	if c.VectorString == "" {
		rp.add(rel+".vectorString", "missing")
	}
	if c.BaseScore != nil {
		if *c.BaseScore < 0 || *c.BaseScore > 10 {
			rp.add(rel+".baseScore", "%v is outside 0–10", *c.BaseScore)
		}
		s.Base = *c.BaseScore
	}
	return s
}

func checkID(rp *recordProblems, rel, id string) {
	switch {
	case id == "":
		rp.add(rel, "missing")
	case !cveIDRe.MatchString(id):
		rp.add(rel, "%q is not a CVE id (CVE-YYYY-NNNN)", id)
	}
}

func addCWE(list []string, s string) []string {
	if cweRe.MatchString(s) {
		return appendUnique(list, s)
	}
	return list
}

// convert11 adapts an NVD JSON 1.1 feed item.
func convert11(it *item11, rp *recordProblems) (domain.CVE, *recordProblems) {
	c := domain.CVE{
		ID:          it.CVE.Meta.ID,
		Description: english(it.CVE.Description.Data),
		Published:   parseTime(rp, ".publishedDate", it.Published),
		Modified:    parseTime(rp, ".lastModifiedDate", it.Modified),
	}
	checkID(rp, ".cve.CVE_data_meta.ID", c.ID)
	for _, pt := range it.CVE.ProblemType.Data {
		for _, d := range pt.Description {
			c.CWEs = addCWE(c.CWEs, d.Value)
		}
	}
	for _, r := range it.CVE.References.Data {
		c.References = appendUnique(c.References, r.URL)
	}
	if v := it.Impact.V3; v != nil {
		c.Scores = append(c.Scores, score(rp, ".impact.baseMetricV3.cvssV3", &v.CVSS, "", "nvd@nist.gov"))
	}
	if v := it.Impact.V2; v != nil {
		c.Scores = append(c.Scores, score(rp, ".impact.baseMetricV2.cvssV2", &v.CVSS, v.Severity, "nvd@nist.gov"))
	}
	roots := make([]node, len(it.Configurations.Nodes))
	for i := range it.Configurations.Nodes {
		roots[i] = node11To(rp, feed.Index(".configurations.nodes", i), &it.Configurations.Nodes[i])
	}
	c.Matches = flatten(roots)
	return c, rp
}

func node11To(rp *recordProblems, rel string, n *node11) node {
	out := node{operator: n.Operator, negate: n.Negate}
	for i, m := range n.Matches {
		checkCPE(rp, feed.Index(rel+".cpe_match", i)+".cpe23Uri", m.CPE23)
		out.matches = append(out.matches, domain.CPEMatch{
			Criteria: m.CPE23, Vulnerable: m.Vulnerable,
			VersionStartIncluding: m.VersionStartIncluding, VersionStartExcluding: m.VersionStartExcluding,
			VersionEndIncluding: m.VersionEndIncluding, VersionEndExcluding: m.VersionEndExcluding,
		})
	}
	for i := range n.Children {
		out.children = append(out.children, node11To(rp, feed.Index(rel+".children", i), &n.Children[i]))
	}
	return out
}

// convert20 adapts an NVD CVE API 2.0 record. Scores come in the order
// CVSS 4.0, 3.1, 3.0, 2.0, each source's (NVD's Primary, the CNA's
// Secondary) kept.
func convert20(r *cve20, rp *recordProblems) (domain.CVE, *recordProblems) {
	c := domain.CVE{
		ID:          r.ID,
		Description: english(r.Descriptions),
		Published:   parseTime(rp, ".published", r.Published),
		Modified:    parseTime(rp, ".lastModified", r.Modified),
	}
	checkID(rp, ".id", c.ID)
	for _, set := range []struct {
		member string
		list   []metric20
	}{{"cvssMetricV40", r.Metrics.V40}, {"cvssMetricV31", r.Metrics.V31}, {"cvssMetricV30", r.Metrics.V30}, {"cvssMetricV2", r.Metrics.V2}} {
		for i := range set.list {
			m := &set.list[i]
			c.Scores = append(c.Scores, score(rp, feed.Index(".metrics."+set.member, i)+".cvssData", &m.CVSS, m.BaseSeverity, m.Source))
		}
	}
	for _, w := range r.Weaknesses {
		for _, d := range w.Description {
			c.CWEs = addCWE(c.CWEs, d.Value)
		}
	}
	for _, ref := range r.References {
		c.References = appendUnique(c.References, ref.URL)
	}
	var roots []node
	for i, cfg := range r.Configurations {
		rel := feed.Index(".configurations", i)
		root := node{operator: cfg.Operator, negate: cfg.Negate}
		if root.operator == "" {
			root.operator = "OR"
		}
		for j, n := range cfg.Nodes {
			child := node{operator: n.Operator, negate: n.Negate}
			for k, m := range n.Matches {
				checkCPE(rp, feed.Index(feed.Index(rel+".nodes", j)+".cpeMatch", k)+".criteria", m.Criteria)
				child.matches = append(child.matches, domain.CPEMatch{
					Criteria: m.Criteria, Vulnerable: m.Vulnerable,
					VersionStartIncluding: m.VersionStartIncluding, VersionStartExcluding: m.VersionStartExcluding,
					VersionEndIncluding: m.VersionEndIncluding, VersionEndExcluding: m.VersionEndExcluding,
				})
			}
			root.children = append(root.children, child)
		}
		roots = append(roots, root)
	}
	c.Matches = flatten(roots)
	for _, a := range r.Affected {
		for _, ad := range a.AffectedData {
			c.Affected = append(c.Affected, affectedProducts(&ad)...)
		}
	}
	return c, rp
}

// convert5 adapts a CVE JSON 5 record: the CNA container first, then each
// ADP container (CISA's adds CVSS, CWE and CPEs). Matches are built from
// the affected products' CPEs and version ranges.
func convert5(r *record5, rp *recordProblems) (domain.CVE, *recordProblems) {
	c := domain.CVE{
		ID:          r.Meta.ID,
		Description: english(r.Containers.CNA.Descriptions),
		Published:   parseTime(rp, ".cveMetadata.datePublished", r.Meta.Published),
		Modified:    parseTime(rp, ".cveMetadata.dateUpdated", r.Meta.Updated),
	}
	checkID(rp, ".cveMetadata.cveId", c.ID)
	containers := append([]container5{r.Containers.CNA}, r.Containers.ADP...)
	for ci := range containers {
		k := &containers[ci]
		rel := ".containers.cna"
		if ci > 0 {
			rel = feed.Index(".containers.adp", ci-1)
		}
		for _, pt := range k.ProblemTypes {
			for _, d := range pt.Descriptions {
				c.CWEs = addCWE(c.CWEs, d.CWE)
				if f := strings.Fields(d.Description); d.CWE == "" && len(f) > 0 {
					c.CWEs = addCWE(c.CWEs, strings.TrimSuffix(f[0], ":")) // "CWE-79 Improper Neutralization…"
				}
			}
		}
		for mi, m := range k.Metrics {
			for _, v := range []struct {
				member string
				data   *cvssData
			}{{"cvssV4_0", m.V40}, {"cvssV3_1", m.V31}, {"cvssV3_0", m.V30}, {"cvssV2_0", m.V20}} {
				if v.data != nil {
					c.Scores = append(c.Scores, score(rp, feed.Index(rel+".metrics", mi)+"."+v.member, v.data, "", k.Provider.ShortName))
				}
			}
		}
		for ai := range k.Affected {
			a := &k.Affected[ai]
			for pi, cpe := range a.CPEs {
				checkCPE(rp, feed.Index(feed.Index(rel+".affected", ai)+".cpes", pi), cpe)
			}
			c.Matches = append(c.Matches, affectedMatches(a)...)
			c.Affected = append(c.Affected, affectedProducts(a)...)
		}
		for _, ref := range k.References {
			c.References = appendUnique(c.References, ref.URL)
		}
	}
	return c, rp
}

// bounds is one affected version statement of CVE JSON 5: an exact
// version, or a range from version up to lessThan / lessThanOrEqual.
type bounds struct{ exact, from, below, upTo string }

func affectedBounds(a *affected5) []bounds {
	var out []bounds
	for _, v := range a.Versions {
		if v.Status != "affected" {
			continue
		}
		b := bounds{below: v.LessThan, upTo: v.LessThanOrEqual}
		open := b.below == "*" || b.upTo == "*" // "from version on, no upper bound"
		if open {
			b.below, b.upTo = "", ""
		}
		switch {
		case open:
			if v.Version != "0" && v.Version != "*" {
				b.from = v.Version
			}
		case b.below == "" && b.upTo == "":
			b.exact = v.Version
		case v.Version != "0" && v.Version != "*" && v.Version != "":
			b.from = v.Version
		}
		out = append(out, b)
	}
	if len(a.Versions) == 0 && a.DefaultStatus == "affected" {
		out = append(out, bounds{})
	}
	return out
}

// affectedMatches turns an affected product's CPEs and affected versions
// into CPE matches (an exact version is a range from and to itself).
func affectedMatches(a *affected5) []domain.CPEMatch {
	var out []domain.CPEMatch
	for _, cpe := range a.CPEs {
		if !strings.HasPrefix(cpe, "cpe:2.3:") {
			continue
		}
		for _, b := range affectedBounds(a) {
			m := domain.CPEMatch{Criteria: cpe, Vulnerable: true, VersionStartIncluding: b.from, VersionEndExcluding: b.below, VersionEndIncluding: b.upTo}
			if b.exact != "" && b.exact != "*" {
				m.VersionStartIncluding, m.VersionEndIncluding = b.exact, b.exact
			}
			out = append(out, m)
		}
	}
	return out
}

// affectedProducts turns an affected product into products whose version
// range is written as a vers:generic range.
func affectedProducts(a *affected5) []domain.Product {
	var out []domain.Product
	for _, b := range affectedBounds(a) {
		p := domain.Product{Vendor: strings.TrimSpace(a.Vendor), Name: strings.TrimSpace(a.Product)}
		if len(a.CPEs) > 0 {
			p.CPE = a.CPEs[0]
		}
		switch {
		case b.exact != "" && b.exact != "*":
			p.Version = b.exact
		case b.below != "" || b.upTo != "" || b.from != "":
			var parts []string
			if b.from != "" {
				parts = append(parts, ">="+b.from)
			}
			if b.below != "" {
				parts = append(parts, "<"+b.below)
			} else if b.upTo != "" {
				parts = append(parts, "<="+b.upTo)
			}
			p.VersionRange = "vers:generic/" + strings.Join(parts, "|")
		default:
			p.VersionRange = "vers:generic/*"
		}
		out = append(out, p)
	}
	return out
}
