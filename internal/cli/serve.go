package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/store/postgres"
	"github.com/vigil-med/vigil/internal/web"
)

func (a *app) serveCommand() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web console (sign-in required) on the configured database",
		Long: `Serve the web console, on 127.0.0.1:8080 by default. On the first start, with
no accounts yet, it creates an administrator and prints a one-time password.
Add more people with 'vigil user add'.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("listen") {
				a.cfg.Listen = listen
			} else if v := os.Getenv("VIGIL_LISTEN"); v != "" {
				a.cfg.Listen = v
			}
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			return a.serve(cmd.Context(), st)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "address to listen on (env VIGIL_LISTEN; default 127.0.0.1:8080)")
	cmd.Flags().StringVar(&a.adminEmail, "admin-email", "admin@localhost", "the first administrator's sign-in address, created when Vigil has no accounts")
	tlsFlags(cmd, a)
	return cmd
}

func tlsFlags(cmd *cobra.Command, a *app) {
	cmd.Flags().StringVar(&a.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain)")
	cmd.Flags().StringVar(&a.tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	cmd.Flags().BoolVar(&a.tlsSelf, "tls", false, "serve HTTPS with a self-signed certificate, made on first use in the data directory")
}

// serve runs the web server until ctx is cancelled.
func (a *app) serve(ctx context.Context, st store.Store) error {
	log := slog.New(slog.NewJSONHandler(a.err, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := web.NewServer(st, log)
	if err != nil {
		return domain.Internal(err, "cannot start the web console")
	}
	if err := a.bootstrapAdmin(ctx, st); err != nil {
		return err
	}
	tlsCfg, note, err := a.tlsConfig(a.tlsCert, a.tlsKey, a.tlsSelf)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return domain.Errorf(domain.CodeInvalid, "cannot listen on %s: %v (choose another address with --listen)", a.cfg.Listen, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/"
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
		url = "https://" + ln.Addr().String() + "/"
		fmt.Fprint(a.out, note)
	}
	fmt.Fprintf(a.out, "Vigil is serving %s on %s — open it in your browser. Press Ctrl+C to stop.\n", st.Engine(), url)
	if a.hooks.Listening != nil {
		a.hooks.Listening(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return domain.Internal(err, "the web server stopped")
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return domain.Internal(err, "shutdown")
	}
	fmt.Fprintln(a.out, "Stopped.")
	return nil
}

// bootstrapAdmin creates the first provider administrator when Vigil has
// no accounts yet, and prints its one-time password once.
func (a *app) bootstrapAdmin(ctx context.Context, st store.Store) error {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw, err := auth.OneTimePassword()
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	u := &domain.User{Email: a.adminEmail, Name: "Administrator", Role: domain.RoleProviderAdmin, PasswordHash: hash, MustChangePassword: true}
	if err := st.CreateUser(domain.WithActor(ctx, domain.Actor{Kind: domain.ActorSystem, Name: "first start"}), u); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "First start: created the administrator %s with the one-time password\n\n    %s\n\nSign in with it and choose your own; it is not shown again (`vigil user passwd %s` makes a new one).\n\n",
		u.Email, pw, u.Email)
	return nil
}

func (a *app) demoCommand() *cobra.Command {
	var listen string
	var noServe bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Create a fresh demo practice and serve it: the quickest way to see Vigil",
		Long: `Create a fresh demo database (DATA_DIR/demo.db, replaced on every run, never
your real data) holding a realistic small practice — three sites and over a
hundred devices of real makes and models — then serve the console on it.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("listen") {
				a.cfg.Listen = listen
			}
			path := a.cfg.DB
			if path == "" {
				path = filepath.Join(a.cfg.DataDir, "demo.db")
			}
			if postgres.IsURL(path) {
				return usagef("vigil demo uses its own SQLite file; give --db a file path or leave it out")
			}
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
					return domain.Errorf(domain.CodeInvalid, "cannot replace the demo database %s: %v", path, unwrapPathErr(err))
				}
			}
			a.cfg.DB = path
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			ctx := domain.WithActor(cmd.Context(), domain.Actor{Kind: domain.ActorSystem, Name: "demo"})
			t, err := demo.Seed(ctx, st, demo.Options{})
			if err != nil {
				return err
			}
			if _, err := demo.SeedAdvisories(ctx, st, t); err != nil {
				return err
			}
			n, _ := st.CountDevices(domain.WithTenant(ctx, t.ID))
			fmt.Fprintf(a.out, "Created the demo practice %q with %d devices in %s.\n", t.Name, n, path)
			if noServe {
				return nil
			}
			return a.serve(cmd.Context(), st)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "address to listen on (default 127.0.0.1:8080)")
	cmd.Flags().BoolVar(&noServe, "no-serve", false, "create the demo database and exit")
	cmd.Flags().StringVar(&a.adminEmail, "admin-email", "admin@localhost", "the demo administrator's sign-in address")
	tlsFlags(cmd, a)
	return cmd
}
