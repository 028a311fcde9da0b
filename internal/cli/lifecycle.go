package cli

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/store"
)

func (a *app) lifecycleCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "lifecycle", Short: "End of support, the replacement budget and the maintenance plan"}
	var months, years, from int
	var by, escalation string
	var csvOut bool
	forecast := &cobra.Command{
		Use: "forecast", Short: "Devices reaching end of support, and the replacement budget by year", Args: exactArgs(0, "no arguments"),
		Long: "Lists the devices whose manufacturer support ends within --months, then the replacement budget for --years years.\n" +
			"A device is due at its model's end of support, or at its install (else purchase) date plus the model's service life,\n" +
			"whichever comes first; devices with neither are listed apart as unknown.",
		Example: "  vigil lifecycle forecast\n  vigil lifecycle forecast --months 12 --by site\n  vigil lifecycle forecast --by category --years 7 --escalation 3% --csv > budget.csv",
		RunE: func(cmd *cobra.Command, _ []string) error {
			dim, err := lifecycle.ParseDimension(by)
			if err != nil {
				return usagef("--by: %s", domain.ErrorMessage(err))
			}
			bp, err := parseBasisPoints(escalation)
			if err != nil {
				return usagef("--escalation: %s", domain.ErrorMessage(err))
			}
			if months <= 0 || years <= 0 || years > 30 {
				return usagef("--months must be positive and --years between 1 and 30")
			}
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			items, err := (&lifecycle.Service{Store: st}).Load(ctx)
			if err != nil {
				return err
			}
			today := domain.DateOf(time.Now())
			if from == 0 {
				from = today.Year
			}
			b := lifecycle.MakeBudget(items, lifecycle.BudgetOptions{FromYear: from, Years: years, By: dim, EscalationBP: bp})
			within := lifecycle.Within(items, today, months)
			switch {
			case csvOut:
				return lifecycle.WriteBudgetCSV(a.out, b)
			case a.json:
				return a.printJSON(map[string]any{"today": today.String(), "months": months, "end_of_support": nonNil(within), "budget": b})
			}
			fmt.Fprintf(a.out, "End of manufacturer support within %d months (or already past): %d device(s)\n", months, len(within))
			if len(within) > 0 {
				t := newTable(a.out, "  DEVICE", "SITE", "MODEL", "END OF SUPPORT", "REPLACEMENT")
				for _, it := range within {
					t.row("  "+it.Device, it.Site, it.Manufacturer+" "+it.Model, it.EndOfSupport.String(), money(it.CostCents, it.Currency))
				}
				if err := t.flush(); err != nil {
					return err
				}
			}
			fmt.Fprintf(a.out, "\nReplacement budget by %s (%s):\n", b.By, b.Currency)
			head := []string{"  " + strings.ToUpper(string(b.By))}
			for _, y := range b.Years {
				head = append(head, strconv.Itoa(y))
			}
			t := newTable(a.out, append(head, "TOTAL")...)
			for _, r := range b.Rows {
				t.row(budgetCells("  "+r.Key, r.Cents, r.Total)...)
			}
			t.row(budgetCells("  total", b.YearTotals, b.Total)...)
			if err := t.flush(); err != nil {
				return err
			}
			if n := len(b.Unknown); n > 0 {
				fmt.Fprintf(a.out, "\nUnknown: %d device(s) have no end of support and no install or purchase date with a service life:\n", n)
				for _, it := range b.Unknown {
					fmt.Fprintf(a.out, "  %s (%s %s)\n", it.Device, it.Manufacturer, it.Model)
				}
			}
			if n := len(b.NoCost); n > 0 {
				fmt.Fprintf(a.out, "\n%d device(s) due in these years have no replacement cost; set one with `vigil model set` or `vigil lifecycle cost`.\n", n)
			}
			if n := len(b.Later); n > 0 {
				fmt.Fprintf(a.out, "%d device(s) are due after %d.\n", n, b.Years[len(b.Years)-1])
			}
			return nil
		},
	}
	fl := forecast.Flags()
	fl.IntVar(&months, "months", 24, "list devices whose end of support falls within this many months")
	fl.IntVar(&years, "years", 5, "budget years")
	fl.IntVar(&from, "from", 0, "first budget year (default this year)")
	fl.StringVar(&by, "by", "year", "group the budget by year, site, department or category")
	fl.StringVar(&escalation, "escalation", "0", "yearly price rise, e.g. 3% or 2.5")
	fl.BoolVar(&csvOut, "csv", false, "print the budget as CSV")
	cmd.AddCommand(forecast)

	var days int
	alerts := &cobra.Command{
		Use: "alerts", Short: "Devices whose end of support is near or past", Args: exactArgs(0, "no arguments"),
		Example: "  vigil lifecycle alerts --days 365",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			items, err := (&lifecycle.Service{Store: st}).Load(ctx)
			if err != nil {
				return err
			}
			al := lifecycle.Alerts(items, domain.DateOf(time.Now()), days)
			if a.json {
				return a.printJSON(nonNil(al))
			}
			for _, x := range al {
				fmt.Fprintln(a.out, x.Message)
			}
			if len(al) == 0 {
				fmt.Fprintf(a.out, "No device reaches end of support within %d days.\n", days)
			}
			return nil
		},
	}
	alerts.Flags().IntVar(&days, "days", 180, "warn this many days ahead")
	cmd.AddCommand(alerts)

	var out string
	var planYears int
	plan := &cobra.Command{
		Use: "plan", Short: "Write the maintenance and monitoring plan as an HTML document", Args: exactArgs(0, "no arguments"),
		Example: "  vigil lifecycle plan --out plan.html",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, t, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			p, err := (&lifecycle.Service{Store: st, Advisories: &lifecycle.IntelAdvisories{Store: st}}).BuildPlan(ctx, t.Name, time.Now(), planYears)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := lifecycle.RenderPlan(&buf, p); err != nil {
				return domain.Internal(err, "cannot render the plan")
			}
			if out == "" || out == "-" {
				_, err = a.out.Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return domain.Errorf(domain.CodeInvalid, "cannot write %s: %v", out, unwrapPathErr(err))
			}
			fmt.Fprintf(a.out, "Wrote the plan for %s to %s.\n", t.Name, out)
			return nil
		},
	}
	plan.Flags().StringVar(&out, "out", "", "file to write (default standard output)")
	plan.Flags().IntVar(&planYears, "years", 5, "budget years")
	cmd.AddCommand(plan)

	var clear bool
	cost := &cobra.Command{
		Use: "cost DEVICE [AMOUNT]", Short: "Set one device's replacement cost, overriding its model's",
		Example: "  vigil lifecycle cost SN-4411 12,500.00\n  vigil lifecycle cost SN-4411 --clear",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if clear == (len(args) == 2) {
				return usagef("give either an AMOUNT or --clear")
			}
			ctx, st, d, err := a.findDevice(cmd, args[0])
			if err != nil {
				return err
			}
			cents := int64(-1)
			if !clear {
				if cents, err = parseMoney(args[1]); err != nil {
					return usagef("%s", domain.ErrorMessage(err))
				}
			}
			if err := st.SetDeviceReplacementCost(ctx, d.ID, cents); err != nil {
				return err
			}
			if clear {
				fmt.Fprintf(a.out, "%s now uses its model's replacement cost.\n", d.Label())
			} else {
				fmt.Fprintf(a.out, "%s: replacement cost %s.\n", d.Label(), lifecycle.FormatCents(cents))
			}
			return nil
		},
	}
	cost.Flags().BoolVar(&clear, "clear", false, "remove the device's own cost")
	cmd.AddCommand(cost)
	return cmd
}

