// Package intel matches vulnerability intelligence (advisories, CVEs, VEX
// statements) to devices and their SBOM components, and says why: each
// result is a domain.DeviceVulnerability with a status, a reason a person
// can check, the fixed version and the manufacturer's remediations.
//
// Matching never guesses. A device that names the product but has no
// version, or a version that cannot be ordered against the advisory's, is
// "possibly affected" with that reason.
package intel

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/version"
)

// Matcher holds indexed advisories, CVEs and VEX statements. Build it with
// Add*, then call Match for each device; Match is safe for concurrent use
// once building is done.
type Matcher struct {
	mu         sync.RWMutex
	advisories map[string]*domain.Advisory // by tracking id; the newest revision
	byProduct  map[string][]*entry         // productKey(vendor, name) → products
	byWord     map[string][]*entry         // vendor key + one name word → products
	byPURL     map[string][]*entry         // purl without version → products
	byCPE      map[string][]*cpeGroup      // cpe vendor:product key → constraint groups
	cpeGroups  map[string]*cpeGroup        // criteria and bounds → group, to share them
	strs       map[string]string           // interned criteria, CPE names and CVE ids
	vex        map[string][]*vexEntry      // CVE → statements
	words      sync.Map                    // vendor "\x00" model → nameWords, for devices
}

// entry is one advisory product, ready to compare.
type entry struct {
	adv    *domain.Advisory
	prod   *domain.Product
	words  []string // nameWords of the product
	check  versionCheck
	status map[string]map[string]domain.ProductStatus // cve/title → product id → status (shared per advisory)
}

// cpeGroup is one vulnerable CPE match of NVD (criteria and version
// bounds) with every CVE that lists it. NVD repeats the same match in many
// records (each Chrome or kernel CVE lists the same versions), so the
// matcher keeps each distinct match once, with only what matching and the
// reason need, and compares a device's version against it once.
type cpeGroup struct {
	criteria        string
	products        []string // {criteria}, shared by the rows (read only)
	vendor, product string
	fixed           string // version_end_excluding: the first fixed version
	check           versionCheck
	cves            []string
}

type vexEntry struct {
	st     *domain.VEXStatement
	prod   *domain.Product
	vendor string
	name   string
	check  versionCheck
}

// NewMatcher returns an empty matcher.
func NewMatcher() *Matcher {
	return &Matcher{
		advisories: map[string]*domain.Advisory{},
		byProduct:  map[string][]*entry{},
		byWord:     map[string][]*entry{},
		byPURL:     map[string][]*entry{},
		byCPE:      map[string][]*cpeGroup{},
		cpeGroups:  map[string]*cpeGroup{},
		strs:       map[string]string{},
		vex:        map[string][]*vexEntry{},
	}
}

// Advisories returns how many advisories the matcher holds.
func (m *Matcher) Advisories() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.advisories)
}

// AddAdvisory indexes an advisory's products. An advisory with the same
// tracking id replaces the one held (its entries are skipped from then on).
func (m *Matcher) AddAdvisory(a *domain.Advisory) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.advisories[a.ID] = a
	status := map[string]map[string]domain.ProductStatus{}
	for i := range a.Vulns {
		status[vulnKey(&a.Vulns[i], i)] = productStatus(&a.Vulns[i])
	}
	for i := range a.Products {
		p := &a.Products[i]
		e := &entry{adv: a, prod: p, check: newCheck(p.Version, p.VersionRange), status: status}
		for _, k := range productKeys(p.Vendor, p.Name, p.Models) {
			m.byProduct[k] = append(m.byProduct[k], e)
		}
		e.words = nameWords(p.Vendor, p.Name)
		vk := vendorKey(p.Vendor)
		for _, w := range e.words {
			if significant(w) {
				m.byWord[vk+"\x00"+w] = append(m.byWord[vk+"\x00"+w], e)
			}
		}
		if p.PURL != "" {
			m.byPURL[purlBase(p.PURL)] = append(m.byPURL[purlBase(p.PURL)], e)
			if e.check.kind == checkAll {
				if v := purlVersion(p.PURL); v != "" {
					e.check = newCheck(v, "")
				}
			}
		}
	}
}

