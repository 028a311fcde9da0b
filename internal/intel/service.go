package intel

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Load builds a matcher from every advisory, CVE configuration and VEX
// statement the store holds.
func Load(ctx context.Context, st store.IntelStore) (*Matcher, error) {
	m := NewMatcher()
	if err := st.EachAdvisory(ctx, func(a *domain.Advisory) error { m.AddAdvisory(a); return nil }); err != nil {
		return nil, err
	}
	if err := st.EachCVEWithMatches(ctx, func(c *domain.CVE) error { m.AddCVE(c); return nil }); err != nil {
		return nil, err
	}
	if err := st.EachVEX(ctx, func(v *domain.VEXStatement) error { m.AddVEX(v); return nil }); err != nil {
		return nil, err
	}
	return m, nil
}

// Skip is one input left out of an import, and why.
type Skip struct {
	File string `json:"file"`
	Err  string `json:"error"`
}

// ImportSummary counts what an import did.
type ImportSummary struct {
	Files         int      `json:"files"`
	NewAdvisories int      `json:"new_advisories"`
	Revised       int      `json:"revised_advisories"`
	Unchanged     int      `json:"unchanged_advisories"`
	Older         int      `json:"older_revisions_ignored"`
	CVEs          int      `json:"cves"`
	KEV           int      `json:"kev_entries"`
	EPSS          int      `json:"epss_scores"`
	VEX           int      `json:"vex_statements"`
	NewlyAffected int      `json:"devices_newly_affected"`
	OnKEV         int      `json:"new_advisory_cves_on_kev"`
	Releases      int      `json:"firmware_releases"` // updates recorded from vendor_fix remediations (lifecycle.AdvisoryReleases)
	Skipped       []Skip   `json:"skipped,omitempty"`
	Changed       []string `json:"changed_advisories,omitempty"` // new or revised
	Reference     bool     `json:"-"`                            // CVEs, KEV, EPSS or VEX changed: re-match everything

	changedCVEs []string
}

// Finish counts the changed advisories' CVEs on the KEV catalogue, once
// every file (the catalogue among them) is stored.
func Finish(ctx context.Context, st store.IntelStore, sum *ImportSummary) error {
	kev, err := st.FindKEV(ctx, sum.changedCVEs)
	sum.OnKEV = len(kev)
	return err
}

