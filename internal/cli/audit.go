package cli

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/audit"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/postgres"
)

func (a *app) auditCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Read and verify the tamper-evident audit trail"}
	cmd.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "Recompute the audit trail's hash chain and report the first tampered, inserted or removed event",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			r, err := audit.Verify(actorCtx(cmd.Context()), st)
			if err != nil {
				return err
			}
			if a.json {
				if err := a.printJSON(r); err != nil {
					return err
				}
			} else if r.OK {
				fmt.Fprintf(a.out, "Audit trail intact: %d events, chain head %s.\n", r.Events, short(r.Head))
			}
			if !r.OK {
				return domain.Errorf(domain.CodeConflict, "audit trail broken at event %d: %s", r.BrokeAt, r.Reason)
			}
			return nil
		},
	})
	var f domain.AuditFilter
	var since string
	list := &cobra.Command{
		Use: "list", Short: "List the practice's audit events, oldest first", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			if since != "" {
				d, err := domain.ParseDate(since, domain.MonthFirst)
				if err != nil {
					return usagef("--since: %s", domain.ErrorMessage(err))
				}
				f.Since = d.Time()
			}
			events, err := st.FindAuditEvents(ctx, f)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(nonNil(events))
			}
			t := newTable(a.out, "ID", "WHEN (UTC)", "WHO", "ACTION", "OBJECT")
			for _, e := range events {
				t.row(strconv.FormatInt(e.ID, 10), e.At.Format(time.DateTime), e.Actor.String(), e.Action, fmt.Sprintf("%s %d %s", e.ObjectType, e.ObjectID, e.Label))
			}
			return t.flush()
		},
	}
	list.Flags().StringVar(&f.ObjectType, "type", "", "only objects of this type (device, site, vendor…)")
	list.Flags().Int64Var(&f.ObjectID, "object", 0, "only this object id")
	list.Flags().StringVar(&f.Action, "action", "", "only this action (device.update…)")
	list.Flags().StringVar(&since, "since", "", "only events on or after this date")
	list.Flags().IntVar(&f.Limit, "limit", 0, "at most N events")
	cmd.AddCommand(list)
	return cmd
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func (a *app) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date (vigil also does this whenever it opens the database)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			if err := st.Ping(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "The %s database is up to date.\n", st.Engine())
			return nil
		},
	}
}

func (a *app) configCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Show the effective configuration"}
	cmd.AddCommand(&cobra.Command{
		Use: "show", Short: "Print the effective settings (secrets hidden)", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, l := range a.cfg.Redacted() {
				fmt.Fprintln(a.out, l)
			}
			fmt.Fprintf(a.out, "# database in use: %s\n", postgres.Redact(a.cfg.DatabaseURL()))
			return nil
		},
	})
	return cmd
}
