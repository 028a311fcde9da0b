package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func jsonUnmarshal(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}

func (a *app) vendorCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "vendor", Aliases: []string{"vendors", "manufacturer"}, Short: "Manufacturers, their security contacts and name aliases"}
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "List vendors with their device counts in the practice", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, err := a.optionalTenantCtx(cmd)
			if err != nil {
				return err
			}
			all, err := st.FindVendors(ctx)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(all))
			}
			now := time.Now()
			t := newTable(a.out, "ID", "NAME", "DEVICES", "PSIRT CONTACT", "VERIFIED")
			for _, v := range all {
				contact := v.PSIRTEmail
				if contact == "" {
					contact = v.PSIRTURL
				}
				verified := v.ContactVerified.String()
				if v.ContactStale(now) {
					if verified == "" {
						verified = "never"
					}
					verified += " (stale)"
				}
				t.row(strconv.FormatInt(v.ID, 10), v.Name, strconv.Itoa(v.DeviceCount), contact, verified)
			}
			return t.flush()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use: "show REF", Short: "Show a vendor: contacts, aliases, models", Args: exactArgs(1, "a vendor id, name or alias"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, err := a.optionalTenantCtx(cmd)
			if err != nil {
				return err
			}
			v, err := st.FindVendor(ctx, args[0])
			if err != nil {
				return err
			}
			models, err := st.FindModels(ctx, v.ID)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(map[string]any{"vendor": v, "models": nonNil(models)})
			}
			stale := ""
			if v.ContactStale(time.Now()) {
				stale = "  (older than 12 months: verify the contacts)"
			}
			fmt.Fprintf(a.out, "Vendor %d: %s\nWebsite:           %s\nPSIRT e-mail:      %s\nPSIRT page:        %s\nSecurity contact:  %s\nContacts verified: %s%s\n"+
				"Account manager:   %s\nSupport contract:  %s%s\nAdvisory feed:     %s\nDevices:           %d\nAliases:           %s\nNotes:             %s\n",
				v.ID, v.Name, v.Website, v.PSIRTEmail, v.PSIRTURL, v.SecurityContact, v.ContactVerified, stale,
				v.AccountManager, v.SupportContract, untilDate(v.SupportContractEnd), v.AdvisoryFeedURL, v.DeviceCount, strings.Join(v.Aliases, "; "), v.Notes)
			if len(models) > 0 {
				fmt.Fprintln(a.out, "\nModels:")
				t := newTable(a.out, "  MODEL", "CATEGORY", "DEVICES", "END OF SUPPORT")
				for _, m := range models {
					t.row("  "+m.Name, string(m.Category), strconv.Itoa(m.DeviceCount), m.EndOfSupport.String())
				}
				return t.flush()
			}
			return nil
		},
	})
	var nv domain.Vendor
	var verified string
	add := &cobra.Command{
		Use: "add NAME", Short: "Add a vendor", Args: exactArgs(1, "the vendor's NAME"),
		Example: `  vigil vendor add "Acme Medical" --psirt-email psirt@acme.example --verified 2026-11-01`,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			nv.Name = args[0]
			if nv.ContactVerified, err = domain.ParseDate(verified, domain.MonthFirst); err != nil {
				return usagef("--verified: %s", domain.ErrorMessage(err))
			}
			if err := st.CreateVendor(actorCtx(cmd.Context()), &nv); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Added vendor %q (id %d).\n", nv.Name, nv.ID)
			return nil
		},
	}
	vendorFlags(add, &nv, &verified)
	cmd.AddCommand(add)
	var ev domain.Vendor
	var everified, econtractEnd string
	edit := &cobra.Command{
		Use: "edit REF", Short: "Change a vendor's details and security contacts", Args: exactArgs(1, "a vendor id, name or alias"),
		Example: `  vigil vendor edit philips --psirt-url https://www.philips.com/productsecurity --verified today`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, v, err := a.findVendor(cmd, args[0])
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			for flag, pair := range map[string][2]*string{
				"website": {&v.Website, &ev.Website}, "psirt-email": {&v.PSIRTEmail, &ev.PSIRTEmail}, "psirt-url": {&v.PSIRTURL, &ev.PSIRTURL},
				"contact": {&v.SecurityContact, &ev.SecurityContact}, "notes": {&v.Notes, &ev.Notes},
				"account-manager": {&v.AccountManager, &ev.AccountManager}, "contract": {&v.SupportContract, &ev.SupportContract},
				"advisory-feed": {&v.AdvisoryFeedURL, &ev.AdvisoryFeedURL},
			} {
				if fl.Changed(flag) {
					*pair[0] = *pair[1]
				}
			}
			if fl.Changed("verified") {
				if everified == "today" {
					v.ContactVerified = domain.DateOf(time.Now())
				} else if v.ContactVerified, err = domain.ParseDate(everified, domain.MonthFirst); err != nil {
					return usagef("--verified: %s", domain.ErrorMessage(err))
				}
			}
			if fl.Changed("contract-end") {
				if v.SupportContractEnd, err = domain.ParseDate(econtractEnd, domain.MonthFirst); err != nil {
					return usagef("--contract-end: %s", domain.ErrorMessage(err))
				}
			}
			if err := st.UpdateVendor(ctx, v); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Updated vendor %q.\n", v.Name)
			return nil
		},
	}
	vendorFlags(edit, &ev, &everified)
	edit.Flags().StringVar(&econtractEnd, "contract-end", "", "end date of the support contract")
	cmd.AddCommand(edit)
	cmd.AddCommand(a.vendorLifecycleCommands()...)
	cmd.AddCommand(&cobra.Command{
		Use: "alias REF ALIAS", Short: "Make another spelling of a vendor's name resolve to it",
		Example: `  vigil vendor alias "GE HealthCare" "GE Med Sys"`,
		Args:    exactArgs(2, "a vendor and the ALIAS"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, v, err := a.findVendor(cmd, args[0])
			if err != nil {
				return err
			}
			if err := st.AddVendorAlias(ctx, v.ID, args[1]); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "%q now means %s.\n", args[1], v.Name)
			return nil
		},
	})
	return cmd
}

