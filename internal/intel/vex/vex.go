// Package vex reads Vulnerability Exploitability eXchange documents into
// domain.VEXStatement values: OpenVEX JSON (v0.0.1 and v0.2.0) and
// CycloneDX VEX (a CycloneDX JSON BOM whose vulnerabilities carry an
// analysis). CSAF VEX is read by package csaf (csaf.VEX). A document is
// read whole or not at all; problems are located by file and JSON path.
// The package does no I/O of its own.
package vex

import (
	"bytes"
	"io"
	"regexp"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// Format is a VEX format.
type Format string

// The formats Read detects.
const (
	FormatOpenVEX      Format = "openvex"
	FormatCycloneDXVEX Format = "cyclonedx-vex"     // JSON
	FormatCycloneDXXML Format = "cyclonedx-vex-xml" // XML
)

// MaxSize is the largest document Read accepts (after gunzip).
const MaxSize = 64 << 20

var (
	openVEXRe   = regexp.MustCompile(`"@context"\s*:\s*"https://openvex\.dev/ns`)
	cdxRe       = regexp.MustCompile(`"bomFormat"\s*:\s*"CycloneDX"|"bom-ref"`)
	cdxXMLRe    = regexp.MustCompile(`<(\w+:)?bom[\s>][^>]*cyclonedx\.org/schema/bom/1\.[4-6]`)
	cveRe       = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)
	purlPartsRe = regexp.MustCompile(`^pkg:[^/]+/(?:.*/)?([^/@?#]+)(?:@([^?#]+))?`)
)

// Sniff returns the VEX format of an uncompressed document from its first
// bytes (or all of it), or "". A CycloneDX BOM counts as VEX when an
// analysis shows in what Sniff sees.
func Sniff(head []byte) Format {
	h := feed.Head(head)
	if len(h) > 0 && h[0] == '<' && cdxXMLRe.Match(h) && bytes.Contains(h, []byte("<vulnerabilities")) && bytes.Contains(h, []byte("<analysis")) {
		return FormatCycloneDXXML
	}
	if len(h) == 0 || h[0] != '{' {
		return ""
	}
	switch {
	case openVEXRe.Match(h):
		return FormatOpenVEX
	case cdxRe.Match(h) && bytes.Contains(h, []byte(`"vulnerabilities"`)) && bytes.Contains(h, []byte(`"analysis"`)):
		return FormatCycloneDXVEX
	}
	return ""
}

// Detect reports whether head, the first bytes of an uncompressed file,
// is a VEX document Read understands.
func Detect(head []byte) bool { return Sniff(head) != "" }

// Read reads one VEX document (gzipped or not) named name; name is used
// in error locations and kept as each statement's Source.
func Read(name string, r io.Reader) ([]domain.VEXStatement, error) {
	data, err := feed.ReadAll(name, r, MaxSize)
	if err != nil {
		return nil, err
	}
	var out []domain.VEXStatement
	switch Sniff(data) {
	case FormatOpenVEX:
		out, err = readOpenVEX(name, data)
	case FormatCycloneDXVEX:
		out, err = readCycloneDX(name, data)
	case FormatCycloneDXXML:
		out, err = readCycloneDXXML(name, data)
	default:
		return nil, feed.Errorf(name, "byte 0", "not an OpenVEX document or a CycloneDX BOM with vulnerability analyses")
	}
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Source = name
	}
	return out, nil
}

// productFromID fills a product from an identifier that may be a PURL or
// a CPE; a PURL also gives the name and version.
func productFromID(id, purl, cpe string) domain.Product {
	p := domain.Product{ID: id, PURL: purl, CPE: cpe}
	switch {
	case p.PURL == "" && strings.HasPrefix(id, "pkg:"):
		p.PURL = id
	case p.CPE == "" && strings.HasPrefix(id, "cpe:"):
		p.CPE = id
	}
	if m := purlPartsRe.FindStringSubmatch(p.PURL); m != nil {
		p.Name, p.Version = m[1], m[2]
	}
	return p
}

func checkVuln(p *feed.Problems, path, id string) {
	switch {
	case id == "":
		p.Add(path, "missing")
	case strings.HasPrefix(strings.ToUpper(id), "CVE-") && !cveRe.MatchString(id):
		p.Add(path, "%q is not a CVE id (CVE-YYYY-NNNN)", id)
	}
}