// AddCVE indexes the vulnerable CPE matches of a CVE record. Only the
// record's id is kept, not the record.
func (m *Matcher) AddCVE(c *domain.CVE) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := m.intern(c.ID)
	for _, cm := range c.Matches {
		if !cm.Vulnerable {
			continue
		}
		gk := cm.Criteria + "\x00" + cm.VersionStartIncluding + "\x00" + cm.VersionStartExcluding + "\x00" + cm.VersionEndIncluding + "\x00" + cm.VersionEndExcluding
		if g := m.cpeGroups[gk]; g != nil {
			if n := len(g.cves); n == 0 || g.cves[n-1] != id {
				g.cves = append(g.cves, id)
			}
			continue
		}
		p, ok := parseCPE(cm.Criteria)
		if !ok || p.part == "o" && p.product == "" {
			continue
		}
		crit := m.intern(cm.Criteria)
		g := &cpeGroup{criteria: crit, products: []string{crit}, vendor: m.intern(p.vendor), product: m.intern(p.product),
			fixed: m.intern(cm.VersionEndExcluding), cves: []string{id}}
		if p.version != "*" && p.version != "-" && p.version != "" {
			g.check = newCheck(p.version, "")
		} else {
			r, err := version.NVD(cm.VersionStartIncluding, cm.VersionStartExcluding, cm.VersionEndIncluding, cm.VersionEndExcluding)
			g.check = versionCheck{kind: checkRange, rng: r, err: err, text: r.Raw}
			if r.All && err == nil {
				g.check.kind = checkAll
			}
		}
		m.cpeGroups[gk] = g
		k := productKey(p.vendor, p.product)
		m.byCPE[k] = append(m.byCPE[k], g)
		// "aestiva_7100_firmware" is the firmware of the device "Aestiva 7100".
		if base, ok := strings.CutSuffix(p.product, "_firmware"); ok && base != "" {
			m.byCPE[productKey(p.vendor, base)] = append(m.byCPE[productKey(p.vendor, base)], g)
		}
	}
}

// intern returns one shared copy of s, so the thousands of records that
// name the same CPE hold it once (and hold nothing of their documents).
func (m *Matcher) intern(s string) string {
	if x, ok := m.strs[s]; ok {
		return x
	}
	s = strings.Clone(s)
	m.strs[s] = s
	return s
}

// AddVEX indexes a VEX statement.
func (m *Matcher) AddVEX(s *domain.VEXStatement) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range s.Products {
		p := &s.Products[i]
		e := &vexEntry{st: s, prod: p, check: newCheck(p.Version, p.VersionRange)}
		if c, ok := parseCPE(p.CPE); ok && p.Name == "" {
			e.vendor, e.name = c.vendor, c.product
			if c.version != "*" && c.version != "-" {
				e.check = newCheck(c.version, "")
			}
		} else {
			e.vendor, e.name = p.Vendor, p.Name
		}
		if p.PURL != "" && e.check.kind == checkAll {
			if v := purlVersion(p.PURL); v != "" {
				e.check = newCheck(v, "")
			}
		}
		m.vex[s.Vuln] = append(m.vex[s.Vuln], e)
	}
}

// Subject is what is matched: a device and the components its SBOMs list
// (the model's and its own).
type Subject struct {
	Device     *domain.Device
	Components []domain.Component
}

// Match returns every advisory and CVE that concerns the subject, one
// result per (advisory, CVE) or, for NVD records, per CVE. A CVE that an
// advisory already covers for the device is not repeated from NVD.
func (m *Matcher) Match(s Subject) []domain.DeviceVulnerability {
	return m.match(s, nil)
}