func budgetCells(key string, cents []int64, total int64) []string {
	out := []string{key}
	for _, c := range cents {
		out = append(out, lifecycle.FormatCents(c))
	}
	return append(out, lifecycle.FormatCents(total))
}

// parseBasisPoints reads "3%", "2.5" or "0" as basis points (1/100 %).
func parseBasisPoints(s string) (int, error) {
	c, err := domain.ParseCents(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if err != nil || c > 10000 {
		return 0, domain.Errorf(domain.CodeInvalid, "%q is not a percentage between 0 and 100", s)
	}
	return int(c), nil
}

func (a *app) patchCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "patch", Aliases: []string{"patches"}, Short: "Firmware releases and the update workflow: validate, schedule, apply, verify",
		Long: "Each release opens a work item per affected device, which moves\n" +
			"  available → validated → scheduled → applied → verified.\n" +
			"Validation records the non-clinical test; scheduling must fall inside a maintenance window of the device's site.\n" +
			"An administrator may skip validation or schedule outside a window with `vigil patch override`, giving a reason."}
	cmd.AddCommand(a.releaseCommand())
	var state, device string
	var open bool
	list := &cobra.Command{
		Use: "list", Short: "List work items", Args: exactArgs(0, "no arguments"),
		Example: "  vigil patch list --open\n  vigil patch list --state scheduled --json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			f := domain.PatchFilter{State: domain.PatchState(state), Open: open}
			if device != "" {
				d, err := st.FindDevice(ctx, device)
				if err != nil {
					return err
				}
				f.DeviceID = d.ID
			}
			items, err := st.FindPatchItems(ctx, f)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(items))
			}
			t := newTable(a.out, "ID", "DEVICE", "SITE", "MODEL", "FIRMWARE", "UPDATE", "STATE", "SCHEDULED")
			for _, p := range items {
				t.row(strconv.FormatInt(p.ID, 10), p.Device, p.Site, p.Manufacturer+" "+p.Model, p.Firmware, p.Version, string(p.State), whenUTC(p.ScheduledFor))
			}
			return t.flush()
		},
	}
	list.Flags().StringVar(&state, "state", "", "only items in this state")
	list.Flags().BoolVar(&open, "open", false, "only items not yet verified")
	list.Flags().StringVar(&device, "device", "", "only this device's items")
	cmd.AddCommand(list)
	cmd.AddCommand(&cobra.Command{
		Use: "show ID", Short: "Show a work item and its history", Args: exactArgs(1, "a work item ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, p, err := a.findPatch(cmd, args[0])
			if err != nil {
				return err
			}
			evs, err := st.FindAuditEvents(ctx, domain.AuditFilter{ObjectType: "patch", ObjectID: p.ID})
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(map[string]any{"item": p, "history": nonNil(evs)})
			}
			fmt.Fprintf(a.out, "Work item %d: %s → %s %s %s\nSite:        %s %s\nState:       %s\nReleased:    %s\n",
				p.ID, p.Device, p.Manufacturer, p.Model, p.Version, p.Site, p.Department, p.State, p.ReleasedOn)
			if p.ValidatedBy != "" {
				fmt.Fprintf(a.out, "Validated:   %s by %s: %s\n", whenUTC(p.ValidatedAt), p.ValidatedBy, p.Evidence)
			}
			if f := p.EvidenceFile; f != nil {
				fmt.Fprintf(a.out, "Evidence:    %s (%s, %s, SHA-256 %s); `vigil patch evidence %d` saves it\n", f.Name, f.ContentType, domain.FormatBytes(f.Size), f.SHA256, p.ID)
			}
			if !p.ScheduledFor.IsZero() {
				fmt.Fprintf(a.out, "Scheduled:   %s\n", whenUTC(p.ScheduledFor))
			}
			if p.AppliedBy != "" {
				fmt.Fprintf(a.out, "Applied:     %s by %s\n", whenUTC(p.AppliedAt), p.AppliedBy)
			}
			if p.VerifiedBy != "" {
				fmt.Fprintf(a.out, "Verified:    %s by %s\n", whenUTC(p.VerifiedAt), p.VerifiedBy)
			}
			if p.OverrideReason != "" {
				fmt.Fprintf(a.out, "Override:    %s\n", p.OverrideReason)
			}
			fmt.Fprintln(a.out, "\nHistory:")
			for _, e := range evs {
				fmt.Fprintf(a.out, "  %s  %-16s %s\n", whenUTC(e.At), e.Action, e.Actor)
			}
			return nil
		},
	})
	var evidence, evidenceFile string
	validate := &cobra.Command{
		Use: "validate ID", Short: "Record that the update was tested in a non-clinical setting", Args: exactArgs(1, "a work item ID"),
		Example: `  vigil patch validate 12 --evidence "bench test on spare unit SN-9, 4 h infusion run, no alarms; report in CMMS WO-5521"` + "\n" +
			`  vigil patch validate 12 --evidence "4 h infusion run on SN-9" --evidence-file bench-report.pdf`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c := domain.PatchChange{To: domain.PatchValidated, Evidence: evidence}
			if evidenceFile != "" {
				f, err := readEvidenceFile(evidenceFile)
				if err != nil {
					return err
				}
				c.File = f
			}
			return a.movePatch(cmd, args[0], c, "")
		},
	}
	validate.Flags().StringVar(&evidence, "evidence", "", "what was tested, where and the result")
	validate.Flags().StringVar(&evidenceFile, "evidence-file", "", "the test report to attach (up to 10 MiB), kept with the work item")
	cmd.AddCommand(validate)
	var out string
	download := &cobra.Command{
		Use: "evidence ID", Short: "Save a work item's evidence file", Args: exactArgs(1, "a work item ID"),
		Example: "  vigil patch evidence 12\n  vigil patch evidence 12 --out report.pdf\n  vigil patch evidence 12 --out - | sha256sum",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, p, err := a.findPatch(cmd, args[0])
			if err != nil {
				return err
			}
			f, err := st.FindPatchEvidence(ctx, p.ID)
			if err != nil {
				return err
			}
			if out == "-" {
				_, err := a.out.Write(f.Content)
				return err
			}
			if out == "" {
				out = f.Name
			}
			// Never overwrite: the name came from whoever uploaded the file.
			w, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return usagef("cannot write %s: %v (choose another name with --out)", out, err)
			}
			if _, err := w.Write(f.Content); err != nil {
				w.Close()
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Saved %s (%s, SHA-256 %s).\n", out, domain.FormatBytes(f.Size), f.SHA256)
			return nil
		},
	}
	download.Flags().StringVarP(&out, "out", "o", "", "file to write (default: the file's own name, never overwriting); - for standard output")
	cmd.AddCommand(download)
	var at string
	schedule := &cobra.Command{
		Use: "schedule ID --at TIME", Short: "Book the update into a maintenance window", Args: exactArgs(1, "a work item ID"),
		Long:    "TIME is RFC 3339 (2026-03-08T03:30:00-04:00) or \"YYYY-MM-DD HH:MM\" in the time zone of the device site's windows.",
		Example: `  vigil patch schedule 12 --at "2026-03-08 03:30"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.movePatch(cmd, args[0], domain.PatchChange{To: domain.PatchScheduled}, at)
		},
	}
	schedule.Flags().StringVar(&at, "at", "", "when the update will be installed")
	cmd.AddCommand(schedule)
	cmd.AddCommand(&cobra.Command{
		Use: "apply ID", Short: "Record that the update was installed", Args: exactArgs(1, "a work item ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.movePatch(cmd, args[0], domain.PatchChange{To: domain.PatchApplied}, "")
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use: "verify ID", Short: "Record that the device was checked after the update", Args: exactArgs(1, "a work item ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.movePatch(cmd, args[0], domain.PatchChange{To: domain.PatchVerified}, "")
		},
	})
	var reason, oat string
	override := &cobra.Command{
		Use: "override ID --at TIME --reason TEXT", Short: "Administrators: schedule without validation or outside a maintenance window",
		Args:    exactArgs(1, "a work item ID"),
		Example: `  vigil patch override 12 --at "2026-03-04 13:00" --reason "vendor: actively exploited, no spare unit to test on"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.movePatch(cmd, args[0], domain.PatchChange{To: domain.PatchScheduled, Override: true, Reason: reason}, oat)
		},
	}
	override.Flags().StringVar(&oat, "at", "", "when the update will be installed")
	override.Flags().StringVar(&reason, "reason", "", "why the workflow is being skipped (recorded in the audit trail)")
	cmd.AddCommand(override)
	cmd.AddCommand(&cobra.Command{
		Use: "metrics", Short: "Time from release to installation, and devices behind the latest firmware", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			items, err := st.FindPatchItems(ctx, domain.PatchFilter{})
			if err != nil {
				return err
			}
			releases, err := st.FindFirmwareReleases(ctx, 0)
			if err != nil {
				return err
			}
			byVendor, byDevice := lifecycle.PatchLatency(items, lifecycle.ByVendor), lifecycle.PatchLatency(items, lifecycle.ByDevice)
			behind := lifecycle.BehindLatest(releases, items)
			if a.json {
				return a.printJSON(map[string]any{"by_vendor": nonNil(byVendor), "by_device": nonNil(byDevice), "behind_latest": nonNil(behind)})
			}
			fmt.Fprintln(a.out, "Release to applied, by vendor:")
			t := newTable(a.out, "  VENDOR", "APPLIED", "OPEN", "MEDIAN DAYS", "MAX DAYS")
			for _, l := range byVendor {
				t.row("  "+l.Key, strconv.Itoa(l.Applied), strconv.Itoa(l.Open), strconv.FormatFloat(l.MedianDays, 'f', 1, 64), strconv.Itoa(l.MaxDays))
			}
			if err := t.flush(); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "\nDevices behind their model's latest firmware: %d\n", len(behind))
			for _, b := range behind {
				fmt.Fprintf(a.out, "  %s (%s): %s, latest %s, %s\n", b.Device, b.Model, orDash(b.Firmware), b.Latest, b.State)
			}
			return nil
		},
	})
	return cmd
}

