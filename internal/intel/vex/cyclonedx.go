package vex

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// cdxVEX mirrors the members of a CycloneDX 1.4–1.6 BOM that carry VEX
// (CycloneDX specification, "vulnerabilities" and its "analysis"), in
// JSON and in XML (whose tags match any namespace).
type cdxVEX struct {
	XMLName     xml.Name `json:"-" xml:"bom"`
	BOMFormat   string   `json:"bomFormat" xml:"-"`
	SpecVersion string   `json:"specVersion" xml:"-"`
	Metadata    struct {
		Timestamp string `json:"timestamp" xml:"timestamp"`
		Authors   []struct {
			Name string `json:"name" xml:"name"`
		} `json:"authors" xml:"authors>author"`
		Supplier *struct {
			Name string `json:"name" xml:"name"`
		} `json:"supplier" xml:"supplier"`
		Component *cdxComponent `json:"component" xml:"component"`
	} `json:"metadata" xml:"metadata"`
	Components      []cdxComponent `json:"components" xml:"components>component"`
	Vulnerabilities []struct {
		ID       string `json:"id" xml:"id"`
		Updated  string `json:"updated" xml:"updated"`
		Analysis *struct {
			State         string   `json:"state" xml:"state"`
			Justification string   `json:"justification" xml:"justification"`
			Response      []string `json:"response" xml:"responses>response"`
			Detail        string   `json:"detail" xml:"detail"`
			LastUpdated   string   `json:"lastUpdated" xml:"lastUpdated"`
		} `json:"analysis" xml:"analysis"`
		Affects []struct {
			Ref      string `json:"ref" xml:"ref"`
			Versions []struct {
				Version string `json:"version" xml:"version"`
				Range   string `json:"range" xml:"range"`
				Status  string `json:"status" xml:"status"`
			} `json:"versions" xml:"versions>version"`
		} `json:"affects" xml:"affects>target"`
	} `json:"vulnerabilities" xml:"vulnerabilities>vulnerability"`
}

type cdxComponent struct {
	BOMRef     string         `json:"bom-ref" xml:"bom-ref,attr"`
	Name       string         `json:"name" xml:"name"`
	Version    string         `json:"version" xml:"version"`
	PURL       string         `json:"purl" xml:"purl"`
	CPE        string         `json:"cpe" xml:"cpe"`
	Components []cdxComponent `json:"components" xml:"components>component"`
}

var (
	cdxStates = map[string]domain.VEXStatus{
		"resolved": domain.VEXFixed, "resolved_with_pedigree": domain.VEXFixed, "exploitable": domain.VEXAffected,
		"in_triage": domain.VEXUnderInvestigation, "false_positive": domain.VEXNotAffected, "not_affected": domain.VEXNotAffected,
	}
	cdxJustifications = map[string]bool{
		"code_not_present": true, "code_not_reachable": true, "requires_configuration": true, "requires_dependency": true,
		"requires_environment": true, "protected_by_compiler": true, "protected_at_runtime": true, "protected_at_perimeter": true,
		"protected_by_mitigating_control": true,
	}
)

// readCycloneDX turns each vulnerability with an analysis into one
// statement. Its products are the components its affects entries name
// (by bom-ref, or the fragment of a BOM-Link to another BOM), with a
// version or range when the entry lists versions. The justification is
// CycloneDX's own value (code_not_reachable…), or false_positive; the
// impact is the analysis detail of a not_affected statement, the action
// the responses and detail of an affected one. A vulnerability without
// an analysis is an SBOM finding, not a VEX statement, and is skipped.
func readCycloneDX(name string, data []byte) ([]domain.VEXStatement, error) {
	var b cdxVEX
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, feed.JSONError(name, data, err)
	}
	p := feed.Problems{File: name}
	if b.BOMFormat != "CycloneDX" {
		p.Add("$.bomFormat", "must be \"CycloneDX\"")
	}
	return cdxStatements(&p, &b)
}

