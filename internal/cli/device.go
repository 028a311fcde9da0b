package cli

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
)

func flagName(f domain.Field) string { return strings.ReplaceAll(string(f), "_", "-") }

// fieldFlags registers one string flag per editable device field.
func fieldFlags(cmd *cobra.Command) map[domain.Field]*string {
	vals := map[domain.Field]*string{}
	for _, fi := range domain.DeviceFields() {
		if fi.Field == domain.FieldID {
			continue
		}
		help := fi.Label + ": " + fi.Help
		if fi.List {
			help += " (several: separate with ;)"
		}
		vals[fi.Field] = cmd.Flags().String(flagName(fi.Field), "", help)
	}
	return vals
}

// changedFields returns the field values whose flags were given.
func changedFields(cmd *cobra.Command, vals map[domain.Field]*string) map[domain.Field]string {
	set := map[domain.Field]string{}
	for f, v := range vals {
		if cmd.Flags().Changed(flagName(f)) {
			set[f] = *v
		}
	}
	return set
}

func (a *app) deviceCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "device", Aliases: []string{"devices"}, Short: "List, show, add, edit and remove devices of a practice"}
	cmd.AddCommand(a.deviceListCommand(), a.deviceShowCommand(), a.deviceAddCommand(), a.deviceEditCommand(), a.deviceRmCommand())
	return cmd
}

func (a *app) deviceListCommand() *cobra.Command {
	var f domain.DeviceFilter
	var cat, crit string
	var unreviewed bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List devices, filtered and searched",
		Long: `List the practice's devices. Output streams, so a large inventory starts printing
at once and memory stays small. --json prints a JSON array in the inventory
format (see docs/inventory-format.md).`,
		Example: `  vigil device list --category infusion --site main-clinic
  vigil device list -q "intellivue" --json
  vigil device list --manufacturer "GE Medical Systems" --sort -updated --limit 20`,
		Args: exactArgs(0, "no arguments (use -q for free-text search)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if f.Category, err = domain.ParseCategory(cat); err != nil {
				return usagef("--category: %s", domain.ErrorMessage(err))
			}
			if f.Criticality, err = domain.ParseCriticality(crit); err != nil {
				return usagef("--criticality: %s", domain.ErrorMessage(err))
			}
			if unreviewed {
				f.Review = domain.Unreviewed
			}
			if !validSort(f.Sort) {
				return usagef("--sort %q is not one of: %s", f.Sort, strings.Join(domain.DeviceSorts, ", "))
			}
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			if a.json {
				w := newDeviceJSONWriter(a.out)
				if err := st.EachDevice(ctx, f, w.Write); err != nil {
					return err
				}
				return w.Close()
			}
			p := newDeviceLister(a.out)
			if err := st.EachDevice(ctx, f, p.row); err != nil {
				return err
			}
			return p.done()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cat, "category", "", "only this category ("+strings.Join(categoryNames(), ", ")+")")
	fl.StringVar(&f.Site, "site", "", "only devices at this site")
	fl.StringVar(&f.Manufacturer, "manufacturer", "", "only this manufacturer (aliases are understood)")
	fl.StringVar(&crit, "criticality", "", "only this clinical criticality")
	fl.BoolVar(&unreviewed, "unreviewed", false, "only devices nobody has reviewed yet")
	fl.StringVarP(&f.Query, "search", "q", "", "free text: name, tag, serial, model, MAC, IP, hostname…")
	fl.StringVar(&f.Sort, "sort", "name", "order: "+strings.Join(domain.DeviceSorts, ", "))
	fl.IntVar(&f.Limit, "limit", 0, "print at most N devices (default all)")
	fl.IntVar(&f.Offset, "offset", 0, "skip the first N devices")
	return cmd
}

func validSort(s string) bool {
	for _, x := range domain.DeviceSorts {
		if x == s {
			return true
		}
	}
	return false
}

func categoryNames() []string {
	var out []string
	for _, c := range domain.Categories() {
		out = append(out, string(c))
	}
	return out
}

// deviceLister prints devices as fixed-width rows as they stream in
// (tabwriter would hold the whole list in memory to align it).
type deviceLister struct {
	w interface{ Write([]byte) (int, error) }
	n int
}