func (a *app) releaseCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "release", Aliases: []string{"releases"}, Short: "Firmware and software updates available per model"}
	var released, notes string
	add := &cobra.Command{
		Use: "add MANUFACTURER MODEL VERSION", Short: "Record an available update; opens a work item per affected device",
		Example: `  vigil patch release add "Acme Medical" "Pump 9" 4.2.1 --released 2026-10-02 --notes "fixes CVE-2026-1234 (hard-coded credentials)"`,
		Args:    exactArgs(3, "the MANUFACTURER, MODEL and VERSION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			on, err := domain.ParseDate(released, domain.MonthFirst)
			if err != nil {
				return usagef("--released: %s", domain.ErrorMessage(err))
			}
			r := &domain.FirmwareRelease{Manufacturer: args[0], Model: args[1], Version: args[2], ReleasedOn: on, Notes: notes}
			if err := st.CreateFirmwareRelease(ctx, r); err != nil {
				return err
			}
			if a.json {
				return a.printJSON(r)
			}
			fmt.Fprintf(a.out, "Recorded %s %s %s (release %d); opened %d work item(s).\n", r.Manufacturer, r.Model, r.Version, r.ID, r.Devices)
			return nil
		},
	}
	add.Flags().StringVar(&released, "released", "", "the vendor's release date (YYYY-MM-DD)")
	add.Flags().StringVar(&notes, "notes", "", "the vendor's notes: what it fixes, prerequisites")
	cmd.AddCommand(add)
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "List recorded releases, newest first", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			all, err := st.FindFirmwareReleases(ctx, 0)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(all))
			}
			t := newTable(a.out, "ID", "MANUFACTURER", "MODEL", "VERSION", "RELEASED", "DEVICES", "SOURCE", "NOTES")
			for _, r := range all {
				t.row(strconv.FormatInt(r.ID, 10), r.Manufacturer, r.Model, r.Version, r.ReleasedOn.String(), strconv.Itoa(r.Devices), releaseSource(r), brief(r.Notes, 60))
			}
			return t.flush()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use: "from-advisories", Short: "Record the updates that stored advisories' vendor fixes name for this practice's models",
		Long: "Matches the practice's devices against every stored advisory and records, per affected model, the newest fixed\n" +
			"version a vendor_fix remediation names (source \"advisory\"), opening work items. `vigil feeds import` does this\n" +
			"for the advisories it imports; run this after adding devices. Versions already recorded are left alone.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			// Match first: devices added since the last import have no
			// matches stored yet.
			m, err := intel.Load(ctx, st)
			if err != nil {
				return err
			}
			if _, err := intel.Rematch(ctx, st, m); err != nil {
				return err
			}
			advs, err := st.FindAdvisories(ctx)
			if err != nil {
				return err
			}
			ids := make([]string, len(advs))
			for i, x := range advs {
				ids[i] = x.ID
			}
			rels, err := (&lifecycle.Service{Store: st}).AdvisoryReleases(ctx, ids)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(rels))
			}
			for _, r := range rels {
				fmt.Fprintf(a.out, "Recorded %s %s %s from %s (release %d); opened %d work item(s).\n", r.Manufacturer, r.Model, r.Version, r.AdvisoryRef, r.ID, r.Devices)
			}
			fmt.Fprintf(a.out, "%d firmware %s recorded from %d advisories.\n", len(rels), plural(len(rels), "update", "updates"), len(ids))
			return nil
		},
	})
	return cmd
}

