package sbom

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// spdxDoc mirrors the members of an SPDX 2.3 JSON document Vigil reads
// (SPDX 2.3 specification, clauses 6 document creation, 7 package, 11
// relationships).
type spdxDoc struct {
	SPDXVersion       string        `json:"spdxVersion"`       // 6.1
	SPDXID            string        `json:"SPDXID"`            // 6.3, SPDXRef-DOCUMENT
	Name              string        `json:"name"`              // 6.4
	DocumentDescribes []string      `json:"documentDescribes"` // 2.2 form of DESCRIBES
	Packages          []spdxPackage `json:"packages"`          // 7
	Relationships     []struct {
		Element string `json:"spdxElementId"`
		Type    string `json:"relationshipType"`
		Related string `json:"relatedSpdxElement"`
	} `json:"relationships"` // 11
}

type spdxPackage struct {
	SPDXID       string `json:"SPDXID"`      // 7.2
	Name         string `json:"name"`        // 7.1
	VersionInfo  string `json:"versionInfo"` // 7.3
	Supplier     string `json:"supplier"`    // 7.5, "Organization: X" / "Person: Y" / NOASSERTION
	Originator   string `json:"originator"`  // 7.6
	ExternalRefs []struct {
		Category string `json:"referenceCategory"` // 7.21: SECURITY, PACKAGE-MANAGER…
		Type     string `json:"referenceType"`     // purl, cpe23Type, cpe22Type…
		Locator  string `json:"referenceLocator"`
	} `json:"externalRefs"`
}

// spdxPkg is one package being built, with where it was read.
type spdxPkg struct {
	c     domain.Component
	where string
}

// spdxBuild assembles an SPDX document from either serialisation.
type spdxBuild struct {
	p         *feed.Problems
	version   string
	name      string
	pkgs      []spdxPkg
	describes []string
}

// ref applies one external reference to a package.
func (b *spdxBuild) ref(c *domain.Component, typ, locator string) {
	switch strings.ToLower(typ) {
	case "purl":
		if c.PURL == "" {
			c.PURL = locator
		}
	case "cpe23type", "cpe22type":
		if c.CPE == "" || strings.HasPrefix(c.CPE, "cpe:/") && strings.HasPrefix(locator, "cpe:2.3:") {
			c.CPE = locator
		}
	}
}

func supplier(s, originator string) string {
	for _, v := range []string{s, originator} {
		v = strings.TrimSpace(v)
		if v == "" || v == "NOASSERTION" {
			continue
		}
		for _, prefix := range []string{"Organization:", "Person:", "Tool:"} {
			v = strings.TrimSpace(strings.TrimPrefix(v, prefix))
		}
		return v
	}
	return ""
}

// finish checks the document and splits subject from components.
func (b *spdxBuild) finish(f Format, versionAt, nameAt string) (*domain.SBOM, error) {
	switch b.version {
	case "SPDX-2.2", "SPDX-2.3":
	case "":
		b.p.Add(versionAt, "missing")
	default:
		b.p.Add(versionAt, "%q is not supported; Vigil reads SPDX-2.2 and SPDX-2.3", b.version)
	}
	if b.name == "" {
		b.p.Add(nameAt, "missing")
	}
	seen := map[string]string{}
	for _, pk := range b.pkgs {
		if pk.c.Ref == "" {
			b.p.Add(pk.where, "the package has no SPDXID")
		} else if prev, dup := seen[pk.c.Ref]; dup {
			b.p.Add(pk.where, "SPDXID %q is also the id of %s", pk.c.Ref, prev)
		}
		seen[pk.c.Ref] = pk.where
		if pk.c.Name == "" {
			b.p.Add(pk.where, "the package has no name")
		}
		c := pk.c
		checkIDs(b.p, pk.where, " (purl)", " (cpe)", &c)
	}
	for _, d := range b.describes {
		if _, ok := seen[d]; !ok && strings.HasPrefix(d, "SPDXRef-") {
			b.p.Add(versionAt, "the document describes %q, which is not a package of it", d)
		}
	}
	if err := b.p.Err(); err != nil {
		return nil, err
	}
	s := &domain.SBOM{Format: string(f), SpecVersion: strings.TrimPrefix(b.version, "SPDX-"), Components: []domain.Component{}}
	subject := ""
	if len(b.describes) > 0 {
		subject = b.describes[0]
	}
	for _, pk := range b.pkgs {
		if pk.c.Ref == subject && s.Subject.Name == "" {
			s.Subject = pk.c
			continue
		}
		s.Components = append(s.Components, pk.c)
	}
	if s.Subject.Name == "" {
		s.Subject = domain.Component{Name: b.name, Ref: "SPDXRef-DOCUMENT"}
	}
	return s, nil
}

