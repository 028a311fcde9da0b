package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
)

// totpResetCommand is `vigil user totp-reset EMAIL`: an administrator's way
// back in for a user who lost the phone with their authenticator app.
func (a *app) totpResetCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "totp-reset EMAIL",
		Short: "Turn off a user's two-factor sign-in (a lost phone); they sign in with the password and may set it up again",
		Example: `  vigil user totp-reset pat@msp.example
  vigil user totp-reset nurse.lee@lakeside.example --tenant lakeside`,
		Args: exactArgs(1, "the user's e-mail address"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.changeUser(cmd, args[0], func(u *domain.User) (string, error) {
				if !u.TOTPEnabled && u.TOTPSecret == "" {
					return "", domain.Errorf(domain.CodeInvalid, "%s has no two-factor sign-in to reset", u.Email)
				}
				u.TOTPEnabled, u.TOTPSecret = false, ""
				return fmt.Sprintf("Two-factor sign-in is off for %s; they sign in with their password and can set it up again.", u.Email), nil
			})
		},
	}
}