// MatchAdvisories is Match limited to the given advisories (no NVD
// records): what re-matching after importing a few advisories needs.
func (m *Matcher) MatchAdvisories(s Subject, ids []string) []domain.DeviceVulnerability {
	only := make(map[string]bool, len(ids))
	for _, id := range ids {
		only[id] = true
	}
	return m.match(s, only)
}

// match matches s against every advisory and CVE, or only the advisories
// in only when it is not nil.
func (m *Matcher) match(s Subject, only map[string]bool) []domain.DeviceVulnerability {
	m.mu.RLock()
	defer m.mu.RUnlock()
	current := func(e *entry) bool {
		return m.advisories[e.adv.ID] == e.adv && (only == nil || only[e.adv.ID])
	}
	d := s.Device
	var out []domain.DeviceVulnerability
	covered := map[string]bool{}
	dv := newDeviceVersion(d.Firmware)
	var hits []*entry
	seen := map[*entry]bool{}
	for _, k := range productKeys(d.Manufacturer, d.Model, nil) {
		for _, e := range m.byProduct[k] {
			if !seen[e] && current(e) {
				seen[e] = true
				hits = append(hits, e)
			}
		}
	}
	out = append(out, m.judgeAdvisories(d, hits, dv, "")...)
	out = append(out, m.judgeAdvisories(d, m.wordHits(d, hits, current), dv, fmt.Sprintf("model %q matches by name: ", d.Model))...)
	for _, c := range s.Components {
		if c.PURL == "" {
			continue
		}
		var chits []*entry
		for _, e := range m.byPURL[purlBase(c.PURL)] {
			if current(e) {
				chits = append(chits, e)
			}
		}
		cv := c.Version
		if cv == "" {
			cv = purlVersion(c.PURL)
		}
		out = append(out, m.judgeAdvisories(d, chits, newDeviceVersion(cv), "component "+componentName(c)+": ")...)
	}
	for _, r := range out {
		if r.CVE != "" {
			covered[r.CVE] = true
		}
	}
	if only == nil {
		out = m.matchCVEs(out, d, s.Components, dv, covered)
	}
	for i := range out {
		m.applyVEX(&out[i], s)
	}
	slices.SortFunc(out, func(a, b domain.DeviceVulnerability) int {
		if c := strings.Compare(a.AdvisoryID, b.AdvisoryID); c != 0 {
			return c
		}
		return strings.Compare(a.CVE, b.CVE)
	})
	return slices.CompactFunc(out, func(a, b domain.DeviceVulnerability) bool {
		return a.AdvisoryID == b.AdvisoryID && a.CVE == b.CVE
	})
}

// wordHits returns the products of advisories without an exact-name hit
// whose names match the device model by words (see wordsMatch).
func (m *Matcher) wordHits(d *domain.Device, exact []*entry, current func(*entry) bool) []*entry {
	vk := vendorKey(d.Manufacturer)
	key := d.Manufacturer + "\x00" + d.Model
	var words []string
	if w, ok := m.words.Load(key); ok {
		words = w.([]string)
	} else {
		words = nameWords(d.Manufacturer, d.Model)
		m.words.Store(key, words)
	}
	skip := map[*domain.Advisory]bool{}
	for _, e := range exact {
		skip[e.adv] = true
	}
	seen := map[*entry]bool{}
	var out []*entry
	for _, w := range words {
		if !significant(w) {
			continue
		}
		for _, e := range m.byWord[vk+"\x00"+w] {
			if seen[e] || skip[e.adv] || !current(e) {
				continue
			}
			seen[e] = true
			if wordsMatch(words, e.words) {
				out = append(out, e)
			}
		}
	}
	return out
}

func componentName(c domain.Component) string {
	if c.Version != "" {
		return c.Name + " " + c.Version
	}
	return c.Name
}

// outcome is how one product of an advisory relates to a device version.
type outcome struct {
	e        *entry
	status   domain.ProductStatus
	in       bool   // the device version is in the product's versions
	unknown  string // why it cannot be decided
	strength int    // 3 exact version, 2 range, 1 every version
}

