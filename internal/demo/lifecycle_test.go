package demo_test

import (
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure the demo practice has a believable forecast, open update work at
// several states inside its maintenance windows, and vendors to follow up.
func TestDemoLifecycle(t *testing.T) {
	s := mustSeed(t, vigiltest.MustOpenSQLite(t), refOptions)
	svc := &lifecycle.Service{Store: s.st}
	items, err := svc.Load(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := lifecycle.MakeBudget(items, lifecycle.BudgetOptions{FromYear: refNow.Year(), Years: 5, By: lifecycle.ByCategory})
	spending := 0
	for _, c := range b.YearTotals {
		if c > 0 {
			spending++
		}
	}
	if spending < 3 || len(b.Rows) < 4 || b.Total <= 0 {
		t.Errorf("budget spends in %d of 5 years over %d categories, total %d: not a believable forecast", spending, len(b.Rows), b.Total)
	}
	h := lifecycle.EndOfSupport(items, domain.DateOf(refNow))
	if len(h.Within6) == 0 || len(h.Within12) == 0 || len(h.Within24) == 0 || len(h.Past) == 0 {
		t.Errorf("end-of-support horizons: past %d, 6 m %d, 12 m %d, 24 m %d", len(h.Past), len(h.Within6), len(h.Within12), len(h.Within24))
	}

	work, err := s.st.FindPatchItems(s.ctx, domain.PatchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[domain.PatchState]int{}
	for _, p := range work {
		states[p.State]++
		if p.State == domain.PatchScheduled && p.OverrideReason == "" && p.WindowID == 0 {
			t.Errorf("work item %d is scheduled outside a window without an override", p.ID)
		}
	}
	reports := 0
	for _, p := range work {
		if p.EvidenceFile == nil {
			continue
		}
		reports++
		f, err := s.st.FindPatchEvidence(s.ctx, p.ID)
		if err != nil || !strings.Contains(string(f.Content), p.Device) || !strings.Contains(string(f.Content), p.Version) {
			t.Errorf("work item %d's report: %v\n%s", p.ID, err, f.Content)
		}
	}
	if reports != states[domain.PatchVerified] {
		t.Errorf("%d bench reports attached for %d verified items", reports, states[domain.PatchVerified])
	}
	for _, st := range []domain.PatchState{domain.PatchAvailable, domain.PatchValidated, domain.PatchScheduled, domain.PatchVerified} {
		if states[st] == 0 {
			t.Errorf("no work item is %s: %v", st, states)
		}
	}
	if ws, _ := s.st.FindMaintenanceWindows(s.ctx); len(ws) != 3 {
		t.Errorf("%d maintenance windows, want one per site", len(ws))
	}
	cards, err := svc.Scorecards(s.ctx, refNow)
	if err != nil {
		t.Fatal(err)
	}
	stale, latency := 0, false
	for _, c := range cards {
		if c.ContactStale {
			stale++
		}
		if c.Vendor == "BD" && c.Latency.Applied == 3 && c.Latency.MedianDays > 14 && c.Latency.MedianDays < 40 {
			latency = true
		}
	}
	if stale == 0 || !latency {
		t.Errorf("scorecards: %d stale vendors, BD latency measured %v: %+v", stale, latency, cards)
	}
}