var listCols = []struct {
	title string
	width int
	get   func(d *domain.Device) string
}{
	{"ID", 7, func(d *domain.Device) string { return strconv.FormatInt(d.ID, 10) }},
	{"NAME", 30, func(d *domain.Device) string { return d.Label() }},
	{"CATEGORY", 18, func(d *domain.Device) string { return string(d.Category) }},
	{"MANUFACTURER", 20, func(d *domain.Device) string { return d.Manufacturer }},
	{"MODEL", 22, func(d *domain.Device) string { return d.Model }},
	{"SITE", 16, func(d *domain.Device) string { return d.Site }},
	{"IP", 16, func(d *domain.Device) string { return first(d.IPs) }},
	{"SERIAL", 0, func(d *domain.Device) string { return d.Serial }},
}

func newDeviceLister(w interface{ Write([]byte) (int, error) }) *deviceLister {
	l := &deviceLister{w: w}
	var b strings.Builder
	for _, c := range listCols {
		b.WriteString(pad(c.title, c.width))
	}
	fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	return l
}

func (l *deviceLister) row(d *domain.Device) error {
	var b strings.Builder
	for _, c := range listCols {
		b.WriteString(pad(c.get(d), c.width))
	}
	l.n++
	_, err := fmt.Fprintln(l.w, strings.TrimRight(b.String(), " "))
	return err
}

func (l *deviceLister) done() error {
	_, err := fmt.Fprintf(l.w, "%d devices\n", l.n)
	return err
}

// pad truncates or pads s to width runes plus a two-space gutter; width 0
// means the last, unpadded column.
func pad(s string, width int) string {
	s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	if width == 0 {
		return s
	}
	n := utf8.RuneCountInString(s)
	if n > width {
		r := []rune(s)
		return string(r[:width-1]) + "…  "
	}
	return s + strings.Repeat(" ", width-n+2)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	if len(s) > 1 {
		return s[0] + "+"
	}
	return s[0]
}

func (a *app) deviceShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show REF",
		Short: "Show every attribute of a device, where each value came from, and its history",
		Long: `Show one device. REF is its Vigil id, asset tag, serial number or MAC address;
prefix it with id:, tag:, serial: or mac: when it could mean several.`,
		Args: exactArgs(1, "a device id, asset tag, serial number or MAC"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, d, err := a.findDevice(cmd, args[0])
			if err != nil {
				return err
			}
			history, err := st.FindAuditEvents(ctx, domain.AuditFilter{ObjectType: "device", ObjectID: d.ID})
			if err != nil {
				return err
			}
			if a.json {
				prov := map[domain.Field]domain.Source{}
				for _, fi := range domain.DeviceFields() {
					if src, ok := d.Provenance.Of(fi.Field); ok {
						prov[fi.Field] = src
					}
				}
				return a.printJSON(map[string]any{"device": d.Values(), "provenance": prov, "version": d.Version,
					"created_at": d.CreatedAt, "updated_at": d.UpdatedAt, "history": nonNil(history)})
			}
			fmt.Fprintf(a.out, "Device %d: %s\n\n", d.ID, d.Label())
			t := newTable(a.out, "ATTRIBUTE", "VALUE", "WHERE IT CAME FROM")
			for _, fi := range domain.DeviceFields() {
				if fi.Field == domain.FieldID {
					continue
				}
				from := ""
				if src, ok := d.Provenance.Of(fi.Field); ok {
					from = src.Describe()
				}
				v := d.Get(fi.Field)
				if v == "" {
					v = "—"
				}
				t.row(fi.Label, v, from)
			}
			if err := t.flush(); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "\nHistory (%d changes):\n", len(history))
			for _, e := range history {
				fmt.Fprintf(a.out, "  %s  %-14s by %s%s\n", e.At.Format("2006-01-02 15:04"), e.Action, e.Actor, summarizeChange(e))
			}
			return nil
		},
	}
}

// summarizeChange renders an update's fields as " — firmware: A.01 → A.02".
func summarizeChange(e *domain.AuditEvent) string {
	if e.Action != "device.update" {
		return ""
	}
	var before, after map[string]string
	_ = jsonUnmarshal(e.Before, &before)
	_ = jsonUnmarshal(e.After, &after)
	keys := make([]string, 0, len(after))
	for k := range after {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %q → %q", k, before[k], after[k])
	}
	return " — " + strings.Join(parts, ", ")
}

