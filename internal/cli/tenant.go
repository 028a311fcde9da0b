package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
)

func (a *app) tenantCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "tenant", Aliases: []string{"tenants", "practice"}, Short: "Manage practices (tenants): one Vigil holds many"}
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "List practices", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			all, err := st.FindTenants(actorCtx(cmd.Context()))
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(all))
			}
			t := newTable(a.out, "ID", "SHORT NAME", "NAME")
			for _, x := range all {
				t.row(strconv.FormatInt(x.ID, 10), x.Slug, x.Name)
			}
			return t.flush()
		},
	})
	var slug string
	add := &cobra.Command{
		Use: "add NAME", Short: "Add a practice", Example: `  vigil tenant add "Lakeside Family Medicine"`,
		Args: exactArgs(1, "the practice's NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			t := &domain.Tenant{Name: args[0], Slug: slug}
			if err := st.CreateTenant(actorCtx(cmd.Context()), t); err != nil {
				return err
			}
			if a.json {
				return a.printJSON(t)
			}
			fmt.Fprintf(a.out, "Added practice %q (id %d, short name %s). Add its sites with `vigil site add NAME --tenant %s`.\n", t.Name, t.ID, t.Slug, t.Slug)
			return nil
		},
	}
	add.Flags().StringVar(&slug, "slug", "", "short name used on the command line (default: derived from NAME)")
	cmd.AddCommand(add)
	cmd.AddCommand(&cobra.Command{
		Use: "show REF", Short: "Show a practice", Args: exactArgs(1, "a practice id, short name or name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, t, err := a.findTenant(cmd, args[0])
			if err != nil {
				return err
			}
			n, err := st.CountDevices(domain.WithTenant(ctx, t.ID))
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(map[string]any{"tenant": t, "devices": n})
			}
			fmt.Fprintf(a.out, "ID:          %d\nShort name:  %s\nName:        %s\nDevices:     %d\nCreated:     %s\n", t.ID, t.Slug, t.Name, n, t.CreatedAt.Format("2006-01-02 15:04 MST"))
			return nil
		},
	})
	var newSlug string
	rename := &cobra.Command{
		Use: "rename REF NAME", Short: "Rename a practice", Args: exactArgs(2, "a practice and its new NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, t, err := a.findTenant(cmd, args[0])
			if err != nil {
				return err
			}
			t.Name = args[1]
			if newSlug != "" {
				t.Slug = newSlug
			}
			if err := st.UpdateTenant(ctx, t); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Renamed practice %d to %q (%s).\n", t.ID, t.Name, t.Slug)
			return nil
		},
	}
	rename.Flags().StringVar(&newSlug, "slug", "", "new short name")
	cmd.AddCommand(rename)
	cmd.AddCommand(&cobra.Command{
		Use: "rm REF", Short: "Remove a practice that has no devices", Args: exactArgs(1, "a practice id, short name or name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, st, t, err := a.findTenant(cmd, args[0])
			if err != nil {
				return err
			}
			if err := st.DeleteTenant(ctx, t.ID); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Removed practice %q.\n", t.Name)
			return nil
		},
	})
	return cmd
}

// nonNil turns a nil slice into an empty one so JSON shows [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
