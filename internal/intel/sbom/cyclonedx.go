package sbom

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// cdxBOM mirrors the members of a CycloneDX BOM Vigil reads (CycloneDX
// 1.6 specification, "bom"); XML tags match any namespace, so one struct
// reads 1.2 to 1.6.
type cdxBOM struct {
	XMLName      xml.Name       `json:"-" xml:"bom"`
	XMLNS        string         `json:"-" xml:"xmlns,attr"`
	BOMFormat    string         `json:"bomFormat" xml:"-"`   // "CycloneDX" (JSON only)
	SpecVersion  string         `json:"specVersion" xml:"-"` // JSON; XML says it in the namespace
	SerialNumber string         `json:"serialNumber" xml:"serialNumber,attr"`
	Metadata     *cdxMetadata   `json:"metadata" xml:"metadata"`
	Components   []cdxComponent `json:"components" xml:"components>component"`
}

type cdxMetadata struct {
	Component *cdxComponent `json:"component" xml:"component"` // the subject
}

// cdxComponent is one component (CycloneDX "component").
type cdxComponent struct {
	Type         string         `json:"type" xml:"type,attr"` // required: application, device, firmware, library…
	BOMRef       string         `json:"bom-ref" xml:"bom-ref,attr"`
	Supplier     *cdxEntity     `json:"supplier" xml:"supplier"`
	Author       string         `json:"author" xml:"author"`
	Publisher    string         `json:"publisher" xml:"publisher"`
	Group        string         `json:"group" xml:"group"`
	Name         string         `json:"name" xml:"name"` // required
	Version      string         `json:"version" xml:"version"`
	CPE          string         `json:"cpe" xml:"cpe"`
	PURL         string         `json:"purl" xml:"purl"`
	Components   []cdxComponent `json:"components" xml:"components>component"` // nested sub-components
	Manufacturer *cdxEntity     `json:"manufacturer" xml:"manufacturer"`       // 1.6
}

type cdxEntity struct {
	Name string `json:"name" xml:"name"`
}

func readCycloneDXJSON(name string, data []byte) (*domain.SBOM, error) {
	var b cdxBOM
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, feed.JSONError(name, data, err)
	}
	p := feed.Problems{File: name}
	if b.BOMFormat != "CycloneDX" {
		p.Add("$.bomFormat", "must be \"CycloneDX\"")
	}
	checkSpec(&p, "$.specVersion", b.SpecVersion)
	return cdxAdapt(&p, &b, FormatCycloneDXJSON, b.SpecVersion, jsonPaths{})
}

func readCycloneDXXML(name string, data []byte) (*domain.SBOM, error) {
	var b cdxBOM
	if err := xml.Unmarshal(data, &b); err != nil {
		if se, ok := err.(*xml.SyntaxError); ok {
			return nil, feed.Errorf(name, fmt.Sprintf("line %d", se.Line), "%s", se.Msg)
		}
		return nil, feed.Errorf(name, "/bom", "%v", err)
	}
	p := feed.Problems{File: name}
	ns := b.XMLNS
	if ns == "" {
		ns = b.XMLName.Space
	}
	const prefix = "http://cyclonedx.org/schema/bom/"
	spec := strings.TrimPrefix(ns, prefix)
	if !strings.HasPrefix(ns, prefix) {
		p.Add("/bom/@xmlns", "%q is not a CycloneDX namespace (%sX.Y)", ns, prefix)
	} else {
		checkSpec(&p, "/bom/@xmlns", spec)
	}
	return cdxAdapt(&p, &b, FormatCycloneDXXML, spec, xmlPaths{})
}

func checkSpec(p *feed.Problems, path, v string) {
	switch v {
	case "1.2", "1.3", "1.4", "1.5", "1.6":
	case "":
		p.Add(path, "missing")
	default:
		p.Add(path, "CycloneDX %q is not supported; Vigil reads 1.2 to 1.6", v)
	}
}

// paths renders locations in the syntax of the document.
type paths interface {
	subject() string
	component(parent string, i int) string
	member(m string) string
}

type jsonPaths struct{}

func (jsonPaths) subject() string { return "$.metadata.component" }
func (jsonPaths) component(parent string, i int) string {
	if parent == "" {
		return feed.Index("$.components", i)
	}
	return feed.Index(parent+".components", i)
}
func (jsonPaths) member(m string) string { return "." + m }

type xmlPaths struct{}

func (xmlPaths) subject() string { return "/bom/metadata/component" }
func (xmlPaths) component(parent string, i int) string {
	if parent == "" {
		parent = "/bom"
	}
	return fmt.Sprintf("%s/components/component[%d]", parent, i+1) // XPath counts from 1
}
func (xmlPaths) member(m string) string {
	if m == "bom-ref" || m == "type" {
		return "/@" + m
	}
	return "/" + m
}

func cdxAdapt(p *feed.Problems, b *cdxBOM, f Format, spec string, at paths) (*domain.SBOM, error) {
	s := &domain.SBOM{Format: string(f), SpecVersion: spec, Components: []domain.Component{}}
	refs := map[string]string{}
	var walk func(list []cdxComponent, parent string)
	convert := func(c *cdxComponent, path string) domain.Component {
		if c.Name == "" {
			p.Add(path+at.member("name"), "missing")
		}
		if c.Type == "" {
			p.Add(path+at.member("type"), "missing")
		}
		if c.BOMRef != "" {
			if prev, dup := refs[c.BOMRef]; dup {
				p.Add(path+at.member("bom-ref"), "%q is also the bom-ref of %s", c.BOMRef, prev)
			}
			refs[c.BOMRef] = path
		}
		out := domain.Component{Name: c.Name, Version: c.Version, PURL: c.PURL, CPE: c.CPE, Ref: c.BOMRef}
		switch {
		case c.Supplier != nil && c.Supplier.Name != "":
			out.Supplier = c.Supplier.Name
		case c.Manufacturer != nil && c.Manufacturer.Name != "":
			out.Supplier = c.Manufacturer.Name
		case c.Publisher != "":
			out.Supplier = c.Publisher
		default:
			out.Supplier = c.Author
		}
		checkIDs(p, path, at.member("purl"), at.member("cpe"), &out)
		return out
	}
	walk = func(list []cdxComponent, parent string) {
		for i := range list {
			path := at.component(parent, i)
			s.Components = append(s.Components, convert(&list[i], path))
			walk(list[i].Components, path)
		}
	}
	if b.Metadata != nil && b.Metadata.Component != nil {
		s.Subject = convert(b.Metadata.Component, at.subject())
		walk(b.Metadata.Component.Components, at.subject())
	}
	walk(b.Components, "")
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s, nil
}