func (a *app) deviceAddCommand() *cobra.Command {
	var vals map[domain.Field]*string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a device by hand",
		Long: `Add a device. Give at least a name, asset tag, serial number or MAC address.
Values are checked and normalised: manufacturers through the alias table,
categories and other choices through their synonyms, MACs to aa:bb:cc:dd:ee:ff.`,
		Example: `  vigil device add --serial SN1234 --asset-tag A-100 --manufacturer "GE Healthcare" \
      --model "CARESCAPE B650" --category monitor --site main --ip 10.20.0.14 --macs 00:09:fb:01:02:03`,
		Args: exactArgs(0, "only flags"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			set := changedFields(cmd, vals)
			if len(set) == 0 {
				return usagef("give the device's attributes as flags, e.g. --serial SN1234 --name \"CT 1\"")
			}
			d := &domain.Device{}
			var problems []domain.Problem
			for f, v := range set {
				if err := d.Set(f, v); err != nil {
					problems = append(problems, domain.Problem{Field: "--" + flagName(f), Message: domain.ErrorMessage(err)})
				}
			}
			if len(problems) > 0 {
				sort.Slice(problems, func(i, j int) bool { return problems[i].Field < problems[j].Field })
				return &domain.Error{Code: domain.CodeInvalid, Message: "the device was not added", Problems: problems}
			}
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			if err := st.CreateDevice(ctx, d, domain.Source{Kind: domain.SourceManual}); err != nil {
				return err
			}
			if a.json {
				return a.printJSON(d.Values())
			}
			fmt.Fprintf(a.out, "Added device %d: %s.\n", d.ID, d.Label())
			return nil
		},
	}
	vals = fieldFlags(cmd)
	cmd.Flags().Lookup("ips").Shorthand = ""
	return cmd
}

func (a *app) deviceEditCommand() *cobra.Command {
	var vals map[domain.Field]*string
	cmd := &cobra.Command{
		Use:   "edit REF",
		Short: "Change attributes of a device",
		Long: `Change a device's attributes; only the flags you give are changed, and each
change is recorded in the device's history and the audit trail. A list flag
(--macs, --ips, --hostnames, --vlans, --admins) replaces the whole list; an
empty value clears an attribute.`,
		Example: `  vigil device edit A-100 --firmware "A.02.13" --location "Room 204"
  vigil device edit serial:SN1234 --admins "Jane Doe; GE field service"`,
		Args: exactArgs(1, "a device id, asset tag, serial number or MAC"),
		RunE: func(cmd *cobra.Command, args []string) error {
			set := changedFields(cmd, vals)
			if len(set) == 0 {
				return usagef("give the attributes to change as flags, e.g. --firmware A.02")
			}
			ctx, st, d, err := a.findDevice(cmd, args[0])
			if err != nil {
				return err
			}
			d, changes, err := st.UpdateDevice(ctx, d.ID, set, domain.Source{Kind: domain.SourceManual})
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(map[string]any{"device": d.Values(), "changes": nonNil(changes)})
			}
			if len(changes) == 0 {
				fmt.Fprintf(a.out, "Device %d already had those values; nothing changed.\n", d.ID)
				return nil
			}
			fmt.Fprintf(a.out, "Updated device %d: %s.\n", d.ID, d.Label())
			for _, c := range changes {
				fmt.Fprintf(a.out, "  %s: %q → %q\n", c.Field, c.Old, c.New)
			}
			return nil
		},
	}
	vals = fieldFlags(cmd)
	return cmd
}

func (a *app) deviceRmCommand() *cobra.Command {
	return &cobra.Command{
		Use: "rm REF", Short: "Remove a device from the inventory (recorded in the audit trail)",
		Args: exactArgs(1, "a device id, asset tag, serial number or MAC"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, d, err := a.findDevice(cmd, args[0])
			if err != nil {
				return err
			}
			if err := st.DeleteDevice(ctx, d.ID); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Removed device %d: %s.\n", d.ID, d.Label())
			return nil
		},
	}
}
