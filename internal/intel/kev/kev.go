// Package kev reads CISA's Known Exploited Vulnerabilities catalogue (the
// JSON form, schema known_exploited_vulnerabilities_schema.json) into
// domain.KEVEntry values. The whole catalogue is read or none of it: an
// entry that breaks the schema is an error located by file and JSON path.
// The package does no I/O of its own.
package kev

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// MaxSize is the largest catalogue Read accepts; the real one is ~1.5 MB.
const MaxSize = 64 << 20

// Catalog is one release of the catalogue.
type Catalog struct {
	Title    string
	Version  string    // catalogVersion, e.g. "2025.08.25"
	Released time.Time // dateReleased
	Entries  []domain.KEVEntry
	Source   string // the file it came from
}

// wire mirrors the catalogue; members are those of the CISA schema.
type wire struct {
	Title           *string     `json:"title"`
	CatalogVersion  *string     `json:"catalogVersion"` // required
	DateReleased    *string     `json:"dateReleased"`   // required, date-time
	Count           *int        `json:"count"`          // required
	Vulnerabilities []wireEntry `json:"vulnerabilities"`
}

type wireEntry struct {
	CVEID                      string   `json:"cveID"`             // required, ^CVE-[0-9]{4}-[0-9]{4,19}$
	VendorProject              string   `json:"vendorProject"`     // required
	Product                    string   `json:"product"`           // required
	VulnerabilityName          string   `json:"vulnerabilityName"` // required
	DateAdded                  string   `json:"dateAdded"`         // required, YYYY-MM-DD
	ShortDescription           string   `json:"shortDescription"`  // required
	RequiredAction             string   `json:"requiredAction"`    // required
	DueDate                    string   `json:"dueDate"`           // required, YYYY-MM-DD
	KnownRansomwareCampaignUse string   `json:"knownRansomwareCampaignUse"`
	Notes                      string   `json:"notes"`
	CWEs                       []string `json:"cwes"`
}

var cveRe = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)

// Detect reports whether head, the first bytes of an uncompressed file,
// looks like the KEV catalogue.
func Detect(head []byte) bool {
	h := feed.Head(head)
	return len(h) > 0 && h[0] == '{' && (bytes.Contains(head, []byte(`"catalogVersion"`)) || bytes.Contains(head, []byte(`"knownRansomwareCampaignUse"`)))
}

// Read reads a whole catalogue (gzipped or not) named name.
func Read(name string, r io.Reader) (*Catalog, error) {
	data, err := feed.ReadAll(name, r, MaxSize)
	if err != nil {
		return nil, err
	}
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, feed.JSONError(name, data, err)
	}
	p := feed.Problems{File: name}
	c := &Catalog{Source: name}
	if w.Title != nil {
		c.Title = *w.Title
	}
	if w.CatalogVersion == nil || *w.CatalogVersion == "" {
		p.Add("$.catalogVersion", "missing")
	} else {
		c.Version = *w.CatalogVersion
	}
	if w.DateReleased == nil {
		p.Add("$.dateReleased", "missing")
	} else if t, err := time.Parse(time.RFC3339, *w.DateReleased); err != nil {
		p.Add("$.dateReleased", "%q is not an RFC 3339 date-time", *w.DateReleased)
	} else {
		c.Released = t.UTC()
	}
	switch {
	case w.Vulnerabilities == nil:
		p.Add("$.vulnerabilities", "missing")
	case w.Count == nil:
		p.Add("$.count", "missing")
	case *w.Count != len(w.Vulnerabilities):
		p.Add("$.count", "the catalogue says %d entries but holds %d (is it cut short?)", *w.Count, len(w.Vulnerabilities))
	}
	seen := make(map[string]int, len(w.Vulnerabilities))
	for i, e := range w.Vulnerabilities {
		path := feed.Index("$.vulnerabilities", i)
		if !cveRe.MatchString(e.CVEID) {
			p.Add(path+".cveID", "%q is not a CVE id (CVE-YYYY-NNNN)", e.CVEID)
		} else if j, dup := seen[e.CVEID]; dup {
			p.Add(path+".cveID", "%s is listed twice (also at $.vulnerabilities[%d])", e.CVEID, j)
		}
		seen[e.CVEID] = i
		for _, f := range []struct{ member, value string }{
			{"vendorProject", e.VendorProject}, {"product", e.Product}, {"vulnerabilityName", e.VulnerabilityName},
			{"shortDescription", e.ShortDescription}, {"requiredAction", e.RequiredAction},
		} {
			if f.value == "" {
				p.Add(path+"."+f.member, "missing")
			}
		}
		ent := domain.KEVEntry{
			CVE: e.CVEID, Vendor: e.VendorProject, Product: e.Product, Name: e.VulnerabilityName,
			DateAdded: date(&p, path+".dateAdded", e.DateAdded), DueDate: date(&p, path+".dueDate", e.DueDate),
			RequiredAction: e.RequiredAction, Ransomware: e.KnownRansomwareCampaignUse, Notes: e.Notes,
			Description: e.ShortDescription, CWEs: e.CWEs,
		}
		c.Entries = append(c.Entries, ent)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// date reads a required YYYY-MM-DD date.
func date(p *feed.Problems, path, s string) domain.Date {
	if s == "" {
		p.Add(path, "missing")
		return domain.Date{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		p.Add(path, "%q is not a date (YYYY-MM-DD)", s)
		return domain.Date{}
	}
	return domain.DateOf(t)
}