// advisoryCell renders a scorecard's advisory publication: "3 (latest
// 2024-07-18, own CSAF)".
func advisoryCell(n int, latest *string, own bool) string {
	if n == 0 {
		return "0"
	}
	out := strconv.Itoa(n)
	if latest != nil {
		out += " (latest " + *latest
		if own {
			out += ", own CSAF"
		}
		out += ")"
	}
	return out
}

// releaseSource says where a release came from: "manual", or "advisory
// ICSMA-24-200-01".
func releaseSource(r *domain.FirmwareRelease) string {
	if r.Source == "advisory" && r.AdvisoryRef != "" {
		return "advisory " + r.AdvisoryRef
	}
	return r.Source
}

// brief shortens text for a table cell.
func brief(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (a *app) findPatch(cmd *cobra.Command, ref string) (context.Context, store.Store, *domain.PatchItem, error) {
	id, ok := isID(ref)
	if !ok {
		return nil, nil, nil, usagef("%q is not a work item ID", ref)
	}
	ctx, st, _, err := a.tenantCtx(cmd.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := st.FindPatchItem(ctx, id)
	return ctx, st, p, err
}

func isID(s string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return id, err == nil && id > 0
}

// movePatch applies one workflow step; at is the scheduling time, read in
// the time zone of the device site's windows.
func (a *app) movePatch(cmd *cobra.Command, ref string, c domain.PatchChange, at string) error {
	ctx, st, p, err := a.findPatch(cmd, ref)
	if err != nil {
		return err
	}
	if c.To == domain.PatchScheduled {
		if at == "" {
			return usagef("--at is required: when the update will be installed")
		}
		if c.At, err = parseWhen(ctx, st, p, at); err != nil {
			return err
		}
	}
	p, err = st.MovePatchItem(ctx, p.ID, c)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(p)
	}
	msg := fmt.Sprintf("Work item %d (%s → %s) is now %s", p.ID, p.Device, p.Version, p.State)
	if c.To == domain.PatchScheduled {
		msg += " for " + whenUTC(p.ScheduledFor)
	}
	if p.OverrideReason != "" && c.Override {
		msg += " (override recorded)"
	}
	fmt.Fprintln(a.out, msg+".")
	return nil
}

// readEvidenceFile reads a file to attach to a validation, refusing one
// over domain.MaxEvidenceSize before reading it. Its type comes from the
// extension, else from its first bytes.
func readEvidenceFile(path string) (*domain.EvidenceFile, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, usagef("--evidence-file: %v", err)
	}
	if fi.IsDir() {
		return nil, usagef("--evidence-file: %s is a directory", path)
	}
	if fi.Size() > domain.MaxEvidenceSize {
		return nil, domain.EvidenceTooLarge(filepath.Base(path), fi.Size())
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--evidence-file: %v", err)
	}
	ct := mime.TypeByExtension(strings.ToLower(filepath.Ext(path)))
	if ct == "" {
		ct = http.DetectContentType(content)
	}
	return &domain.EvidenceFile{Name: filepath.Base(path), ContentType: ct, Content: content}, nil
}

