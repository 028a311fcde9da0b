package lifecycle

import (
	"context"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel"
	"github.com/vigil-med/vigil/internal/intel/version"
)

// maxAdvisoryNotes bounds the vendor notes a release takes from an
// advisory's remediation text.
const maxAdvisoryNotes = 2000

// AdvisoryReleases records, in the practice on ctx, the firmware updates
// the given advisories' vendor_fix remediations name for models of its
// fleet (intel.VendorFixes), so work items can follow them. For each model
// with a device an advisory affects (or possibly affects), the fixed
// versions the advisories name for the products that device matched are
// gathered, and the newest becomes a release with source "advisory", that
// advisory's tracking id, its initial release date (else the
// remediation's date) and the remediation's text as the vendor notes. A
// model that already has that version or a newer one on record (typed in
// by hand, or from an earlier import) is left alone, so importing the same
// advisories again records nothing and an old advisory's superseded fix
// does not open work beside the newer one. It returns the releases
// recorded. Matching must have run first: it reads the practice's stored
// matches.
func (s *Service) AdvisoryReleases(ctx context.Context, ids []string) ([]*domain.FirmwareRelease, error) {
	type candidate struct {
		adv *domain.Advisory
		fix intel.Fix
	}
	best := map[int64]candidate{} // the newest fix per model
	var models []int64
	devices := map[int64]*domain.Device{}
	for _, id := range ids {
		rows, err := s.Store.FindVulnerabilities(ctx, domain.VulnFilter{AdvisoryID: id})
		if err != nil {
			return nil, err
		}
		var adv *domain.Advisory
		for _, r := range rows {
			st := r.Matched
			if st == "" {
				st = r.Status
			}
			if st != domain.VulnAffected && st != domain.VulnPossiblyAffected || len(r.Products) == 0 {
				continue
			}
			d := devices[r.DeviceID]
			if d == nil {
				if d, err = s.Store.FindDeviceByID(ctx, r.DeviceID); err != nil {
					return nil, err
				}
				devices[r.DeviceID] = d
			}
			if d.ModelID == 0 {
				continue
			}
			if adv == nil {
				if adv, _, err = s.Store.FindAdvisory(ctx, id); err != nil {
					return nil, err
				}
			}
			fixes := intel.VendorFixes(adv, r.Products)
			if len(fixes) == 0 {
				continue
			}
			cur, ok := best[d.ModelID]
			if !ok {
				models = append(models, d.ModelID)
			}
			if !ok || newer(fixes[0].Version, cur.fix.Version) {
				best[d.ModelID] = candidate{adv, fixes[0]}
			}
		}
	}
	var out []*domain.FirmwareRelease
	for _, m := range models {
		rel, err := s.advisoryRelease(ctx, best[m].adv, m, best[m].fix)
		if err != nil {
			return nil, err
		}
		if rel != nil {
			out = append(out, rel)
		}
	}
	return out, nil
}

// newer reports whether version a is known to be newer than b.
func newer(a, b string) bool {
	c, err := version.Compare(a, b)
	return err == nil && c > 0
}

// advisoryRelease records one model's release from an advisory's fix,
// unless the model already has that version or a newer one on record.
func (s *Service) advisoryRelease(ctx context.Context, a *domain.Advisory, modelID int64, f intel.Fix) (*domain.FirmwareRelease, error) {
	have, err := s.Store.FindFirmwareReleases(ctx, modelID)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(have, func(r *domain.FirmwareRelease) bool {
		return strings.EqualFold(r.Version, f.Version) || newer(r.Version, f.Version)
	}) {
		return nil, nil // on record already, or superseded
	}
	on := a.Released
	if on.IsZero() {
		on = f.Date
	}
	if on.IsZero() {
		on = a.Updated
	}
	notes := f.Details
	if len(notes) > maxAdvisoryNotes {
		notes = strings.ToValidUTF8(notes[:maxAdvisoryNotes], "") + "…"
	}
	if f.URL != "" && !strings.Contains(notes, f.URL) {
		notes += " " + f.URL
	}
	rel := &domain.FirmwareRelease{ModelID: modelID, Version: f.Version, ReleasedOn: domain.DateOf(on.UTC()), Notes: notes,
		Source: "advisory", AdvisoryRef: a.ID}
	if err := s.Store.CreateFirmwareRelease(ctx, rel); err != nil {
		if domain.ErrorCode(err) == domain.CodeConflict {
			return nil, nil // recorded meanwhile
		}
		return nil, err
	}
	return rel, nil
}