// judgeAdvisories decides, per advisory vulnerability, the device's status
// from the products it matched.
func (m *Matcher) judgeAdvisories(d *domain.Device, hits []*entry, dv deviceVersion, prefix string) []domain.DeviceVulnerability {
	byAdv := map[*domain.Advisory][]*entry{}
	var order []*domain.Advisory
	for _, e := range hits {
		if byAdv[e.adv] == nil {
			order = append(order, e.adv)
		}
		byAdv[e.adv] = append(byAdv[e.adv], e)
	}
	var out []domain.DeviceVulnerability
	for _, a := range order {
		entries := byAdv[a]
		for i := range a.Vulns {
			v := &a.Vulns[i]
			status := entries[0].status[vulnKey(v, i)]
			var outs []outcome
			for _, e := range entries {
				st, ok := status[e.prod.ID]
				if !ok {
					continue
				}
				in, why := e.check.contains(dv)
				outs = append(outs, outcome{e: e, status: st, in: in, unknown: why, strength: e.check.strength()})
			}
			if r, ok := decide(d, a, v, outs, dv, prefix); ok {
				out = append(out, r)
			}
		}
	}
	return out
}

// statusRank orders statuses for a tie at equal strength: the safer
// reading wins.
var statusRank = map[domain.ProductStatus]int{
	domain.StatusKnownAffected:      4,
	domain.StatusUnderInvestigation: 3,
	domain.StatusFixed:              2,
	domain.StatusRecommended:        2,
	domain.StatusKnownNotAffected:   1,
}

func decide(d *domain.Device, a *domain.Advisory, v *domain.AdvisoryVuln, outs []outcome, dv deviceVersion, prefix string) (domain.DeviceVulnerability, bool) {
	r := domain.DeviceVulnerability{TenantID: d.TenantID, DeviceID: d.ID, AdvisoryID: a.ID, CVE: v.CVE}
	var best []outcome
	for _, o := range outs {
		if !o.in {
			continue
		}
		switch {
		case len(best) == 0 || o.strength > best[0].strength ||
			o.strength == best[0].strength && statusRank[o.status] > statusRank[best[0].status]:
			best = []outcome{o}
		case o.strength == best[0].strength && o.status == best[0].status:
			best = append(best, o)
		}
	}
	if len(best) > 0 {
		p := best[0].e.prod
		switch best[0].status {
		case domain.StatusKnownAffected:
			r.Status = domain.VulnAffected
			r.Reason = prefix + describe(p, dv, "is affected")
			r.FixedIn = fixedIn(outs, p)
		case domain.StatusUnderInvestigation:
			r.Status = domain.VulnPossiblyAffected
			r.Reason = prefix + describe(p, dv, "is under investigation by the manufacturer")
		case domain.StatusFixed, domain.StatusRecommended:
			r.Status = domain.VulnFixed
			r.FixedIn = versionText(p)
			r.Reason = prefix + describe(p, dv, "is fixed")
		case domain.StatusKnownNotAffected:
			r.Status = domain.VulnNotAffected
			r.Reason = prefix + describe(p, dv, "is not affected")
			r.Justification = justification(v, best)
		}
		for _, o := range best {
			r.Products = append(r.Products, o.e.prod.ID)
		}
		r.Remediations = remediations(v, r.Products)
		r.Matched = r.Status
		return r, true
	}
	// Nothing decided: is there an affected product we could not compare?
	for _, o := range outs {
		if o.unknown == "" || o.status != domain.StatusKnownAffected && o.status != domain.StatusUnderInvestigation {
			continue
		}
		r.Status = domain.VulnPossiblyAffected
		r.Reason = prefix + fmt.Sprintf("%s matches; %s", productText(o.e.prod), o.unknown)
		r.Products = append(r.Products, o.e.prod.ID)
		r.FixedIn = fixedIn(outs, o.e.prod)
		r.Remediations = remediations(v, r.Products)
		r.Matched = r.Status
		return r, true
	}
	return r, false
}