// parseWhen reads RFC 3339, or a wall-clock time in the zone of the
// maintenance windows of the item's site (UTC when it has none).
func parseWhen(ctx context.Context, st store.Store, p *domain.PatchItem, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	loc := time.UTC
	if ws, err := st.FindMaintenanceWindows(ctx); err == nil {
		for _, w := range ws {
			if w.Site == p.Site {
				if l, err := time.LoadLocation(w.TimeZone); err == nil {
					loc = l
				}
				break
			}
		}
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("--at %q is not a time (use \"YYYY-MM-DD HH:MM\" or RFC 3339)", s)
}

func whenUTC(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func (a *app) windowCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "window", Aliases: []string{"windows"}, Short: "Maintenance windows: when a site may take devices out of service"}
	var w domain.MaintenanceWindow
	var days, start, end string
	add := &cobra.Command{
		Use: "add SITE", Short: "Add a recurring maintenance window", Args: exactArgs(1, "the SITE"),
		Long: "Times are wall-clock times in the window's time zone (default: the site's), so a window keeps its local hours\n" +
			"across daylight-saving changes: on the night clocks go forward it is an hour shorter, on the night they go back an hour longer.",
		Example: "  vigil window add main --days sun --start 02:00 --end 05:00\n  vigil window add north --department Radiology --days mon-fri --start 22:00 --end 02:00 --tz Europe/Berlin",
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if w.Weekdays, err = domain.ParseWeekdays(days); err != nil {
				return usagef("--days: %s", domain.ErrorMessage(err))
			}
			if w.Start, err = domain.ParseClock(start); err != nil {
				return usagef("--start: %s", domain.ErrorMessage(err))
			}
			if w.End, err = domain.ParseClock(end); err != nil {
				return usagef("--end: %s", domain.ErrorMessage(err))
			}
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			w.Site = args[0]
			if err := st.CreateMaintenanceWindow(ctx, &w); err != nil {
				return err
			}
			if a.json {
				return a.printJSON(w)
			}
			fmt.Fprintf(a.out, "Added window %d for %s: %s.\n", w.ID, w.Site, w.Describe())
			return nil
		},
	}
	fl := add.Flags()
	fl.StringVar(&days, "days", "sun", "days: sun, mon,wed, mon-fri or daily")
	fl.StringVar(&start, "start", "02:00", "local start time HH:MM")
	fl.StringVar(&end, "end", "05:00", "local end time HH:MM (before the start: runs past midnight)")
	fl.StringVar(&w.Department, "department", "", "only this department of the site")
	fl.StringVar(&w.TimeZone, "tz", "", "IANA time zone (default: the site's, else UTC)")
	fl.StringVar(&w.Name, "name", "", "a name (default: the days and times)")
	cmd.AddCommand(add)
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "List maintenance windows and when each next opens", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			all, err := st.FindMaintenanceWindows(ctx)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(all))
			}
			t := newTable(a.out, "ID", "SITE", "DEPARTMENT", "WINDOW", "NEXT OPENS")
			now := time.Now()
			for _, w := range all {
				next := ""
				if n, ok := w.Next(now); ok {
					loc, _ := time.LoadLocation(w.TimeZone)
					next = n.In(loc).Format("Mon 2006-01-02 15:04 MST")
				}
				t.row(strconv.FormatInt(w.ID, 10), w.Site, orDash(w.Department), w.Describe(), next)
			}
			return t.flush()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use: "rm ID", Short: "Remove a maintenance window", Args: exactArgs(1, "a window ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, ok := isID(args[0])
			if !ok {
				return usagef("%q is not a window ID", args[0])
			}
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			if err := st.DeleteMaintenanceWindow(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Removed window %d.\n", id)
			return nil
		},
	})
	return cmd
}

