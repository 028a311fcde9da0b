package cli

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel"
	"github.com/vigil-med/vigil/internal/intel/cvss"
)

func (a *app) vulnsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "vulns", Aliases: []string{"vuln", "vulnerabilities"}, Short: "The practice's device vulnerabilities and decisions about them"}
	var device string
	var kev bool
	var statuses []string
	list := &cobra.Command{
		Use: "list", Short: "List device vulnerabilities, KEV and most severe first", Args: exactArgs(0, "no arguments"),
		Example: "  vigil vulns list --kev\n  vigil vulns list --device MX40-0012 --status affected,possibly_affected --json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			f := domain.VulnFilter{KEV: kev}
			for _, s := range statuses {
				st := domain.VulnStatus(strings.TrimSpace(s))
				if !slices.Contains(vulnStatuses, st) {
					return usagef("--status %q: use %s", s, statusList())
				}
				f.Statuses = append(f.Statuses, st)
			}
			if device != "" {
				d, err := st.FindDevice(ctx, device)
				if err != nil {
					return err
				}
				f.DeviceID = d.ID
			}
			rows, err := st.FindVulnerabilities(ctx, f)
			if err != nil {
				return err
			}
			if f.DeviceID != 0 {
				d, err := st.FindDeviceByID(ctx, f.DeviceID)
				if err != nil {
					return err
				}
				if err := intel.ApplyRubric(ctx, st, d.ModelID, rows); err != nil {
					return err
				}
			}
			if a.json {
				return a.printJSON(nonNil(rows))
			}
			t := newTable(a.out, "DEVICE", "ADVISORY", "CVE", "STATUS", "SCORE", "KEV DUE", "EPSS", "REASON")
			for _, r := range rows {
				due, epss := "", ""
				if r.KEV != nil {
					due = r.KEV.DueDate.String()
				}
				if r.EPSS != nil {
					epss = fmt.Sprintf("%.3f (%.0f%%)", r.EPSS.Probability, r.EPSS.Percentile*100)
				}
				score := strconv.FormatFloat(r.MaxScore, 'f', 1, 64)
				if r.Environmental != nil {
					score += fmt.Sprintf(" (rubric %.1f)", r.Environmental.Base)
				}
				t.row(strconv.FormatInt(r.DeviceID, 10)+" "+r.DeviceName, r.AdvisoryID, r.CVE, statusText(&r.DeviceVulnerability),
					score, due, epss, oneLine(r.Reason, 100))
			}
			return t.flush()
		},
	}
	list.Flags().StringVar(&device, "device", "", "only this device (id, asset tag, serial or MAC)")
	list.Flags().BoolVar(&kev, "kev", false, "only vulnerabilities on CISA's Known Exploited Vulnerabilities catalogue")
	list.Flags().StringSliceVar(&statuses, "status", nil, "only these statuses: "+statusList())
	cmd.AddCommand(list)

	var status, reason, until string
	set := &cobra.Command{
		Use:   "set DEVICE CVE|ADVISORY",
		Short: "Record a decision: mitigated, or risk accepted until a date (audited)",
		Example: "  vigil vulns set MX40-0012 CVE-2023-1234 --status mitigated --reason \"on the isolated monitoring VLAN\"\n" +
			"  vigil vulns set 17 ICSMA-23-103-01 --status risk_accepted --reason \"replacement ordered\" --until 2027-03-31\n" +
			"  vigil vulns set 17 CVE-2023-1234 --status matched   # undo: back to what matching says",
		Args: exactArgs(2, "a DEVICE and a CVE or advisory id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			d, err := st.FindDevice(ctx, args[0])
			if err != nil {
				return err
			}
			dec := domain.VulnDecision{DeviceID: d.ID, Reason: reason}
			switch status {
			case "matched", "":
			case string(domain.VulnMitigated), string(domain.VulnRiskAccepted):
				dec.Status = domain.VulnStatus(status)
			default:
				return usagef("--status must be mitigated, risk_accepted or matched, not %q", status)
			}
			if until != "" {
				if dec.Until, err = domain.ParseDate(until, domain.MonthFirst); err != nil {
					return usagef("--until: %s", domain.ErrorMessage(err))
				}
			}
			ref := strings.ToUpper(args[1])
			f := domain.VulnFilter{DeviceID: d.ID, CVE: ref}
			if !strings.HasPrefix(ref, "CVE-") {
				f = domain.VulnFilter{DeviceID: d.ID, AdvisoryID: args[1]}
			}
			rows, err := st.FindVulnerabilities(ctx, f)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				return domain.Errorf(domain.CodeNotFound, "device %s has no vulnerability %s", args[0], args[1])
			}
			var done []*domain.DeviceVulnerability
			for _, r := range rows {
				dec.AdvisoryID, dec.CVE = r.AdvisoryID, r.CVE
				v, err := st.DecideVulnerability(ctx, dec)
				if err != nil {
					return err
				}
				done = append(done, v)
			}
			if a.json {
				return a.printJSON(done)
			}
			for _, v := range done {
				fmt.Fprintf(a.out, "Device %d, %s: %s.\n", v.DeviceID, strings.TrimSpace(v.AdvisoryID+" "+v.CVE), statusText(v))
			}
			return nil
		},
	}
	set.Flags().StringVar(&status, "status", "", "mitigated, risk_accepted, or matched to undo a decision")
	set.Flags().StringVar(&reason, "reason", "", "why (required for mitigated and risk_accepted)")
	set.Flags().StringVar(&until, "until", "", "risk accepted until this date (YYYY-MM-DD)")
	cmd.AddCommand(set)
	return cmd
}

