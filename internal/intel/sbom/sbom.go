// Package sbom reads software bills of materials into domain.SBOM: the
// subject the SBOM describes and its components with their PURL and CPE.
// Formats: CycloneDX JSON and XML (specVersion 1.2–1.6; Vigil targets
// 1.4–1.6, earlier versions carry the same members), SPDX 2.2/2.3 JSON and
// SPDX 2.x tag-value. The format is detected by content. A document that
// breaks a rule is an error located by JSON path, XML element path or
// line, and nothing is returned. Plain wire structs over encoding/json and
// encoding/xml are used rather than cyclonedx-go and tools-golang: Vigil
// reads a few members only, and the wire structs let every error name its
// place. The package does no I/O of its own.
package sbom

import (
	"bytes"
	"io"
	"regexp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// Format is an SBOM format, as recorded in domain.SBOM.Format.
type Format string

// The formats Read detects.
const (
	FormatCycloneDXJSON Format = "cyclonedx-json"
	FormatCycloneDXXML  Format = "cyclonedx-xml"
	FormatSPDXJSON      Format = "spdx-json"
	FormatSPDXTag       Format = "spdx-tag"
)

// MaxSize is the largest SBOM Read accepts (after gunzip).
const MaxSize = 256 << 20

var (
	cdxJSONRe = regexp.MustCompile(`"bomFormat"\s*:\s*"CycloneDX"`)
	cdxXMLRe  = regexp.MustCompile(`<(\w+:)?bom[\s>][^>]*cyclonedx\.org/schema/bom`)
	spdxTagRe = regexp.MustCompile(`(?m)^SPDXVersion:\s*SPDX-`)
)

// Sniff returns the format of an uncompressed SBOM from its first bytes
// (or all of it), or "" when it is none of them. A JSON BOM whose members
// are sorted may put bomFormat last; one bom-ref is then enough.
func Sniff(head []byte) Format {
	h := feed.Head(head)
	switch {
	case len(h) == 0:
		return ""
	case h[0] == '{' && (cdxJSONRe.Match(h) || bytes.Contains(h, []byte(`"bom-ref"`))):
		return FormatCycloneDXJSON // members may come in any order: bom-ref shows a BOM whose bomFormat is further on
	case h[0] == '{' && bytes.Contains(h, []byte(`"spdxVersion"`)):
		return FormatSPDXJSON
	case h[0] == '<' && cdxXMLRe.Match(h):
		return FormatCycloneDXXML
	case spdxTagRe.Match(h):
		return FormatSPDXTag
	}
	return ""
}

// Detect reports whether head, the first bytes of an uncompressed file, is
// an SBOM Read understands. A CycloneDX BOM carrying vulnerabilities is
// also VEX (package vex reads that part).
func Detect(head []byte) bool { return Sniff(head) != "" }

// Read reads one SBOM (gzipped or not) named name; name is used in error
// locations and kept as the SBOM's Source.
func Read(name string, r io.Reader) (*domain.SBOM, error) {
	data, err := feed.ReadAll(name, r, MaxSize)
	if err != nil {
		return nil, err
	}
	var s *domain.SBOM
	switch Sniff(data) {
	case FormatCycloneDXJSON:
		s, err = readCycloneDXJSON(name, data)
	case FormatCycloneDXXML:
		s, err = readCycloneDXXML(name, data)
	case FormatSPDXJSON:
		s, err = readSPDXJSON(name, data)
	case FormatSPDXTag:
		s, err = readSPDXTag(name, data)
	default:
		return nil, feed.Errorf(name, "byte 0", "not a CycloneDX (JSON or XML) or SPDX (JSON or tag-value) SBOM")
	}
	if err != nil {
		return nil, err
	}
	s.Source = name
	return s, nil
}

// checkIDs records problems for a PURL or CPE that is not one.
func checkIDs(p *feed.Problems, path, purlMember, cpeMember string, c *domain.Component) {
	if c.PURL != "" && !bytes.HasPrefix([]byte(c.PURL), []byte("pkg:")) {
		p.Add(path+purlMember, "%q is not a package URL (pkg:type/namespace/name@version)", c.PURL)
	}
	if c.CPE != "" && !bytes.HasPrefix([]byte(c.CPE), []byte("cpe:2.3:")) && !bytes.HasPrefix([]byte(c.CPE), []byte("cpe:/")) {
		p.Add(path+cpeMember, "%q is not a CPE 2.2 URI or 2.3 formatted string", c.CPE)
	}
}
