// Package csaf reads CSAF 2.0 documents (OASIS Common Security Advisory
// Framework), the security advisory and VEX profiles alike, into
// domain.Advisory: tracking, publisher, notes and references; the product
// tree flattened into one domain.Product per product id; and each
// vulnerability's CWE, notes, scores, product status, remediations, flags
// and threats. VEX turns an advisory's statuses into VEX statements.
//
// A document is read whole or not at all: one that breaks a rule Vigil
// relies on (a required member missing, an unknown category, a product id
// referenced but not defined, a malformed date) is an error that lists
// every problem found, each located by file and JSON path, and no advisory
// is returned. The package does no I/O of its own.
package csaf

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// MaxSize is the largest document Read accepts (after gunzip). The
// largest real advisories are a few megabytes.
const MaxSize = 64 << 20

// Detect reports whether head, the first bytes of a file, looks like a
// CSAF document: a JSON object that names a csaf_version near its start.
// Give it 4 KB: a long acknowledgments list may come first.
func Detect(head []byte) bool {
	h := feed.Head(head)
	return len(h) > 0 && h[0] == '{' && bytes.Contains(head, []byte(`"csaf_version"`))
}

// Read reads one CSAF document (gzipped or not) named name, which is used
// in error locations and kept as the advisory's Source.
func Read(name string, r io.Reader) (*domain.Advisory, error) {
	data, err := feed.ReadAll(name, r, MaxSize)
	if err != nil {
		return nil, err
	}
	return Parse(name, data)
}

// Parse reads one CSAF document from data; see Read.
func Parse(name string, data []byte) (*domain.Advisory, error) {
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, feed.JSONError(name, data, err)
	}
	a := &adapter{p: feed.Problems{File: name}, defined: map[string]bool{}, groups: map[string][]string{}}
	adv := a.advisory(&doc)
	if err := a.p.Err(); err != nil {
		return nil, err
	}
	adv.Source = name
	return adv, nil
}

// Enumerations of the CSAF 2.0 JSON schema that Vigil checks.
var (
	docCategoryRe  = regexp.MustCompile(`^[^\s\-_\.](.*[^\s\-_\.])?$`) // 3.2.1.3
	cveRe          = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)    // 3.2.3.2
	cweRe          = regexp.MustCompile(`^CWE-[1-9][0-9]{0,5}$`)       // 3.2.3.3.1
	noteCategories = set("description", "details", "faq", "general", "legal_disclaimer", "other", "summary")
	publisherCats  = set("coordinator", "discoverer", "other", "translator", "user", "vendor")
	trackingStatus = set("draft", "final", "interim")
	branchCats     = set("architecture", "host_name", "language", "legacy", "patch_level", "product_family", "product_name", "product_version", "product_version_range", "service_pack", "specification", "vendor")
	relationCats   = set("default_component_of", "external_component_of", "installed_on", "installed_with", "optional_component_of")
	remedyCats     = set("mitigation", "no_fix_planned", "none_available", "vendor_fix", "workaround")
	flagLabels     = set("component_not_present", "inline_mitigations_already_exist", "vulnerable_code_cannot_be_controlled_by_adversary", "vulnerable_code_not_in_execute_path", "vulnerable_code_not_present")
	threatCats     = set("exploit_status", "impact", "target_set")
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// adapter validates a decoded document and builds the advisory, recording
// every problem with its JSON path.
type adapter struct {
	p       feed.Problems
	defined map[string]bool     // product ids defined in the product tree
	groups  map[string][]string // group id → product ids
	refs    []ref               // product and group ids referenced, checked at the end
}

// ref is one product or group id referenced at a path.
type ref struct {
	id, path string
	group    bool
}

func (a *adapter) advisory(doc *document) *domain.Advisory {
	m := &doc.Document
	adv := &domain.Advisory{
		ID:        strings.TrimSpace(m.Tracking.ID),
		Title:     m.Title,
		Publisher: m.Publisher.Name,
		Category:  m.Category,
		Revision:  m.Tracking.Version,
	}
	a.meta(m, adv)
	if doc.ProductTree != nil {
		adv.Products = a.productTree(doc.ProductTree)
	}
	seen := map[string]int{}
	for i := range doc.Vulnerabilities {
		path := feed.Index("$.vulnerabilities", i)
		if cve := doc.Vulnerabilities[i].CVE; cve != "" {
			if j, dup := seen[cve]; dup {
				a.p.Add(path+".cve", "%s is already the subject of $.vulnerabilities[%d] (CSAF test 6.1.23)", cve, j)
			}
			seen[cve] = i
		}
		adv.Vulns = append(adv.Vulns, a.vulnerability(&doc.Vulnerabilities[i], path))
	}
	for _, r := range a.refs {
		switch {
		case r.group && a.groups[r.id] == nil:
			a.p.Add(r.path, "product group %q is referenced but not defined in $.product_tree.product_groups", r.id)
		case !r.group && !a.defined[r.id]:
			a.p.Add(r.path, "product %q is referenced but not defined in $.product_tree", r.id)
		}
	}
	return adv
}