var vulnStatuses = []domain.VulnStatus{domain.VulnAffected, domain.VulnPossiblyAffected, domain.VulnNotAffected, domain.VulnFixed, domain.VulnMitigated, domain.VulnRiskAccepted}

func statusList() string {
	var s []string
	for _, v := range vulnStatuses {
		s = append(s, string(v))
	}
	return strings.Join(s, ", ")
}

func (a *app) sbomCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "sbom", Short: "Software bills of materials of models and devices"}
	var model, device string
	attach := &cobra.Command{
		Use:   "attach (--model MANUFACTURER/MODEL | --device DEVICE) FILE",
		Short: "Attach a CycloneDX or SPDX SBOM to a model (every device of it) or one device, then re-match",
		Example: "  vigil sbom attach --model \"Philips/IntelliVue MX40\" mx40-sbom.cdx.json\n" +
			"  vigil sbom attach --device MX40-0012 bom.spdx",
		Args: exactArgs(1, "an SBOM FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (model == "") == (device == "") {
				return usagef("give either --model or --device")
			}
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return domain.Errorf(domain.CodeInvalid, "cannot read %s: %v", args[0], err)
			}
			defer f.Close()
			doc, err := intel.ReadDocument(args[0], f)
			if err != nil {
				return err
			}
			if doc.SBOM == nil {
				return domain.Errorf(domain.CodeInvalid, "%s is not an SBOM (it holds %s)", args[0], doc.Count())
			}
			var modelID, deviceID int64
			if device != "" {
				d, err := st.FindDevice(ctx, device)
				if err != nil {
					return err
				}
				deviceID = d.ID
			} else {
				man, mod, ok := strings.Cut(model, "/")
				if !ok {
					return usagef("--model is MANUFACTURER/MODEL")
				}
				m, err := st.FindModel(ctx, man, mod)
				if err != nil {
					return err
				}
				modelID = m.ID
			}
			id, err := st.AttachSBOM(ctx, modelID, deviceID, doc.SBOM)
			if err != nil {
				return err
			}
			m, err := intel.Load(ctx, st)
			if err != nil {
				return err
			}
			res, err := intel.Rematch(ctx, st, m)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Attached SBOM %d (%s); %d %s newly affected.\n", id, doc.Count(), res.NewlyAffected, plural(res.NewlyAffected, "device", "devices"))
			return nil
		},
	}
	attach.Flags().StringVar(&model, "model", "", "MANUFACTURER/MODEL the SBOM describes")
	attach.Flags().StringVar(&device, "device", "", "the device the SBOM describes")
	cmd.AddCommand(attach)
	return cmd
}

