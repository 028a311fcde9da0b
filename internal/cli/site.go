package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
)

func (a *app) siteCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "site", Aliases: []string{"sites"}, Short: "Manage a practice's sites (locations and their networks)"}
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "List the practice's sites", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			all, err := st.FindSites(ctx)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(all))
			}
			t := newTable(a.out, "ID", "SHORT NAME", "NAME", "TIME ZONE", "ADDRESS")
			for _, x := range all {
				t.row(strconv.FormatInt(x.ID, 10), x.Slug, x.Name, x.TimeZone, x.Address)
			}
			return t.flush()
		},
	})
	var s domain.Site
	add := &cobra.Command{
		Use: "add NAME", Short: "Add a site to the practice", Example: `  vigil site add "Main Clinic" --timezone America/Chicago`,
		Args: exactArgs(1, "the site's NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, t, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			s.Name = args[0]
			if err := st.CreateSite(ctx, &s); err != nil {
				return err
			}
			if a.json {
				return a.printJSON(s)
			}
			fmt.Fprintf(a.out, "Added site %q (short name %s) to %s.\n", s.Name, s.Slug, t.Name)
			return nil
		},
	}
	add.Flags().StringVar(&s.Slug, "slug", "", "short name (default: derived from NAME)")
	add.Flags().StringVar(&s.Address, "address", "", "street address")
	add.Flags().StringVar(&s.TimeZone, "timezone", "", "IANA time zone, e.g. America/New_York")
	cmd.AddCommand(add)
	var e domain.Site
	edit := &cobra.Command{
		Use: "edit REF", Short: "Change a site", Args: exactArgs(1, "a site id, short name or name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, x, err := a.findSite(cmd, args[0])
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			if fl.Changed("name") {
				x.Name = e.Name
			}
			if fl.Changed("slug") {
				x.Slug = e.Slug
			}
			if fl.Changed("address") {
				x.Address = e.Address
			}
			if fl.Changed("timezone") {
				x.TimeZone = e.TimeZone
			}
			if err := st.UpdateSite(ctx, x); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Updated site %q.\n", x.Name)
			return nil
		},
	}
	edit.Flags().StringVar(&e.Name, "name", "", "new name")
	edit.Flags().StringVar(&e.Slug, "slug", "", "new short name")
	edit.Flags().StringVar(&e.Address, "address", "", "street address")
	edit.Flags().StringVar(&e.TimeZone, "timezone", "", "IANA time zone")
	cmd.AddCommand(edit)
	cmd.AddCommand(&cobra.Command{
		Use: "rm REF", Short: "Remove a site that has no devices", Args: exactArgs(1, "a site id, short name or name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, x, err := a.findSite(cmd, args[0])
			if err != nil {
				return err
			}
			if err := st.DeleteSite(ctx, x.ID); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Removed site %q.\n", x.Name)
			return nil
		},
	})
	return cmd
}
