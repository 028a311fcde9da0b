package cli

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func (a *app) userCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage accounts: the MSP's staff, and each practice's users with --tenant",
		Long: `Manage the people who sign in to Vigil. Without --tenant the commands act on
the provider's (MSP's) own staff; with --tenant on that practice's users.
Roles: provider-admin (MSP administrators), practice-admin (a practice's
administrator), technician (edits devices), viewer (read only), auditor (read
only, plus the audit trail). Only administrators manage users and the list
of people with administrative access to a device.`,
	}
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "List users", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, st, err := a.userScope(cmd)
			if err != nil {
				return err
			}
			all, err := st.FindUsers(ctx)
			if err != nil {
				return err
			}
			if a.json {
				out := make([]map[string]any, len(all))
				for i, u := range all {
					out[i] = u.Audited()
				}
				return a.printJSON(out)
			}
			t := newTable(a.out, "ID", "E-MAIL", "NAME", "ROLE", "STATE")
			for _, u := range all {
				state := "active"
				switch {
				case u.Disabled:
					state = "disabled"
				case u.MustChangePassword:
					state = "must change password"
				}
				t.row(strconv.FormatInt(u.ID, 10), u.Email, u.Name, string(u.Role), state)
			}
			return t.flush()
		},
	})
	var name, role string
	var fromStdin bool
	add := &cobra.Command{
		Use:   "add EMAIL",
		Short: "Add a user; prints a one-time password to change at first sign-in",
		Example: `  vigil user add pat@msp.example --role provider-admin
  vigil user add nurse.lee@lakeside.example --role viewer --tenant lakeside`,
		Args: exactArgs(1, "the user's e-mail address"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := domain.ParseRole(role)
			if err != nil {
				return usagef("--role: %s", domain.ErrorMessage(err))
			}
			ctx, st, err := a.userScope(cmd)
			if err != nil {
				return err
			}
			tid, _ := domain.TenantFrom(ctx)
			u := &domain.User{Email: args[0], Name: name, Role: r, TenantID: tid}
			pw, shown, err := a.newPassword(fromStdin)
			if err != nil {
				return err
			}
			if u.PasswordHash, err = auth.HashPassword(pw); err != nil {
				return err
			}
			u.MustChangePassword = shown
			if err := st.CreateUser(ctx, u); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Added %s (%s).\n", u.Email, u.Role)
			if shown {
				fmt.Fprintf(a.out, "One-time password (shown once; it must be changed at first sign-in): %s\n", pw)
			}
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "the person's name")
	add.Flags().StringVar(&role, "role", "", "provider-admin, practice-admin, technician, viewer or auditor (required)")
	add.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input instead of generating one")
	cmd.AddCommand(add)
	var pwStdin bool
	passwd := &cobra.Command{
		Use: "passwd EMAIL", Short: "Set a new password (a one-time one unless --password-stdin)",
		Args: exactArgs(1, "the user's e-mail address"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.changeUser(cmd, args[0], func(u *domain.User) (string, error) {
				pw, shown, err := a.newPassword(pwStdin)
				if err != nil {
					return "", err
				}
				if u.PasswordHash, err = auth.HashPassword(pw); err != nil {
					return "", err
				}
				u.MustChangePassword = shown
				if shown {
					return "New one-time password (shown once): " + pw, nil
				}
				return "Password changed.", nil
			})
		},
	}
	passwd.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input")
	cmd.AddCommand(passwd)
	for _, disable := range []bool{true, false} {
		verb, short := "enable", "Let a disabled user sign in again"
		if disable {
			verb, short = "disable", "Stop a user from signing in (the account and its history stay)"
		}
		cmd.AddCommand(&cobra.Command{
			Use: verb + " EMAIL", Short: short, Args: exactArgs(1, "the user's e-mail address"),
			RunE: func(cmd *cobra.Command, args []string) error {
				return a.changeUser(cmd, args[0], func(u *domain.User) (string, error) {
					u.Disabled = disable
					return fmt.Sprintf("%s is now %sd.", u.Email, verb), nil
				})
			},
		})
	}
	cmd.AddCommand(a.totpResetCommand())
	return cmd
}

// userScope is the practice named with --tenant, or the provider's scope.
// Unlike other commands, no practice is picked by default: no --tenant
// means the MSP's own staff.
func (a *app) userScope(cmd *cobra.Command) (context.Context, store.Store, error) {
	if a.cfg.Tenant != "" {
		ctx, st, _, err := a.tenantCtx(cmd.Context())
		return ctx, st, err
	}
	st, err := a.store(cmd.Context())
	if err != nil {
		return nil, nil, err
	}
	return actorCtx(cmd.Context()), st, nil
}

// changeUser finds the user in scope, applies change and stores it.
func (a *app) changeUser(cmd *cobra.Command, email string, change func(*domain.User) (string, error)) error {
	ctx, st, err := a.userScope(cmd)
	if err != nil {
		return err
	}
	u, err := st.FindUserByEmail(ctx, email)
	if err == nil {
		if tid, _ := domain.TenantFrom(ctx); u.TenantID != tid {
			err = domain.Errorf(domain.CodeNotFound, "no user %q here (check --tenant)", email)
		}
	}
	if err != nil {
		return err
	}
	msg, err := change(u)
	if err != nil {
		return err
	}
	if err := st.UpdateUser(ctx, u); err != nil {
		return err
	}
	fmt.Fprintln(a.out, msg)
	return nil
}

// newPassword reads a password from standard input, or generates a
// one-time password (shown reports which).
func (a *app) newPassword(fromStdin bool) (pw string, shown bool, err error) {
	if !fromStdin {
		pw, err = auth.OneTimePassword()
		return pw, true, err
	}
	line, err := bufio.NewReader(a.in).ReadString('\n')
	if err != nil && line == "" {
		return "", false, domain.Errorf(domain.CodeInvalid, "no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), false, auth.CheckPassword(strings.TrimRight(line, "\r\n"))
}