func (a *app) rubricCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "rubric", Short: "The medical-device CVSS rubric: a model's answers set the environmental metrics"}
	cmd.AddCommand(&cobra.Command{
		Use: "questions", Short: "List the questions and their allowed answers", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.json {
				return a.printJSON(cvss.Questions)
			}
			for _, q := range cvss.Questions {
				fmt.Fprintf(a.out, "%-10s %s [%s]\n", q.ID, q.Text, strings.Join(q.Answers, "|"))
				if q.Help != "" {
					fmt.Fprintf(a.out, "           %s\n", q.Help)
				}
			}
			return nil
		},
	})
	var answers []string
	set := &cobra.Command{
		Use:   "set MANUFACTURER/MODEL --answer ID=VALUE...",
		Short: "Answer rubric questions for a model (see `vigil rubric questions`)",
		Example: "  vigil rubric set \"Baxter/Sigma Spectrum\" --answer reach=segment --answer therapy=yes --answer phi=no \\\n" +
			"      --answer diagnosis=no --answer workflow=yes --answer secrets=yes",
		Args: exactArgs(1, "MANUFACTURER/MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, err := a.optionalTenantCtx(cmd)
			if err != nil {
				return err
			}
			man, mod, ok := strings.Cut(args[0], "/")
			if !ok {
				return usagef("the model is MANUFACTURER/MODEL")
			}
			m, err := st.FindModel(ctx, man, mod)
			if err != nil {
				return err
			}
			r := cvss.Rubric{}
			if old, err := st.FindRubric(ctx, m.ID); err == nil {
				r = old.Answers
			}
			for _, kv := range answers {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return usagef("--answer %q: write ID=VALUE", kv)
				}
				r[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
			if err := r.Validate(); err != nil {
				return err
			}
			_, why := r.Metrics()
			rec := &domain.RubricRecord{ModelID: m.ID, Answers: r, Reasons: why}
			if err := st.SaveRubric(actorCtx(ctx), rec); err != nil {
				return err
			}
			return a.printRubric(rec)
		},
	}
	set.Flags().StringArrayVar(&answers, "answer", nil, "ID=VALUE (repeat)")
	cmd.AddCommand(set)
	cmd.AddCommand(&cobra.Command{
		Use: "show MANUFACTURER/MODEL", Short: "Show a model's answers and the metrics they set", Args: exactArgs(1, "MANUFACTURER/MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, err := a.optionalTenantCtx(cmd)
			if err != nil {
				return err
			}
			man, mod, ok := strings.Cut(args[0], "/")
			if !ok {
				return usagef("the model is MANUFACTURER/MODEL")
			}
			m, err := st.FindModel(ctx, man, mod)
			if err != nil {
				return err
			}
			rec, err := st.FindRubric(ctx, m.ID)
			if err != nil {
				return err
			}
			return a.printRubric(rec)
		},
	})
	return cmd
}

func (a *app) printRubric(rec *domain.RubricRecord) error {
	if a.json {
		return a.printJSON(rec)
	}
	for _, q := range cvss.Questions {
		ans := rec.Answers[q.ID]
		if ans == "" {
			ans = "(not answered)"
		}
		fmt.Fprintf(a.out, "%-10s %-16s %s\n", q.ID, ans, q.Text)
	}
	fmt.Fprintln(a.out, "\nEnvironmental metrics:")
	for _, r := range rec.Reasons {
		fmt.Fprintf(a.out, "  %s:%s  %s\n", r.Metric, r.Value, r.Why)
	}
	return nil
}
