package intel

import (
	"bufio"
	"fmt"
	"io"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/csaf"
	"github.com/vigil-med/vigil/internal/intel/epss"
	"github.com/vigil-med/vigil/internal/intel/feed"
	"github.com/vigil-med/vigil/internal/intel/kev"
	"github.com/vigil-med/vigil/internal/intel/nvd"
	"github.com/vigil-med/vigil/internal/intel/sbom"
	"github.com/vigil-med/vigil/internal/intel/vex"
)

// Kind names a feed format.
type Kind string

// Feed formats Vigil reads.
const (
	KindCSAF Kind = "csaf"
	KindNVD  Kind = "nvd"
	KindKEV  Kind = "kev"
	KindEPSS Kind = "epss"
	KindSBOM Kind = "sbom"
	KindVEX  Kind = "vex"
)

// Document is what one file held, read whole: nothing of it is kept
// when reading fails.
type Document struct {
	Name     string
	Kind     Kind
	Advisory *domain.Advisory
	CVEs     []*domain.CVE
	KEV      []domain.KEVEntry
	EPSS     []domain.EPSSScore
	SBOM     *domain.SBOM
	VEX      []domain.VEXStatement
}

// Count says in a few words what the document holds.
func (d *Document) Count() string {
	switch {
	case d.Advisory != nil:
		return "advisory " + d.Advisory.ID
	case d.CVEs != nil:
		return fmt.Sprintf("%d CVE records", len(d.CVEs))
	case d.KEV != nil:
		return fmt.Sprintf("%d KEV entries", len(d.KEV))
	case d.EPSS != nil:
		return fmt.Sprintf("%d EPSS scores", len(d.EPSS))
	case d.SBOM != nil:
		return fmt.Sprintf("SBOM of %s with %d components", d.SBOM.Subject.Name, len(d.SBOM.Components))
	case d.VEX != nil:
		return fmt.Sprintf("%d VEX statements", len(d.VEX))
	}
	return "nothing"
}

// reader is one feed format: a content test on the first bytes and a
// reader of the whole (uncompressed) input.
type reader struct {
	kind   Kind
	detect func(head []byte) bool
	read   func(name string, r io.Reader, doc *Document) error
}

// readers are tried in order; the first whose detect accepts the head
// reads the input.
var readers = []reader{
	{KindCSAF, csaf.Detect, func(name string, r io.Reader, doc *Document) error {
		a, err := csaf.Read(name, r)
		doc.Advisory = a
		return err
	}},
	{KindVEX, vex.Detect, func(name string, r io.Reader, doc *Document) error {
		st, err := vex.Read(name, r)
		doc.VEX = nonNil(st)
		return err
	}},
	{KindKEV, kev.Detect, func(name string, r io.Reader, doc *Document) error {
		c, err := kev.Read(name, r)
		if err == nil {
			doc.KEV = nonNil(c.Entries)
		}
		return err
	}},
	{KindEPSS, epss.Detect, func(name string, r io.Reader, doc *Document) error {
		doc.EPSS = []domain.EPSSScore{}
		_, err := epss.Read(name, r, func(s domain.EPSSScore) error {
			doc.EPSS = append(doc.EPSS, s)
			return nil
		})
		return err
	}},
	{KindSBOM, sbom.Detect, func(name string, r io.Reader, doc *Document) error {
		b, err := sbom.Read(name, r)
		doc.SBOM = b
		return err
	}},
	{KindNVD, func(h []byte) bool { return nvd.Sniff(h) != "" }, func(name string, r io.Reader, doc *Document) error {
		doc.CVEs = []*domain.CVE{}
		_, err := nvd.Read(name, r, func(c domain.CVE) error {
			doc.CVEs = append(doc.CVEs, &c)
			return nil
		})
		return err
	}},
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// sniffSize is how much of an input format detection looks at.
const sniffSize = 64 << 10

// ReadDocument reads one input (gzipped or not), recognising its format by
// content. An input of no known format, or one that breaks its format, is a
// CodeInvalid error naming the file and, where the reader can, the JSON
// path or line.
func ReadDocument(name string, r io.Reader) (*Document, error) {
	dr, err := feed.Decompress(r)
	if err != nil {
		return nil, feed.Errorf(name, "byte 0", "gzip: %v", err)
	}
	br := bufio.NewReaderSize(dr, sniffSize)
	head, _ := br.Peek(sniffSize)
	for _, rd := range readers {
		if !rd.detect(head) {
			continue
		}
		doc := &Document{Name: name, Kind: rd.kind}
		if err := rd.read(name, br, doc); err != nil {
			return nil, err
		}
		return doc, nil
	}
	return nil, domain.Errorf(domain.CodeInvalid, "%s: not a format Vigil reads (CSAF, NVD or CVE JSON, KEV, EPSS, CycloneDX, SPDX, OpenVEX)", name)
}