func vendorFlags(cmd *cobra.Command, v *domain.Vendor, verified *string) {
	fl := cmd.Flags()
	fl.StringVar(&v.Website, "website", "", "vendor website")
	fl.StringVar(&v.PSIRTEmail, "psirt-email", "", "product security (PSIRT) e-mail")
	fl.StringVar(&v.PSIRTURL, "psirt-url", "", "product security / advisories page")
	fl.StringVar(&v.SecurityContact, "contact", "", "named security contact, phone…")
	fl.StringVar(verified, "verified", "", "date the contacts were last verified (YYYY-MM-DD or 'today')")
	fl.StringVar(&v.Notes, "notes", "", "notes")
	fl.StringVar(&v.AccountManager, "account-manager", "", "the practice's account manager at the vendor")
	fl.StringVar(&v.SupportContract, "contract", "", "support or service contract (name, number)")
	fl.StringVar(&v.AdvisoryFeedURL, "advisory-feed", "", "CSAF provider metadata or advisory feed URL")
}

// optionalTenantCtx scopes to a practice when one is chosen or there is
// only one; shared objects (vendors, models) need none.
func (a *app) optionalTenantCtx(cmd *cobra.Command) (context.Context, store.Store, error) {
	ctx, s, _, err := a.tenantCtx(cmd.Context())
	if err == nil {
		return ctx, s, nil
	}
	s, err2 := a.store(cmd.Context())
	if err2 != nil {
		return nil, nil, err2
	}
	if a.cfg.Tenant != "" {
		return nil, nil, err
	}
	return actorCtx(cmd.Context()), s, nil
}