// describe says why a product matched: "Philips IntelliVue MX40 B.06.12
// (advisory: <= B.06.12) is affected".
func describe(p *domain.Product, dv deviceVersion, verdict string) string {
	s := productText(p)
	if dv.raw != "" {
		s += " version " + dv.raw
	}
	if vt := versionText(p); vt != "" {
		s += " (advisory: " + vt + ")"
	} else {
		s += " (advisory: all versions)"
	}
	return s + " " + verdict
}

func productText(p *domain.Product) string {
	return strings.TrimSpace(p.Vendor + " " + p.Name)
}

func versionText(p *domain.Product) string {
	if p.VersionRange != "" {
		return p.VersionRange
	}
	return p.Version
}

// fixedIn names the fixed versions the advisory lists for the same product.
func fixedIn(outs []outcome, p *domain.Product) string {
	var vs []string
	for _, o := range outs {
		if (o.status == domain.StatusFixed || o.status == domain.StatusRecommended) && normName(o.e.prod.Name) == normName(p.Name) {
			if vt := versionText(o.e.prod); vt != "" && !slices.Contains(vs, vt) {
				vs = append(vs, vt)
			}
		}
	}
	return strings.Join(vs, ", ")
}

// justification is the CSAF flag label given for the products, if any.
func justification(v *domain.AdvisoryVuln, best []outcome) string {
	for _, f := range v.Flags {
		for _, o := range best {
			if slices.Contains(f.ProductIDs, o.e.prod.ID) {
				return f.Label
			}
		}
	}
	return ""
}

// remediations returns the vulnerability's remediations that name any of
// the products (or name none, applying to all).
func remediations(v *domain.AdvisoryVuln, ids []string) []domain.Remediation {
	var out []domain.Remediation
	for _, r := range v.Remediations {
		if len(r.ProductIDs) == 0 || slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(r.ProductIDs, id) }) {
			out = append(out, r)
		}
	}
	return out
}

func vulnKey(v *domain.AdvisoryVuln, i int) string {
	return fmt.Sprintf("%d|%s", i, v.CVE)
}

func productStatus(v *domain.AdvisoryVuln) map[string]domain.ProductStatus {
	m := map[string]domain.ProductStatus{}
	for st, ids := range v.Status {
		for _, id := range ids {
			if cur, ok := m[id]; !ok || statusRank[st] > statusRank[cur] {
				m[id] = st
			}
		}
	}
	return m
}