// readCycloneDXXML reads the XML form; problems are found with JSON-style
// paths, then rewritten as XML element paths (XPath counts from 1).
func readCycloneDXXML(name string, data []byte) ([]domain.VEXStatement, error) {
	var b cdxVEX
	if err := xml.Unmarshal(data, &b); err != nil {
		if se, ok := err.(*xml.SyntaxError); ok {
			return nil, feed.Errorf(name, fmt.Sprintf("line %d", se.Line), "%s", se.Msg)
		}
		return nil, feed.Errorf(name, "/bom", "%v", err)
	}
	p := feed.Problems{File: name}
	out, _ := cdxStatements(&p, &b)
	for i := range p.List {
		p.List[i].Field = xmlPath(p.List[i].Field)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

var (
	stepRe   = regexp.MustCompile(`\.(\w+)\[(\d+)\]`)
	elements = map[string]string{"vulnerabilities": "vulnerability", "affects": "target", "versions": "version", "components": "component", "authors": "author"}
)

// xmlPath rewrites "$.vulnerabilities[0].affects[1].ref" as
// "/bom/vulnerabilities/vulnerability[1]/affects/target[2]/ref".
func xmlPath(path string) string {
	path = stepRe.ReplaceAllStringFunc(path, func(m string) string {
		sm := stepRe.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sm[2])
		return "/" + sm[1] + "/" + elements[sm[1]] + "[" + strconv.Itoa(n+1) + "]"
	})
	return "/bom" + strings.ReplaceAll(strings.TrimPrefix(path, "$"), ".", "/")
}

// cdxStatements builds the statements of a decoded CycloneDX BOM,
// recording problems in p.
func cdxStatements(p *feed.Problems, b *cdxVEX) ([]domain.VEXStatement, error) {
	components := map[string]cdxComponent{}
	var index func([]cdxComponent)
	index = func(list []cdxComponent) {
		for _, c := range list {
			if c.BOMRef != "" {
				components[c.BOMRef] = c
			}
			index(c.Components)
		}
	}
	if m := b.Metadata.Component; m != nil {
		index([]cdxComponent{*m})
	}
	index(b.Components)
	author := ""
	if len(b.Metadata.Authors) > 0 {
		author = b.Metadata.Authors[0].Name
	} else if b.Metadata.Supplier != nil {
		author = b.Metadata.Supplier.Name
	}
	issued := p.Time("$.metadata.timestamp", b.Metadata.Timestamp, false)
	var out []domain.VEXStatement
	for i, v := range b.Vulnerabilities {
		path := feed.Index("$.vulnerabilities", i)
		a := v.Analysis
		if a == nil {
			continue
		}
		checkVuln(p, path+".id", v.ID)
		status, ok := cdxStates[a.State]
		if !ok {
			p.Add(path+".analysis.state", "%q is not a CycloneDX analysis state", a.State)
		}
		if a.Justification != "" && !cdxJustifications[a.Justification] {
			p.Add(path+".analysis.justification", "%q is not a CycloneDX justification", a.Justification)
		}
		st := domain.VEXStatement{Vuln: v.ID, Status: status, Justification: a.Justification, Author: author, Issued: issued}
		if st.Justification == "" && a.State == "false_positive" {
			st.Justification = "false_positive"
		}
		switch status {
		case domain.VEXNotAffected:
			st.Impact = a.Detail
		case domain.VEXAffected:
			st.Action = strings.TrimSpace(strings.Join(a.Response, ", ") + "\n" + a.Detail)
		}
		for _, t := range []struct{ path, s string }{{path + ".updated", v.Updated}, {path + ".analysis.lastUpdated", a.LastUpdated}} {
			if tm := p.Time(t.path, t.s, false); !tm.IsZero() {
				st.Issued = tm
			}
		}
		var others []domain.VEXStatement // versions whose own status differs from the analysis
		if len(v.Affects) == 0 {
			p.Add(path+".affects", "missing (which products does the analysis concern?)")
		}
		for j, af := range v.Affects {
			apath := feed.Index(path+".affects", j)
			if af.Ref == "" {
				p.Add(apath+".ref", "missing")
				continue
			}
			ref := af.Ref
			if k := strings.LastIndexByte(ref, '#'); k >= 0 && strings.HasPrefix(ref, "urn:cdx:") {
				ref = ref[k+1:] // BOM-Link: the component of another BOM
			}
			base := productFromID(af.Ref, "", "")
			if c, ok := components[ref]; ok {
				base = productFromID(af.Ref, c.PURL, c.CPE)
				base.Name, base.Version = c.Name, c.Version
			}
			if len(af.Versions) == 0 {
				st.Products = append(st.Products, base)
				continue
			}
			for _, ver := range af.Versions {
				pr := base
				pr.Version, pr.VersionRange = ver.Version, ver.Range
				pr.CPE, pr.PURL = anyVersionCPE(pr.CPE), strings.SplitN(pr.PURL, "@", 2)[0]
				switch ver.Status {
				case "unaffected":
					others = addTo(others, st, domain.VEXNotAffected, pr)
				case "unknown":
					others = addTo(others, st, domain.VEXUnderInvestigation, pr)
				default:
					st.Products = append(st.Products, pr)
				}
			}
		}
		if len(st.Products) > 0 {
			out = append(out, st)
		}
		out = append(out, others...)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// addTo adds a product to the statement of status derived from st (same
// vulnerability, author and date), creating it when needed. A version
// marked unaffected under an analysis says nothing more, so the statement
// carries the impact "version not affected" and no justification.
func addTo(list []domain.VEXStatement, st domain.VEXStatement, status domain.VEXStatus, p domain.Product) []domain.VEXStatement {
	for i := range list {
		if list[i].Status == status {
			list[i].Products = append(list[i].Products, p)
			return list
		}
	}
	n := domain.VEXStatement{Vuln: st.Vuln, Status: status, Author: st.Author, Issued: st.Issued}
	if status == domain.VEXNotAffected {
		n.Impact = "version not affected"
	}
	n.Products = []domain.Product{p}
	return append(list, n)
}

// anyVersionCPE returns a CPE 2.3 string with its version field set to
// "*": when an affects entry lists versions, they, not the component's
// own version, say which versions the statement is about.
func anyVersionCPE(cpe string) string {
	f := strings.Split(cpe, ":")
	if len(f) < 6 || f[0] != "cpe" || f[1] != "2.3" {
		return cpe
	}
	f[5] = "*"
	return strings.Join(f, ":")
}