func readSPDXJSON(name string, data []byte) (*domain.SBOM, error) {
	var d spdxDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, feed.JSONError(name, data, err)
	}
	b := &spdxBuild{p: &feed.Problems{File: name}, version: d.SPDXVersion, name: d.Name, describes: d.DocumentDescribes}
	if d.SPDXID != "SPDXRef-DOCUMENT" {
		b.p.Add("$.SPDXID", "must be \"SPDXRef-DOCUMENT\"")
	}
	for _, r := range d.Relationships {
		if r.Element == "SPDXRef-DOCUMENT" && r.Type == "DESCRIBES" {
			b.describes = append(b.describes, r.Related)
		}
	}
	for i, p := range d.Packages {
		c := domain.Component{Name: p.Name, Version: p.VersionInfo, Supplier: supplier(p.Supplier, p.Originator), Ref: p.SPDXID}
		for _, r := range p.ExternalRefs {
			b.ref(&c, r.Type, r.Locator)
		}
		b.pkgs = append(b.pkgs, spdxPkg{c, feed.Index("$.packages", i)})
	}
	return b.finish(FormatSPDXJSON, "$.spdxVersion", "$.name")
}

// readSPDXTag reads the tag-value serialisation (SPDX 2.3 clause 5,
// "Tag: value" lines, multi-line values between <text> and </text>).
// Problems are located by line.
func readSPDXTag(name string, data []byte) (*domain.SBOM, error) {
	b := &spdxBuild{p: &feed.Problems{File: name}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var cur *spdxPkg
	inPackage := false
	versionLine, nameLine := "line 1", "line 1"
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		where := "line " + strconv.Itoa(n)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tag, value, ok := strings.Cut(line, ":")
		if !ok {
			b.p.Add(where, "expected \"Tag: value\"")
			continue
		}
		tag, value = strings.TrimSpace(tag), strings.TrimSpace(value)
		if strings.HasPrefix(value, "<text>") && !strings.Contains(value, "</text>") {
			start := where
			closed := false
			for sc.Scan() {
				n++
				if strings.Contains(sc.Text(), "</text>") {
					closed = true
					break
				}
			}
			if !closed {
				b.p.Add(start, "the <text> value of %s is never closed by </text>", tag)
			}
			value = ""
		}
		value = strings.TrimSuffix(strings.TrimPrefix(value, "<text>"), "</text>")
		switch tag {
		case "SPDXVersion":
			b.version, versionLine = value, where
		case "DocumentName":
			b.name, nameLine = value, where
		case "PackageName":
			b.pkgs = append(b.pkgs, spdxPkg{domain.Component{Name: value}, where})
			cur, inPackage = &b.pkgs[len(b.pkgs)-1], true
		case "SPDXID":
			if inPackage && cur.c.Ref == "" {
				cur.c.Ref = value
			}
		case "FileName", "SnippetSPDXID", "LicenseID":
			inPackage = false // what follows describes a file, snippet or licence
		case "PackageVersion":
			if inPackage {
				cur.c.Version = value
			}
		case "PackageSupplier", "PackageOriginator":
			if inPackage && cur.c.Supplier == "" {
				cur.c.Supplier = supplier(value, "")
			}
		case "ExternalRef":
			f := strings.Fields(value)
			if len(f) != 3 {
				b.p.Add(where, "ExternalRef needs a category, a type and a locator")
			} else if inPackage {
				b.ref(&cur.c, f[1], f[2])
			}
		case "Relationship":
			f := strings.Fields(value)
			if len(f) != 3 {
				b.p.Add(where, "Relationship needs an element, a type and a related element")
			} else if f[0] == "SPDXRef-DOCUMENT" && f[1] == "DESCRIBES" {
				b.describes = append(b.describes, f[2])
			}
		}
	}
	if err := sc.Err(); err != nil {
		b.p.Add("line 1", "read: %v", err)
	}
	return b.finish(FormatSPDXTag, versionLine, nameLine)
}