// matchCVEs appends to out the NVD records whose CPE matches concern the
// device (vendor and model as a CPE vendor:product) or its components'
// CPEs.
func (m *Matcher) matchCVEs(out []domain.DeviceVulnerability, d *domain.Device, comps []domain.Component, dv deviceVersion, covered map[string]bool) []domain.DeviceVulnerability {
	// First the groups that apply and how: a device of a product NVD knows
	// well gets hundreds of rows, so out grows once, not by doubling.
	type hit struct {
		g      *cpeGroup
		in     bool
		why    string
		dv     deviceVersion
		prefix string
	}
	var hits []hit
	rows := 0
	try := func(groups []*cpeGroup, dv deviceVersion, prefix string) {
		for _, g := range groups {
			if in, why := g.check.contains(dv); in || why != "" {
				hits = append(hits, hit{g, in, why, dv, prefix})
				rows += len(g.cves)
			}
		}
	}
	// NVD names vendors with one word ("philips", "baxter"): the first
	// word of the manufacturer's key is tried too.
	keys := productKeys(d.Manufacturer, d.Model, nil)
	if first, _, more := strings.Cut(vendorKey(d.Manufacturer), " "); more {
		for _, k := range productKeys(first, d.Model, nil) {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	for _, k := range keys {
		try(m.byCPE[k], dv, "")
	}
	for _, c := range comps {
		p, ok := parseCPE(c.CPE)
		if !ok {
			continue
		}
		cv := c.Version
		if p.version != "*" && p.version != "-" && p.version != "" {
			cv = p.version
		}
		try(m.byCPE[productKey(p.vendor, p.product)], newDeviceVersion(cv), "component "+componentName(c)+": ")
	}
	if len(hits) == 0 {
		return out
	}
	out = slices.Grow(out, rows)
	best := make(map[string]int, rows) // CVE → index in out
	for _, h := range hits {
		status, reason := domain.VulnAffected, ""
		if !h.in {
			status = domain.VulnPossiblyAffected
		}
		for _, id := range h.g.cves {
			if covered[id] {
				continue
			}
			i, seen := best[id]
			if seen && (out[i].Status == domain.VulnAffected || status != domain.VulnAffected) {
				continue
			}
			if reason == "" {
				if h.in {
					reason = h.prefix + cpeReason(h.g, h.dv, "is vulnerable")
				} else {
					reason = h.prefix + cpeReason(h.g, h.dv, "") + "; " + h.why
				}
			}
			r := domain.DeviceVulnerability{TenantID: d.TenantID, DeviceID: d.ID, CVE: id, Status: status, Matched: status,
				Reason: reason, Products: h.g.products[:1:1], FixedIn: h.g.fixed}
			if seen {
				out[i] = r
			} else {
				best[id] = len(out)
				out = append(out, r)
			}
		}
	}
	return out
}

func cpeReason(g *cpeGroup, dv deviceVersion, verdict string) string {
	s := "NVD " + g.vendor + ":" + g.product
	if dv.raw != "" {
		s += " version " + dv.raw
	}
	s += " (NVD: " + g.check.text + ")"
	if verdict != "" {
		s += " " + verdict
	}
	return s
}

// applyVEX lets a manufacturer's VEX statement about the CVE, for a product
// the subject matches, decide the status, with its justification.
func (m *Matcher) applyVEX(r *domain.DeviceVulnerability, s Subject) {
	if r.CVE == "" {
		return
	}
	for _, e := range m.vex[r.CVE] {
		if !vexApplies(e, s) {
			continue
		}
		switch e.st.Status {
		case domain.VEXNotAffected:
			r.Status, r.Justification = domain.VulnNotAffected, e.st.Justification
			r.Reason += "; VEX: " + vexWho(e.st) + " states not affected"
			if e.st.Impact != "" {
				r.Reason += " (" + e.st.Impact + ")"
			}
		case domain.VEXFixed:
			r.Status = domain.VulnFixed
			r.Reason += "; VEX: " + vexWho(e.st) + " states fixed"
		case domain.VEXAffected:
			r.Status = domain.VulnAffected
			r.Reason += "; VEX: " + vexWho(e.st) + " confirms affected"
			if e.st.Action != "" {
				r.Remediations = append(r.Remediations, domain.Remediation{Category: domain.RemedyMitigation, Details: e.st.Action})
			}
		default:
			continue
		}
		r.Matched = r.Status
		return
	}
}

func vexWho(s *domain.VEXStatement) string {
	if s.Author != "" {
		return s.Author
	}
	return "the manufacturer"
}

func vexApplies(e *vexEntry, s Subject) bool {
	if e.prod.PURL != "" {
		for _, c := range s.Components {
			if c.PURL != "" && purlBase(c.PURL) == purlBase(e.prod.PURL) {
				cv := c.Version
				if cv == "" {
					cv = purlVersion(c.PURL)
				}
				if in, _ := e.check.contains(newDeviceVersion(cv)); in {
					return true
				}
			}
		}
	}
	if e.name == "" {
		return false
	}
	if e.vendor != "" && vendorKey(e.vendor) != vendorKey(s.Device.Manufacturer) {
		return false
	}
	if !slices.Contains(nameKeys(s.Device.Manufacturer, s.Device.Model), normName(strings.ReplaceAll(e.name, "_", " "))) &&
		!slices.Contains(nameKeys(e.vendor, e.name), normName(s.Device.Model)) {
		return false
	}
	in, _ := e.check.contains(newDeviceVersion(s.Device.Firmware))
	return in
}
