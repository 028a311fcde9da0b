package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func (a *app) tokenCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage REST API tokens: provider-wide, or for one practice with --tenant",
		Long: `Manage bearer tokens for the REST API (/api/v1; see docs/api.md). A token acts
with one role. Without --tenant a token is provider-wide and names the practice
of each request with ?tenant=; with --tenant it reaches that practice only.
The token is printed once, when it is created; Vigil keeps only its hash.`,
	}
	var role, expires string
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a token and print it once",
		Example: `  vigil token create cmms-sync --role technician --tenant lakeside --expires 90d
  vigil token create nightly-report --role auditor`,
		Args: exactArgs(1, "the token's NAME (what uses it)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := domain.ParseRole(role)
			if err != nil {
				return usagef("--role: %s", domain.ErrorMessage(err))
			}
			life, err := parseLifetime(expires)
			if err != nil {
				return err
			}
			ctx, st, err := a.userScope(cmd)
			if err != nil {
				return err
			}
			tid, _ := domain.TenantFrom(ctx)
			token, hash, err := auth.NewAPIToken()
			if err != nil {
				return err
			}
			t := &domain.APIToken{Name: args[0], Role: r, TenantID: tid, TokenHash: hash}
			if life > 0 {
				t.ExpiresAt = domain.Now(ctx).Add(life)
			}
			if err := st.CreateToken(ctx, t); err != nil {
				return err
			}
			if a.json {
				out := tokenJSON(t)
				out["token"] = token
				return a.printJSON(out)
			}
			fmt.Fprintf(a.out, "Created token %d %q (%s, %s, expires: %s).\n", t.ID, t.Name, t.Role, tokenScope(ctx, st, t), tokenExpiry(t))
			fmt.Fprintf(a.out, "Token (shown once; send it as \"Authorization: Bearer …\"):\n\n    %s\n\n", token)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", "", "provider-admin, practice-admin, technician, viewer or auditor (required)")
	create.Flags().StringVar(&expires, "expires", "", "lifetime, e.g. 90d, 2w or 12h (default: never expires)")
	cmd.AddCommand(create)
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "List tokens (never the tokens themselves), revoked ones included", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, err := a.userScope(cmd)
			if err != nil {
				return err
			}
			all, err := st.FindTokens(ctx)
			if err != nil {
				return err
			}
			if a.json {
				out := make([]map[string]any, len(all))
				for i, t := range all {
					out[i] = tokenJSON(t)
				}
				return a.printJSON(out)
			}
			tab := newTable(a.out, "ID", "NAME", "ROLE", "SCOPE", "CREATED (UTC)", "EXPIRES", "LAST USED", "STATE")
			for _, t := range all {
				state := "active"
				switch {
				case t.Revoked:
					state = "revoked"
				case !t.Active(time.Now()):
					state = "expired"
				}
				used := "never"
				if !t.LastUsedAt.IsZero() {
					used = t.LastUsedAt.Format(time.DateTime)
				}
				tab.row(strconv.FormatInt(t.ID, 10), t.Name, string(t.Role), tokenScope(ctx, st, t), t.CreatedAt.Format(time.DateTime), tokenExpiry(t), used, state)
			}
			return tab.flush()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use: "revoke ID", Short: "Revoke a token for good", Args: exactArgs(1, "the token's ID (see vigil token list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usagef("token ID %q is not a number; see vigil token list", args[0])
			}
			ctx, st, err := a.userScope(cmd)
			if err != nil {
				return err
			}
			if err := st.RevokeToken(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Revoked token %d.\n", id)
			return nil
		},
	})
	return cmd
}

// parseLifetime reads a token lifetime: "" (never), Nd, Nw, or a Go
// duration such as 12h.
func parseLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "never" {
		return 0, nil
	}
	var d time.Duration
	var err error
	if unit := s[len(s)-1]; unit == 'd' || unit == 'w' {
		n, perr := strconv.Atoi(s[:len(s)-1])
		err = perr
		d = time.Duration(n) * 24 * time.Hour
		if unit == 'w' {
			d *= 7
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 || d > 100*365*24*time.Hour {
		return 0, usagef("--expires %q is not a lifetime such as 90d, 2w or 12h", s)
	}
	return d, nil
}

// tokenScope names the practice a token reaches, or "provider-wide".
func tokenScope(ctx context.Context, st store.Store, t *domain.APIToken) string {
	if t.TenantID == 0 {
		return "provider-wide"
	}
	if tn, err := st.FindTenant(ctx, strconv.FormatInt(t.TenantID, 10)); err == nil {
		return "practice " + tn.Slug
	}
	return "practice " + strconv.FormatInt(t.TenantID, 10)
}

// tokenExpiry is when a token expires, or "never".
func tokenExpiry(t *domain.APIToken) string {
	if t.ExpiresAt.IsZero() {
		return "never"
	}
	return t.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
}

// tokenJSON is a token as --json prints it: never the hash.
func tokenJSON(t *domain.APIToken) map[string]any {
	m := t.Audited()
	m["created_at"] = t.CreatedAt
	if !t.LastUsedAt.IsZero() {
		m["last_used_at"] = t.LastUsedAt
	}
	return m
}