func (a *app) modelCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "model", Aliases: []string{"models"}, Short: "The model catalogue: support dates, replacement costs"}
	var vendor string
	list := &cobra.Command{
		Use: "list", Short: "List catalogue models with device counts", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, err := a.optionalTenantCtx(cmd)
			if err != nil {
				return err
			}
			var vid int64
			if vendor != "" {
				v, err := st.FindVendor(ctx, vendor)
				if err != nil {
					return err
				}
				vid = v.ID
			}
			all, err := st.FindModels(ctx, vid)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(all))
			}
			t := newTable(a.out, "MANUFACTURER", "MODEL", "CATEGORY", "DEVICES", "END OF SUPPORT", "REPLACEMENT")
			for _, m := range all {
				t.row(m.Manufacturer, m.Name, string(m.Category), strconv.Itoa(m.DeviceCount), m.EndOfSupport.String(), money(m.ReplacementCostCents, m.Currency))
			}
			return t.flush()
		},
	}
	list.Flags().StringVar(&vendor, "vendor", "", "only this vendor's models")
	cmd.AddCommand(list)
	var m domain.Model
	var cat, eos, eosup, eol, cost string
	set := &cobra.Command{
		Use: "set MANUFACTURER MODEL", Short: "Create or update a catalogue entry",
		Example: `  vigil model set "GE HealthCare" "CARESCAPE B650" --category monitoring --end-of-support 2029-12-31 --replacement-cost 18500`,
		Args:    exactArgs(2, "the MANUFACTURER and the MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			ctx := actorCtx(cmd.Context())
			cur, err := st.FindModel(ctx, args[0], args[1])
			if err == nil {
				m = mergeModel(cmd, cur, m)
			} else if domain.ErrorCode(err) != domain.CodeNotFound {
				return err
			}
			m.Manufacturer, m.Name = args[0], args[1]
			fl := cmd.Flags()
			if fl.Changed("category") {
				if m.Category, err = domain.ParseCategory(cat); err != nil {
					return usagef("--category: %s", domain.ErrorMessage(err))
				}
			}
			for flag, pair := range map[string]struct {
				s *string
				d *domain.Date
			}{"end-of-sale": {&eos, &m.EndOfSale}, "end-of-support": {&eosup, &m.EndOfSupport}, "end-of-life": {&eol, &m.EndOfLife}} {
				if fl.Changed(flag) {
					if *pair.d, err = domain.ParseDate(*pair.s, domain.MonthFirst); err != nil {
						return usagef("--%s: %s", flag, domain.ErrorMessage(err))
					}
				}
			}
			if fl.Changed("replacement-cost") {
				if m.ReplacementCostCents, err = parseMoney(cost); err != nil {
					return usagef("--replacement-cost: %s", domain.ErrorMessage(err))
				}
			}
			if err := st.UpsertModel(ctx, &m); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Saved %s %s (end of support %s, replacement %s).\n", m.Manufacturer, m.Name, orDash(m.EndOfSupport.String()), money(m.ReplacementCostCents, m.Currency))
			return nil
		},
	}
	fl := set.Flags()
	fl.StringVar(&cat, "category", "", "category of the model")
	fl.StringVar(&eos, "end-of-sale", "", "end-of-sale date")
	fl.StringVar(&eosup, "end-of-support", "", "end-of-support date")
	fl.StringVar(&eol, "end-of-life", "", "end-of-life date")
	fl.IntVar(&m.ServiceLifeYears, "service-life", 0, "expected service life in years")
	fl.StringVar(&cost, "replacement-cost", "", "replacement cost, e.g. 18500 or 18,500.00")
	fl.StringVar(&m.Currency, "currency", "", "ISO currency code (default USD)")
	fl.StringVar(&m.Notes, "notes", "", "notes")
	fl.BoolVar(&m.SBOMAvailable, "sbom", false, "the manufacturer supplies an SBOM for this model")
	fl.BoolVar(&m.MDS2Available, "mds2", false, "the manufacturer supplies an MDS2 form for this model")
	cmd.AddCommand(set)
	return cmd
}

// mergeModel keeps the current values of fields whose flags were not given.
func mergeModel(cmd *cobra.Command, cur *domain.Model, given domain.Model) domain.Model {
	out := *cur
	fl := cmd.Flags()
	if fl.Changed("service-life") {
		out.ServiceLifeYears = given.ServiceLifeYears
	}
	if fl.Changed("currency") {
		out.Currency = given.Currency
	}
	if fl.Changed("notes") {
		out.Notes = given.Notes
	}
	if fl.Changed("sbom") {
		out.SBOMAvailable = given.SBOMAvailable
	}
	if fl.Changed("mds2") {
		out.MDS2Available = given.MDS2Available
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// money renders cents as "USD 18,500.00".
func money(cents int64, currency string) string {
	if cents == 0 {
		return ""
	}
	whole, frac := cents/100, cents%100
	s := strconv.FormatInt(whole, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s %s.%02d", currency, b.String(), frac)
}

// parseMoney reads "18500", "18,500.00" or "18500.5" into cents, exactly.
func parseMoney(s string) (int64, error) { return domain.ParseCents(s) }

func untilDate(d domain.Date) string {
	if d.IsZero() {
		return ""
	}
	return " (until " + d.String() + ")"
}