// required records a problem when s is empty.
func (a *adapter) required(path, s string) {
	if strings.TrimSpace(s) == "" {
		a.p.Add(path, "missing")
	}
}

// oneOf records a problem when s is not one of the allowed words.
func (a *adapter) oneOf(path, s string, allowed map[string]bool) {
	switch {
	case s == "":
		a.p.Add(path, "missing")
	case !allowed[s]:
		a.p.Add(path, "%q is not a CSAF 2.0 value here (one of %s)", s, strings.Join(sortedKeys(allowed), ", "))
	}
}

func (a *adapter) meta(m *meta, adv *domain.Advisory) {
	if m.CSAFVersion != "2.0" {
		if m.CSAFVersion == "" {
			a.p.Add("$.document.csaf_version", "missing (is this a CSAF 2.0 document?)")
		} else {
			a.p.Add("$.document.csaf_version", "%q is not supported; Vigil reads CSAF 2.0", m.CSAFVersion)
		}
	}
	if !docCategoryRe.MatchString(m.Category) {
		a.p.Add("$.document.category", "missing or malformed")
	}
	a.required("$.document.title", m.Title)
	a.oneOf("$.document.publisher.category", m.Publisher.Category, publisherCats)
	a.required("$.document.publisher.name", m.Publisher.Name)
	a.required("$.document.publisher.namespace", m.Publisher.Namespace)
	t := &m.Tracking
	a.required("$.document.tracking.id", t.ID)
	a.oneOf("$.document.tracking.status", t.Status, trackingStatus)
	a.required("$.document.tracking.version", t.Version)
	adv.Released = a.p.Time("$.document.tracking.initial_release_date", t.InitialReleaseDate, true)
	adv.Updated = a.p.Time("$.document.tracking.current_release_date", t.CurrentReleaseDate, true)
	if len(t.RevisionHistory) == 0 {
		a.p.Add("$.document.tracking.revision_history", "missing (at least one revision is required)")
	}
	for i, r := range t.RevisionHistory {
		path := feed.Index("$.document.tracking.revision_history", i)
		a.p.Time(path+".date", r.Date, true)
		a.required(path+".number", r.Number)
		a.required(path+".summary", r.Summary)
	}
	adv.Notes = a.notes("$.document.notes", m.Notes)
	for i, r := range m.References {
		path := feed.Index("$.document.references", i)
		a.required(path+".url", r.URL)
		a.required(path+".summary", r.Summary)
		if r.URL != "" {
			adv.References = append(adv.References, r.URL)
		}
	}
}

func (a *adapter) notes(base string, notes []note) []domain.Note {
	var out []domain.Note
	for i, n := range notes {
		path := feed.Index(base, i)
		a.oneOf(path+".category", n.Category, noteCategories)
		a.required(path+".text", n.Text)
		out = append(out, domain.Note{Category: n.Category, Title: n.Title, Text: n.Text})
	}
	return out
}

// productIDs records references to product ids and returns them.
func (a *adapter) productIDs(base string, ids []string) []string {
	for i, id := range ids {
		a.refs = append(a.refs, ref{id: id, path: feed.Index(base, i)})
	}
	return ids
}

// groupIDs records references to group ids.
func (a *adapter) groupIDs(base string, ids []string) {
	for i, id := range ids {
		a.refs = append(a.refs, ref{id: id, path: feed.Index(base, i), group: true})
	}
}

// resolve returns the product ids of ids and of the groups gids, in order,
// without repeats. It runs after the product tree is read.
func (a *adapter) resolve(ids, gids []string) []string {
	if len(gids) == 0 {
		return ids
	}
	out := append([]string(nil), ids...)
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	for _, g := range gids {
		for _, id := range a.groups[g] {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}
