package lifecycle

import (
	"context"
	_ "embed"
	"html/template"
	"io"
	"slices"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Plan is a practice's maintenance and monitoring plan: what will be
// patched when, what will be replaced when and at what cost, and which
// vendors need follow-up.
type Plan struct {
	Practice  string
	Generated time.Time
	Today     domain.Date
	Budget    *Budget
	Horizon   Horizon
	Alerts    []Alert
	// Patches are the open work items, scheduled ones first by time.
	Patches []*domain.PatchItem
	Windows []*domain.MaintenanceWindow
	Behind  []Behind
	Latency []Latency
	Vendors []Scorecard
	// StaleVendors are vendors with devices whose contacts are over a year old.
	StaleVendors []Scorecard
}

// BuildPlan gathers the plan for the tenant on ctx.
func (s *Service) BuildPlan(ctx context.Context, practice string, now time.Time, years int) (*Plan, error) {
	today := domain.DateOf(now)
	items, err := s.Load(ctx)
	if err != nil {
		return nil, err
	}
	p := &Plan{Practice: practice, Generated: now, Today: today,
		Budget:  MakeBudget(items, BudgetOptions{FromYear: today.Year, Years: years, By: ByCategory}),
		Horizon: EndOfSupport(items, today), Alerts: Alerts(items, today, 180)}
	if p.Patches, err = s.Store.FindPatchItems(ctx, domain.PatchFilter{Open: true}); err != nil {
		return nil, err
	}
	slices.SortStableFunc(p.Patches, func(a, b *domain.PatchItem) int {
		switch {
		case a.ScheduledFor.IsZero() && !b.ScheduledFor.IsZero():
			return 1
		case !a.ScheduledFor.IsZero() && b.ScheduledFor.IsZero():
			return -1
		}
		return a.ScheduledFor.Compare(b.ScheduledFor)
	})
	if p.Windows, err = s.Store.FindMaintenanceWindows(ctx); err != nil {
		return nil, err
	}
	releases, err := s.Store.FindFirmwareReleases(ctx, 0)
	if err != nil {
		return nil, err
	}
	all, err := s.Store.FindPatchItems(ctx, domain.PatchFilter{})
	if err != nil {
		return nil, err
	}
	p.Behind, p.Latency = BehindLatest(releases, all), PatchLatency(all, ByVendor)
	if p.Vendors, err = s.Scorecards(ctx, now); err != nil {
		return nil, err
	}
	for _, v := range p.Vendors {
		if v.ContactStale {
			p.StaleVendors = append(p.StaleVendors, v)
		}
	}
	return p, nil
}

//go:embed plan.html
var planHTML string

// PlanFuncs are the template helpers the plan uses; the console reuses them.
var PlanFuncs = template.FuncMap{
	"money": FormatCents,
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "not scheduled"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"date": func(d domain.Date) string {
		if d.IsZero() {
			return "unknown"
		}
		return d.String()
	},
}

var planTmpl = template.Must(template.New("plan").Funcs(PlanFuncs).Parse(planHTML))

// RenderPlan writes the plan as a self-contained, printable HTML document
// (styles in a <style> element of its own, no scripts, nothing fetched).
func RenderPlan(w io.Writer, p *Plan) error {
	return planTmpl.Execute(w, p)
}

// RenderPlanBody writes the plan's content without the document around it,
// for the console to show inside its own page.
func RenderPlanBody(w io.Writer, p *Plan) error {
	return planTmpl.ExecuteTemplate(w, "body", p)
}
