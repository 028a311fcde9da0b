package intel

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/csaf"
	"github.com/vigil-med/vigil/internal/intel/version"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// sharedAdvisories reads every CSAF advisory in ../shared/data/csaf.
func sharedAdvisories(tb testing.TB) []*domain.Advisory {
	tb.Helper()
	dir := vigiltest.SharedData(tb, "csaf")
	var out []*domain.Advisory
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		a, err := csaf.Read(path, f)
		if err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(out) < 50 {
		tb.Fatalf("only %d advisories in %s", len(out), dir)
	}
	return out
}

// probe is one device built from an advisory product, with what the
// advisory says about it.
type probe struct {
	adv      *domain.Advisory
	vuln     int
	prod     *domain.Product
	dev      *domain.Device
	positive bool // the advisory says affected
	strict   bool // a version inside the product's versions was derived: expect affected, not possibly
}

// inside returns a version the product's versions contain, when one can be
// read off them: the exact version, or an inclusive bound of the range.
func inside(p *domain.Product) (string, bool) {
	if p.VersionRange == "" {
		return p.Version, true
	}
	r, err := version.ParseRange(p.VersionRange)
	if err != nil {
		return "", false
	}
	if r.All {
		return "1.0", true
	}
	if len(r.Exact) > 0 {
		return r.Exact[0].Raw, true
	}
	for _, in := range r.Intervals {
		for _, b := range in {
			if b.Op == version.LE || b.Op == version.GE {
				return b.V.Raw, true
			}
		}
	}
	return "", false
}

// above returns a version just above the range's upper bound (outside it),
// when the range has exactly one interval bounded above.
func above(p *domain.Product) (string, bool) {
	if p.VersionRange == "" {
		return "", false
	}
	r, err := version.ParseRange(p.VersionRange)
	if err != nil || r.All || len(r.Intervals) != 1 || len(r.Exact) > 0 {
		return "", false
	}
	for _, b := range r.Intervals[0] {
		switch b.Op {
		case version.LE:
			return bump(b.V.Raw), true
		case version.LT:
			return b.V.Raw, true
		}
	}
	return "", false
}

// bump returns a version just above v: "2.6A" → "2.6A.1", and for a
// wildcard bound the next value of the part before it: "12.2.x.x" → "12.3".
func bump(v string) string {
	parts := strings.Split(v, ".")
	for k, p := range parts {
		if k > 0 && (strings.EqualFold(p, "x") || p == "*") {
			if n, err := strconv.Atoi(parts[k-1]); err == nil {
				return strings.Join(append(parts[:k-1:k-1], strconv.Itoa(n+1)), ".")
			}
		}
	}
	return v + ".1"
}

// probes builds one device per product of every known_affected, fixed and
// known_not_affected list, and for each affected range bounded above a
// device just above it (expected not affected), unless the advisory lists
// the same product again (then "above" may be inside another entry).
func probes(advs []*domain.Advisory) []probe {
	var out []probe
	id := int64(0)
	for _, a := range advs {
		names := map[string]int{}
		for _, p := range a.Products {
			names[productKey(p.Vendor, p.Name)]++
		}
		for vi, v := range a.Vulns {
			for st, ids := range v.Status {
				if st != domain.StatusKnownAffected && st != domain.StatusFixed && st != domain.StatusKnownNotAffected {
					continue
				}
				for _, pid := range ids {
					i := slices.IndexFunc(a.Products, func(p domain.Product) bool { return p.ID == pid })
					p := &a.Products[i]
					fw, strict := inside(p)
					id++
					out = append(out, probe{adv: a, vuln: vi, prod: p, positive: st == domain.StatusKnownAffected, strict: strict,
						dev: &domain.Device{ID: id, TenantID: 1, Manufacturer: p.Vendor, Model: p.Name, Firmware: fw}})
					if st != domain.StatusKnownAffected || names[productKey(p.Vendor, p.Name)] > 1 {
						continue
					}
					if fw, ok := above(p); ok {
						id++
						out = append(out, probe{adv: a, vuln: vi, prod: p,
							dev: &domain.Device{ID: id, TenantID: 1, Manufacturer: p.Vendor, Model: p.Name, Firmware: fw}})
					}
				}
			}
		}
	}
	return out
}

