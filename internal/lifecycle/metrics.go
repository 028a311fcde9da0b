package lifecycle

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Latency is how long updates took from release to installation.
type Latency struct {
	Key         string  `json:"key"` // vendor name or device label
	Applied     int     `json:"applied"`
	Open        int     `json:"open"` // work items not yet applied
	MedianDays  float64 `json:"median_days"`
	AverageDays float64 `json:"average_days"`
	MaxDays     int     `json:"max_days"`
}

// daysToApply is the whole days from a release date to the day the update
// was applied (UTC).
func daysToApply(p *domain.PatchItem) int {
	applied := domain.DateOf(p.AppliedAt.UTC())
	return int(applied.Time().Sub(p.ReleasedOn.Time()) / (24 * time.Hour))
}

func applied(p *domain.PatchItem) bool {
	return p.State == domain.PatchApplied || p.State == domain.PatchVerified
}

// PatchLatency summarises release-to-applied times grouped by key(item).
func PatchLatency(items []*domain.PatchItem, key func(*domain.PatchItem) string) []Latency {
	days := map[string][]int{}
	open := map[string]int{}
	for _, p := range items {
		k := key(p)
		if applied(p) && !p.AppliedAt.IsZero() {
			days[k] = append(days[k], daysToApply(p))
		} else {
			open[k]++
			if _, ok := days[k]; !ok {
				days[k] = nil
			}
		}
	}
	out := make([]Latency, 0, len(days))
	for k, ds := range days {
		l := Latency{Key: k, Applied: len(ds), Open: open[k]}
		if len(ds) > 0 {
			slices.Sort(ds)
			sum := 0
			for _, d := range ds {
				sum += d
			}
			l.AverageDays = float64(sum) / float64(len(ds))
			if len(ds)%2 == 1 {
				l.MedianDays = float64(ds[len(ds)/2])
			} else {
				l.MedianDays = float64(ds[len(ds)/2-1]+ds[len(ds)/2]) / 2
			}
			l.MaxDays = ds[len(ds)-1]
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b Latency) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// ByVendor and ByDevice are the two groupings of PatchLatency.
func ByVendor(p *domain.PatchItem) string { return p.Manufacturer }

// ByDevice groups by device label.
func ByDevice(p *domain.PatchItem) string { return p.Device }

// Behind is a device not on its model's latest recorded release.
type Behind struct {
	DeviceID int64  `json:"device_id"`
	Device   string `json:"device"`
	Model    string `json:"model"`
	Firmware string `json:"firmware"`
	Latest   string `json:"latest"`
	State    string `json:"state"` // of the work item for the latest release
}

// BehindLatest lists devices with an unfinished work item for their model's
// newest release (by release date).
func BehindLatest(releases []*domain.FirmwareRelease, items []*domain.PatchItem) []Behind {
	latest := map[int64]*domain.FirmwareRelease{}
	for _, r := range releases {
		if cur, ok := latest[r.ModelID]; !ok || cur.ReleasedOn.Before(r.ReleasedOn) {
			latest[r.ModelID] = r
		}
	}
	newest := map[int64]bool{}
	for _, r := range latest {
		newest[r.ID] = true
	}
	var out []Behind
	for _, p := range items {
		if newest[p.ReleaseID] && !applied(p) {
			out = append(out, Behind{DeviceID: p.DeviceID, Device: p.Device, Model: p.Manufacturer + " " + p.Model,
				Firmware: p.Firmware, Latest: p.Version, State: string(p.State)})
		}
	}
	return out
}

// AdvisoryStats is what the advisories on record say about a vendor's
// security publishing.
type AdvisoryStats struct {
	// Published counts the advisories naming any of the vendor's products,
	// whoever published them.
	Published int
	// OwnCSAF counts those the vendor published itself as CSAF: advisories
	// machine-readable at the source, not transcribed by a coordinator such
	// as CISA.
	OwnCSAF int
	// First and Latest are the earliest and latest initial release dates.
	First, Latest domain.Date
}

// AdvisorySource says how a vendor publishes security advisories; the
// scorecard's "advisory publication". IntelAdvisories reads it from the
// threat-intelligence store; without a source the scorecard says "not
// yet measured".
type AdvisorySource interface {
	AdvisoryStats(ctx context.Context, v *domain.Vendor) (AdvisoryStats, error)
}

// IntelAdvisories is the AdvisorySource over the stored advisories
// (shared reference data: every practice sees the same counts). It reads
// the advisories once, on first use, and attributes each to the vendors
// its products name (through the vendor alias table, and the vendor's own
// aliases). Use one per request.
type IntelAdvisories struct {
	Store store.IntelStore
	byKey map[string]*AdvisoryStats
}

// AdvisoryStats implements AdvisorySource.
func (s *IntelAdvisories) AdvisoryStats(ctx context.Context, v *domain.Vendor) (AdvisoryStats, error) {
	if s.byKey == nil {
		if err := s.load(ctx); err != nil {
			return AdvisoryStats{}, err
		}
	}
	var out AdvisoryStats
	seen := map[string]bool{}
	for _, name := range append([]string{v.Name}, v.Aliases...) {
		k := vendorKey(name)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		if st := s.byKey[k]; st != nil {
			out.Published += st.Published
			out.OwnCSAF += st.OwnCSAF
			out.First, out.Latest = earlier(out.First, st.First), later(out.Latest, st.Latest)
		}
	}
	return out, nil
}

func (s *IntelAdvisories) load(ctx context.Context) error {
	s.byKey = map[string]*AdvisoryStats{}
	return s.Store.EachAdvisory(ctx, func(a *domain.Advisory) error {
		on := a.Released
		if on.IsZero() {
			on = a.Updated
		}
		day := domain.Date{}
		if !on.IsZero() {
			day = domain.DateOf(on.UTC())
		}
		publisher := vendorKey(a.Publisher)
		counted := map[string]bool{}
		for _, p := range a.Products {
			k := vendorKey(p.Vendor)
			if k == "" || counted[k] {
				continue
			}
			counted[k] = true
			st := s.byKey[k]
			if st == nil {
				st = &AdvisoryStats{}
				s.byKey[k] = st
			}
			st.Published++
			if k == publisher && strings.HasPrefix(a.Category, "csaf_") {
				st.OwnCSAF++
			}
			if !day.IsZero() {
				st.First, st.Latest = earlier(st.First, day), later(st.Latest, day)
			}
		}
		return nil
	})
}

// vendorKey compares vendor names the way the vendor list does.
func vendorKey(name string) string {
	if strings.TrimSpace(name) == "" {
		return ""
	}
	return domain.VendorKey(domain.CanonicalVendorName(name))
}

func earlier(a, b domain.Date) domain.Date {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

func later(a, b domain.Date) domain.Date {
	if a.IsZero() || a.Before(b) {
		return b
	}
	return a
}

// Scorecard rates a vendor's security support from Vigil's own data.
type Scorecard struct {
	VendorID          int64    `json:"vendor_id"`
	Vendor            string   `json:"vendor"`
	Devices           int      `json:"devices"`
	Models            int      `json:"models"`
	ModelsWithSBOM    int      `json:"models_with_sbom"`
	ModelsWithMDS2    int      `json:"models_with_mds2"`
	Latency           Latency  `json:"patch_latency"`
	ContactStale      bool     `json:"contact_stale"`
	ContractEnded     bool     `json:"contract_ended"`
	AdvisoryFeed      bool     `json:"advisory_feed"`
	Advisories        *int     `json:"advisories_published"`        // nil: not measured (no AdvisorySource)
	AdvisoriesMachine bool     `json:"advisories_machine_readable"` // the vendor publishes its own CSAF advisories
	AdvisoriesLatest  *string  `json:"advisories_latest"`           // the newest one's release date; nil when none
	FollowUp          []string `json:"follow_up"`                   // what to raise with the vendor
}

// Service reads the tenant's data through the store and computes the
// lifecycle views.
type Service struct {
	Store      store.Store
	Advisories AdvisorySource // optional
}

// Load returns every device's replacement for the tenant on ctx.
func (s *Service) Load(ctx context.Context) ([]Due, error) {
	models, err := s.Store.FindModels(ctx, 0)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*domain.Model, len(models))
	for _, m := range models {
		byID[m.ID] = m
	}
	overrides, err := s.Store.DeviceReplacementCosts(ctx)
	if err != nil {
		return nil, err
	}
	var devices []*domain.Device
	if err := s.Store.EachDevice(ctx, domain.DeviceFilter{}, func(d *domain.Device) error {
		devices = append(devices, d)
		return nil
	}); err != nil {
		return nil, err
	}
	return Items(devices, byID, overrides), nil
}

// Scorecards rates every vendor with devices in the tenant.
func (s *Service) Scorecards(ctx context.Context, today time.Time) ([]Scorecard, error) {
	vendors, err := s.Store.FindVendors(ctx)
	if err != nil {
		return nil, err
	}
	models, err := s.Store.FindModels(ctx, 0)
	if err != nil {
		return nil, err
	}
	items, err := s.Store.FindPatchItems(ctx, domain.PatchFilter{})
	if err != nil {
		return nil, err
	}
	lat := map[string]Latency{}
	for _, l := range PatchLatency(items, ByVendor) {
		lat[l.Key] = l
	}
	var out []Scorecard
	for _, v := range vendors {
		if v.DeviceCount == 0 {
			continue
		}
		sc := Scorecard{VendorID: v.ID, Vendor: v.Name, Devices: v.DeviceCount, Latency: lat[v.Name],
			ContactStale: v.ContactStale(today), AdvisoryFeed: v.AdvisoryFeedURL != "",
			ContractEnded: !v.SupportContractEnd.IsZero() && v.SupportContractEnd.Before(domain.DateOf(today))}
		sc.Latency.Key = v.Name
		for _, m := range models {
			if m.VendorID != v.ID || m.DeviceCount == 0 {
				continue
			}
			sc.Models++
			if m.SBOMAvailable {
				sc.ModelsWithSBOM++
			}
			if m.MDS2Available {
				sc.ModelsWithMDS2++
			}
		}
		var adv AdvisoryStats
		if s.Advisories != nil {
			if adv, err = s.Advisories.AdvisoryStats(ctx, v); err != nil {
				return nil, err
			}
			n := adv.Published
			sc.Advisories, sc.AdvisoriesMachine = &n, adv.OwnCSAF > 0
			if !adv.Latest.IsZero() {
				l := adv.Latest.String()
				sc.AdvisoriesLatest = &l
			}
		}
		sc.FollowUp = followUp(v, sc, adv)
		out = append(out, sc)
	}
	return out, nil
}

func followUp(v *domain.Vendor, sc Scorecard, adv AdvisoryStats) []string {
	f := []string{}
	if sc.ContactStale {
		f = append(f, "confirm the security contacts (last verified "+orNever(v.ContactVerified.String())+")")
	}
	if sc.ContractEnded {
		f = append(f, "the support contract ended on "+v.SupportContractEnd.String())
	}
	if v.PSIRTEmail == "" && v.PSIRTURL == "" {
		f = append(f, "no PSIRT contact on record")
	}
	if sc.Models > sc.ModelsWithSBOM {
		f = append(f, "ask for SBOMs for the models without one")
	}
	if sc.Models > sc.ModelsWithMDS2 {
		f = append(f, "ask for MDS2 forms for the models without one")
	}
	if !sc.AdvisoryFeed {
		f = append(f, "ask where security advisories are published (CSAF feed)")
	}
	if sc.Advisories != nil && adv.Published > 0 && adv.OwnCSAF == 0 {
		f = append(f, fmt.Sprintf("ask for machine-readable (CSAF) advisories of their own: the %d on record about their products (latest %s) were published by others",
			adv.Published, adv.Latest))
	}
	return f
}

func orNever(s string) string {
	if s == "" {
		return "never"
	}
	return s
}