// String is the one-paragraph summary shown after an import.
func (s *ImportSummary) String() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(s.NewAdvisories, plural(s.NewAdvisories, "new advisory", "new advisories"))
	add(s.Revised, "revised")
	add(s.Unchanged, "unchanged")
	add(s.Older, plural(s.Older, "older revision ignored", "older revisions ignored"))
	add(s.CVEs, "CVE records")
	add(s.KEV, "KEV entries")
	add(s.EPSS, "EPSS scores")
	add(s.VEX, "new VEX statements")
	parts = append(parts, fmt.Sprintf("%d %s newly affected", s.NewlyAffected, plural(s.NewlyAffected, "device", "devices")))
	if s.OnKEV > 0 {
		parts = append(parts, fmt.Sprintf("%d on KEV", s.OnKEV))
	}
	if s.Releases > 0 {
		parts = append(parts, fmt.Sprintf("%d firmware %s from advisory remediations", s.Releases, plural(s.Releases, "update", "updates")))
	}
	out := strings.Join(parts, ", ")
	if len(s.Skipped) > 0 {
		out += fmt.Sprintf("; skipped %d %s", len(s.Skipped), plural(len(s.Skipped), "file", "files"))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Apply stores one document's content and counts it in sum.
func Apply(ctx context.Context, st store.IntelStore, doc *Document, sum *ImportSummary) error {
	switch {
	case doc.Advisory != nil:
		ch, err := st.SaveAdvisory(ctx, doc.Advisory)
		if err != nil {
			return err
		}
		switch ch {
		case domain.AdvisoryNew:
			sum.NewAdvisories++
		case domain.AdvisoryRevised:
			sum.Revised++
		case domain.AdvisoryUnchanged:
			sum.Unchanged++
		case domain.AdvisoryOlder:
			sum.Older++
		}
		if ch == domain.AdvisoryNew || ch == domain.AdvisoryRevised {
			sum.Changed = append(sum.Changed, doc.Advisory.ID)
			for _, v := range doc.Advisory.Vulns {
				if v.CVE != "" && !slices.Contains(sum.changedCVEs, v.CVE) {
					sum.changedCVEs = append(sum.changedCVEs, v.CVE)
				}
			}
		}
	case doc.CVEs != nil:
		sum.Reference = true
		n, err := st.SaveCVEs(ctx, doc.CVEs)
		sum.CVEs += n
		return err
	case doc.KEV != nil:
		n, err := st.SaveKEV(ctx, doc.KEV)
		sum.KEV += n
		return err
	case doc.EPSS != nil:
		n, err := st.SaveEPSS(ctx, doc.EPSS)
		sum.EPSS += n
		return err
	case doc.VEX != nil:
		sum.Reference = true
		n, err := st.SaveVEX(ctx, doc.VEX)
		sum.VEX += n
		return err
	case doc.SBOM != nil:
		return domain.Errorf(domain.CodeInvalid, "%s is an SBOM; attach it to a model or a device with `vigil sbom attach`", doc.Name)
	}
	return nil
}

// Components gathers SBOM components by model and by device from records.
type Components struct {
	byModel  map[int64][]domain.Component
	byDevice map[int64][]domain.Component
}

// LoadComponents reads every SBOM visible to the practice on ctx.
func LoadComponents(ctx context.Context, st store.IntelStore) (*Components, error) {
	recs, err := st.FindSBOMs(ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	c := &Components{byModel: map[int64][]domain.Component{}, byDevice: map[int64][]domain.Component{}}
	for _, r := range recs {
		if r.DeviceID != 0 {
			c.byDevice[r.DeviceID] = append(c.byDevice[r.DeviceID], r.SBOM.Components...)
		} else {
			c.byModel[r.ModelID] = append(c.byModel[r.ModelID], r.SBOM.Components...)
		}
	}
	return c, nil
}

// Subject returns the device with its model's and its own components.
func (c *Components) Subject(d *domain.Device) Subject {
	s := Subject{Device: d}
	if c != nil {
		s.Components = append(slices.Clip(c.byModel[d.ModelID]), c.byDevice[d.ID]...)
	}
	return s
}

// MatchStore is what re-matching reads and writes.
type MatchStore interface {
	store.IntelStore
	store.DeviceStore
}

// Rematch matches every device of the practice on ctx and replaces its
// stored matches (keeping people's decisions).
func Rematch(ctx context.Context, st MatchStore, m *Matcher) (*domain.MatchResult, error) {
	comps, err := LoadComponents(ctx, st)
	if err != nil {
		return nil, err
	}
	var rows []domain.DeviceVulnerability
	err = st.EachDeviceToMatch(ctx, "", func(d *domain.Device) error {
		rows = append(rows, m.Match(comps.Subject(d))...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st.ReplaceVulnerabilities(ctx, nil, rows)
}

// RematchAdvisories re-matches the practice on ctx for the given
// advisories only (what importing a few advisories needs): the devices of
// the manufacturers they name are read (every device when a product is
// known only by package URL or has no vendor), matched, and the rows of
// those advisories replaced.
func RematchAdvisories(ctx context.Context, st MatchStore, m *Matcher, ids []string) (*domain.MatchResult, error) {
	vendors, all := m.advisoryVendors(ids)
	comps, err := LoadComponents(ctx, st)
	if err != nil {
		return nil, err
	}
	var rows []domain.DeviceVulnerability
	collect := func(d *domain.Device) error {
		rows = append(rows, m.MatchAdvisories(comps.Subject(d), ids)...)
		return nil
	}
	if all {
		err = st.EachDeviceToMatch(ctx, "", collect)
	} else {
		for _, v := range vendors {
			if err = st.EachDeviceToMatch(ctx, v, collect); err != nil {
				break
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return st.ReplaceAdvisoryVulnerabilities(ctx, ids, rows)
}

// advisoryVendors returns the manufacturers the advisories' products
// name, or all=true when a product could match a device of any maker.
func (m *Matcher) advisoryVendors(ids []string) (vendors []string, all bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, id := range ids {
		a := m.advisories[id]
		if a == nil {
			continue
		}
		for _, p := range a.Products {
			if p.Vendor == "" || p.PURL != "" {
				return nil, true
			}
			if !slices.Contains(vendors, p.Vendor) {
				vendors = append(vendors, p.Vendor)
			}
		}
	}
	return vendors, false
}

// RematchAll re-matches every practice and returns the summed result. ctx
// must carry no tenant; each practice is matched in its own.
func RematchAll(ctx context.Context, st interface {
	MatchStore
	store.TenantStore
}, m *Matcher, only []string) (*domain.MatchResult, error) {
	tenants, err := st.FindTenants(ctx)
	if err != nil {
		return nil, err
	}
	total := &domain.MatchResult{}
	for _, t := range tenants {
		tctx := domain.WithTenant(ctx, t.ID)
		var r *domain.MatchResult
		if only != nil {
			r, err = RematchAdvisories(tctx, st, m, only)
		} else {
			r, err = Rematch(tctx, st, m)
		}
		if err != nil {
			return nil, fmt.Errorf("practice %s: %w", t.Name, err)
		}
		total.Devices += r.Devices
		total.Matches += r.Matches
		total.NewlyAffected += r.NewlyAffected
		total.NoLongerListed += r.NoLongerListed
	}
	return total, nil
}