// TestAccuracySharedCSAF measures precision and recall of the matcher on
// the shared ICSMA advisories (run with -v to see the figures).
func TestAccuracySharedCSAF(t *testing.T) {
	advs := sharedAdvisories(t)
	m := NewMatcher()
	for _, a := range advs {
		m.AddAdvisory(a)
	}
	var tp, fp, fn, tn, possibly, positives, negatives int
	for _, pr := range probes(advs) {
		v := pr.adv.Vulns[pr.vuln]
		var got *domain.DeviceVulnerability
		for _, r := range m.Match(Subject{Device: pr.dev}) {
			if r.AdvisoryID == pr.adv.ID && r.CVE == v.CVE {
				got = &r
				break
			}
		}
		flagged := got != nil && (got.Status == domain.VulnAffected || got.Status == domain.VulnPossiblyAffected)
		desc := pr.adv.ID + " " + v.CVE + " " + pr.dev.Manufacturer + " / " + pr.dev.Model + " / " + pr.dev.Firmware + " (" + versionText(pr.prod) + ")"
		switch {
		case pr.positive && flagged:
			tp++
			positives++
			if got.Status == domain.VulnPossiblyAffected {
				possibly++
				if pr.strict {
					t.Errorf("%s: possibly affected (%s), want affected: the device runs a listed version", desc, got.Reason)
				}
			}
			checkRemediations(t, desc, &v, pr.prod.ID, got)
		case pr.positive:
			fn++
			positives++
			t.Errorf("missed: %s", desc)
		case flagged:
			fp++
			negatives++
			t.Errorf("false alarm: %s: %s", desc, got.Reason)
		default:
			tn++
			negatives++
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(max(tp+fn, 1))
	t.Logf("%d advisories; %d affected probes, %d not-affected probes; precision %.3f, recall %.3f; %d of the affected only possibly (no comparable version)",
		len(advs), positives, negatives, precision, recall, possibly)
	if positives < 300 || negatives < 50 {
		t.Errorf("too few probes: %d affected, %d not affected", positives, negatives)
	}
	if precision != 1 || recall != 1 {
		t.Errorf("precision %.3f, recall %.3f; want 1 and 1", precision, recall)
	}
}

// checkRemediations checks the result carries every remediation the
// advisory gives for the probe's product, and none for other products.
func checkRemediations(t *testing.T, desc string, v *domain.AdvisoryVuln, pid string, got *domain.DeviceVulnerability) {
	t.Helper()
	same := func(a, b domain.Remediation) bool {
		return a.Category == b.Category && a.Details == b.Details && a.URL == b.URL
	}
	for _, want := range v.Remediations {
		names := len(want.ProductIDs) == 0 || slices.Contains(want.ProductIDs, pid)
		has := slices.ContainsFunc(got.Remediations, func(r domain.Remediation) bool { return same(r, want) })
		if names && !has && slices.Contains(got.Products, pid) {
			t.Errorf("%s: remediation %q for %s not reported", desc, want.Details, pid)
		}
	}
	for _, r := range got.Remediations {
		if len(r.ProductIDs) > 0 && !slices.ContainsFunc(got.Products, func(p string) bool { return slices.Contains(r.ProductIDs, p) }) {
			t.Errorf("%s: remediation %q is for other products %v", desc, r.Details, r.ProductIDs)
		}
	}
	if len(got.Remediations) == 0 && len(v.Remediations) > 0 && slices.Contains(got.Products, pid) {
		t.Errorf("%s: no remediation reported, advisory gives %d", desc, len(v.Remediations))
	}
}
