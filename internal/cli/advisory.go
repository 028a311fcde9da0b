package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
)

func (a *app) advisoryCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "advisory", Aliases: []string{"advisories"}, Short: "Security advisories and whether they affect the practice"}
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "List advisories, newest first, with the practice's affected devices", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, err := a.optionalTenantCtx(cmd)
			if err != nil {
				return err
			}
			all, err := st.FindAdvisories(ctx)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(all))
			}
			t := newTable(a.out, "ID", "RELEASED", "REV", "SCORE", "AFFECTED", "POSSIBLY", "TITLE")
			for _, v := range all {
				released := ""
				if !v.Released.IsZero() {
					released = v.Released.Format("2006-01-02")
				}
				t.row(v.ID, released, v.Revision, strconv.FormatFloat(v.MaxScore, 'f', 1, 64), strconv.Itoa(v.Affected), strconv.Itoa(v.Possibly), v.Title)
			}
			return t.flush()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use: "show ID", Short: "Does this advisory affect us? The affected devices and why, and what to do",
		Example: "  vigil advisory show ICSMA-23-103-01", Args: exactArgs(1, "an advisory tracking id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, err := a.optionalTenantCtx(cmd)
			if err != nil {
				return err
			}
			adv, revs, err := st.FindAdvisory(ctx, args[0])
			if err != nil {
				return err
			}
			var rows []*domain.VulnView
			if _, ok := domain.TenantFrom(ctx); ok {
				if rows, err = st.FindVulnerabilities(ctx, domain.VulnFilter{AdvisoryID: adv.ID}); err != nil {
					return err
				}
			}
			if a.json {
				return a.printJSON(map[string]any{"advisory": adv, "revisions": nonNil(revs), "devices": nonNil(rows)})
			}
			fmt.Fprintf(a.out, "%s: %s\nPublisher: %s   Revision: %s   Released: %s   Updated: %s\n", adv.ID, adv.Title, adv.Publisher, adv.Revision,
				day(adv.Released), day(adv.Updated))
			if len(revs) > 1 {
				last := revs[len(revs)-1]
				fmt.Fprintf(a.out, "Last change: %s (imported %s)\n", last.Summary, day(last.ImportedAt))
			}
			for _, n := range adv.Notes {
				if n.Category == "summary" || n.Category == "description" && len(adv.Notes) < 4 {
					fmt.Fprintf(a.out, "\n%s\n", strings.TrimSpace(n.Text))
				}
			}
			fmt.Fprintln(a.out)
			for _, v := range adv.Vulns {
				score := ""
				for _, s := range v.Scores {
					score += fmt.Sprintf(" CVSS %s %.1f %s", s.Version, s.Base, s.Severity)
				}
				fmt.Fprintf(a.out, "%s%s  %s\n", v.CVE, score, v.Title)
			}
			if _, ok := domain.TenantFrom(ctx); !ok {
				fmt.Fprintln(a.out, "\nChoose a practice (--tenant) to see which of its devices this affects.")
				return nil
			}
			flagged := 0
			byDevice := map[int64][]*domain.VulnView{}
			var order []int64
			for _, r := range rows {
				if byDevice[r.DeviceID] == nil {
					order = append(order, r.DeviceID)
				}
				byDevice[r.DeviceID] = append(byDevice[r.DeviceID], r)
			}
			for _, id := range order {
				if s := byDevice[id][0].Matched; s == domain.VulnAffected || s == domain.VulnPossiblyAffected {
					flagged++
				}
			}
			if flagged == 0 {
				fmt.Fprintf(a.out, "\nDoes this affect us? No device of the practice matches (%d checked as not affected or fixed).\n", len(order))
			} else {
				fmt.Fprintf(a.out, "\nDoes this affect us? Yes: %d %s.\n", flagged, plural(flagged, "device", "devices"))
			}
			for _, id := range order {
				rs := byDevice[id]
				r := rs[0]
				fmt.Fprintf(a.out, "\n  device %d %s: %s\n    why: %s\n", r.DeviceID, r.DeviceName, statusText(&r.DeviceVulnerability), r.Reason)
				if len(rs) > 1 {
					var cves []string
					for _, x := range rs {
						cves = append(cves, x.CVE+" "+statusText(&x.DeviceVulnerability))
					}
					fmt.Fprintf(a.out, "    vulnerabilities: %s\n", strings.Join(cves, "; "))
				}
				if r.FixedIn != "" {
					fmt.Fprintf(a.out, "    fixed in: %s\n", r.FixedIn)
				}
				seen := map[string]bool{}
				for _, x := range rs {
					for _, rem := range x.Remediations {
						line := strings.ReplaceAll(string(rem.Category), "_", " ") + ": " + oneLine(rem.Details, 300)
						if !seen[line] {
							seen[line] = true
							fmt.Fprintf(a.out, "    %s\n", line)
						}
					}
				}
			}
			return nil
		},
	})
	return cmd
}

func day(t interface{ IsZero() bool }) string {
	type formatter interface{ Format(string) string }
	if t.IsZero() {
		return "-"
	}
	return t.(formatter).Format("2006-01-02")
}

// statusText says a status the way people read it: "risk accepted by ann
// until 2027-01-01", "not affected (component_not_present)".
func statusText(v *domain.DeviceVulnerability) string {
	s := strings.ReplaceAll(string(v.Status), "_", " ")
	switch v.Status {
	case domain.VulnRiskAccepted:
		s += " by " + v.DecidedBy + " until " + v.Until.String()
	case domain.VulnMitigated:
		s += " by " + v.DecidedBy
	case domain.VulnFixed:
		if v.FixedIn != "" {
			s += " in " + v.FixedIn
		}
	}
	if v.Justification != "" {
		s += " (" + v.Justification + ")"
	}
	return s
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