// vendorLifecycleCommands are the vendor verbs built on the lifecycle data.
func (a *app) vendorLifecycleCommands() []*cobra.Command {
	var model, problem string
	var csvOut bool
	notify := &cobra.Command{
		Use: "notify REF", Short: "Prepare a vendor notification: the affected devices as text or CSV", Args: exactArgs(1, "a vendor id, name or alias"),
		Example: `  vigil vendor notify "Acme Medical" --model "Pump 9" --problem "CVE-2026-1234: hard-coded service password"` + "\n" +
			`  vigil vendor notify acme --csv > acme-devices.csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, t, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			v, err := st.FindVendor(ctx, args[0])
			if err != nil {
				return err
			}
			n, err := (&lifecycle.Service{Store: st}).Notify(ctx, v, model, problem)
			if err != nil {
				return err
			}
			switch {
			case csvOut:
				return n.WriteCSV(a.out)
			case a.json:
				return a.printJSON(map[string]any{"notification": n, "text": n.Text(t.Name)})
			}
			_, err = fmt.Fprint(a.out, n.Text(t.Name))
			return err
		},
	}
	notify.Flags().StringVar(&model, "model", "", "only devices of this model")
	notify.Flags().StringVar(&problem, "problem", "", "the advisory or problem to raise")
	notify.Flags().BoolVar(&csvOut, "csv", false, "print the device list as CSV (model, serial, firmware, site)")
	scorecard := &cobra.Command{
		Use: "scorecard", Short: "Rate each vendor's security support from Vigil's own data", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			cards, err := (&lifecycle.Service{Store: st, Advisories: &lifecycle.IntelAdvisories{Store: st}}).Scorecards(ctx, time.Now())
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(cards))
			}
			t := newTable(a.out, "VENDOR", "DEVICES", "MEDIAN PATCH DAYS", "SBOM", "MDS2", "ADVISORIES", "FOLLOW-UP")
			for _, c := range cards {
				lat := "—"
				if c.Latency.Applied > 0 {
					lat = strconv.FormatFloat(c.Latency.MedianDays, 'f', 1, 64)
				}
				adv := "not measured"
				if c.Advisories != nil {
					adv = advisoryCell(*c.Advisories, c.AdvisoriesLatest, c.AdvisoriesMachine)
				}
				t.row(c.Vendor, strconv.Itoa(c.Devices), lat, fmt.Sprintf("%d/%d", c.ModelsWithSBOM, c.Models), fmt.Sprintf("%d/%d", c.ModelsWithMDS2, c.Models),
					adv, strconv.Itoa(len(c.FollowUp)))
			}
			return t.flush()
		},
	}
	return []*cobra.Command{notify, scorecard}
}
