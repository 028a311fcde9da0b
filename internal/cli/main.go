// Package cli is Vigil's composition root: the command tree, configuration
// loading, and the wiring of stores, importers and the web server. It is
// the only package that imports everything.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/store/postgres"
	"github.com/vigil-med/vigil/internal/store/sqlite"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Version is set at build time with -ldflags "-X …/cli.Version=…".
var Version = "dev"

// usageError marks a command-line mistake (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// app holds what every command needs: configuration, I/O and the store.
type app struct {
	cfg        Config
	json       bool
	configPath string
	flags      Config // values given as flags (empty = not given)
	in         io.Reader
	out, err   io.Writer
	st         store.Store
	hooks      Hooks
	adminEmail string // the first administrator created by serve and demo
	tlsCert    string
	tlsKey     string
	tlsSelf    bool
}

// Hooks let tests observe a running server (the address it bound).
type Hooks struct {
	// Listening is called with the server's address once it accepts
	// connections.
	Listening func(addr string)
}

// Main runs the vigil command line with args (without the program name) and
// returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return MainWithHooks(ctx, args, stdin, stdout, stderr, Hooks{})
}

// MainWithHooks is Main with test hooks.
func MainWithHooks(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, hooks Hooks) int {
	a := &app{cfg: DefaultConfig(), in: stdin, out: stdout, err: stderr, hooks: hooks}
	defer func() {
		if a.st != nil {
			a.st.Close()
		}
	}()
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ue *usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		fmt.Fprintf(stderr, "vigil: %s\nRun 'vigil --help' or 'vigil COMMAND --help' for usage.\n", sentence(err.Error()))
		return ExitUsage
	}
	a.printError(err)
	return ExitFailure
}

// printError writes err as one clear sentence, followed by any located
// problems it carries, one per line.
func (a *app) printError(err error) {
	for _, p := range domain.ErrorProblems(err) {
		fmt.Fprintln(a.err, p.String())
	}
	fmt.Fprintf(a.err, "vigil: %s\n", sentence(domain.ErrorMessage(err)))
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "failed"
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most",
		"invalid argument", "flag needs an argument", "required flag"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, " "+p) {
			return true
		}
	}
	return false
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "vigil",
		Short: "Vigil keeps a practice's networked medical devices inventoried, assessed and under control",
		Long: `Vigil keeps a trustworthy inventory of a practice's networked medical devices
(imaging, monitors, infusion pumps, lab analyzers, ECG carts…), for the practice's
IT lead, an MSP technician serving many practices, a biomedical engineer and an auditor.

Start with 'vigil demo' to see a ready-made practice in your browser.

Data lives in one SQLite file by default (see --db and --data-dir); use
--db postgres://… for PostgreSQL. Every change is recorded in a tamper-evident
audit trail.`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		Version:           Version,
		PersistentPreRunE: a.loadConfig,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err.Error()} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.flags.DB, "db", "", "database: a SQLite file, or postgres://… (env VIGIL_DB; default DATA_DIR/vigil.db)")
	pf.StringVar(&a.flags.Tenant, "tenant", "", "practice to act on: id, short name or name (env VIGIL_TENANT; default: the only practice)")
	pf.StringVar(&a.flags.DataDir, "data-dir", "", "directory for the default database and the demo (env VIGIL_DATA_DIR; default ~/.local/share/vigil)")
	pf.StringVar(&a.configPath, "config", "", "read settings from FILE (key = value lines: db, tenant, data_dir, listen; env VIGIL_CONFIG)")
	pf.BoolVar(&a.json, "json", false, "print results as JSON")
	root.AddCommand(a.tenantCommand(), a.siteCommand(), a.deviceCommand(), a.vendorCommand(), a.modelCommand(),
		a.importCommand(), a.exportCommand(), a.auditCommand(), a.userCommand(), a.tokenCommand(), a.serveCommand(), a.demoCommand(), a.migrateCommand(), a.configCommand(),
		a.feedsCommand(), a.advisoryCommand(), a.vulnsCommand(), a.sbomCommand(), a.rubricCommand(),
		a.lifecycleCommand(), a.patchCommand(), a.windowCommand(),
		a.discoverCommand(), a.flowsCommand(), a.checkCommand(), a.sensorCommand())
	groupsRejectUnknown(root)
	return root
}

// groupsRejectUnknown makes every command that only groups subcommands
// print its help when called bare and fail with a usage error (exit 2) on
// an unknown subcommand, instead of printing help and succeeding.
func groupsRejectUnknown(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		groupsRejectUnknown(c)
	}
	if cmd.HasSubCommands() && cmd.RunE == nil && cmd.Run == nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %q", args[0], c.CommandPath())
			}
			return nil
		}
		cmd.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	}
}

// loadConfig applies defaults < file < environment < flags.
func (a *app) loadConfig(cmd *cobra.Command, _ []string) error {
	path := a.configPath
	if path == "" {
		path = os.Getenv("VIGIL_CONFIG")
	}
	if path != "" {
		if err := a.cfg.loadFile(path); err != nil {
			return err
		}
	}
	if err := a.cfg.loadEnv(); err != nil {
		return err
	}
	fl := cmd.Flags()
	if fl.Changed("db") {
		a.cfg.DB = a.flags.DB
	}
	if fl.Changed("tenant") {
		a.cfg.Tenant = a.flags.Tenant
	}
	if fl.Changed("data-dir") {
		a.cfg.DataDir = a.flags.DataDir
	}
	return nil
}

// openStore opens the database named by url.
func openStore(ctx context.Context, url string) (store.Store, error) {
	switch {
	case postgres.IsURL(url):
		return postgres.Open(ctx, url)
	case strings.HasPrefix(url, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//"))
	}
	return sqlite.Open(ctx, url)
}

// store opens the configured database once.
func (a *app) store(ctx context.Context) (store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	st, err := openStore(ctx, a.cfg.DatabaseURL())
	if err != nil {
		return nil, err
	}
	a.st = st
	return st, nil
}

// actorCtx puts the CLI actor on ctx.
func actorCtx(ctx context.Context) context.Context {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return domain.WithActor(ctx, domain.Actor{Kind: domain.ActorCLI, Name: name, UserAgent: "vigil-cli/" + Version})
}

// tenantCtx opens the store and scopes ctx to the chosen practice: the
// configured one, or the only one there is.
func (a *app) tenantCtx(ctx context.Context) (context.Context, store.Store, *domain.Tenant, error) {
	st, err := a.store(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx = actorCtx(ctx)
	var t *domain.Tenant
	if a.cfg.Tenant != "" {
		t, err = st.FindTenant(ctx, a.cfg.Tenant)
		if err != nil {
			return nil, nil, nil, err
		}
	} else {
		all, err := st.FindTenants(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		switch len(all) {
		case 0:
			return nil, nil, nil, domain.Errorf(domain.CodeInvalid, "there is no practice yet; create one with `vigil tenant add NAME`")
		case 1:
			t = all[0]
		default:
			names := make([]string, len(all))
			for i, x := range all {
				names[i] = x.Slug
			}
			return nil, nil, nil, usagef("there are %d practices (%s); choose one with --tenant", len(all), strings.Join(names, ", "))
		}
	}
	return domain.WithTenant(ctx, t.ID), st, t, nil
}

// findTenant finds the practice ref names (no practice scope needed).
func (a *app) findTenant(cmd *cobra.Command, ref string) (context.Context, store.Store, *domain.Tenant, error) {
	st, err := a.store(cmd.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	ctx := actorCtx(cmd.Context())
	t, err := st.FindTenant(ctx, ref)
	return ctx, st, t, err
}

// findSite scopes to the practice and finds the site ref names.
func (a *app) findSite(cmd *cobra.Command, ref string) (context.Context, store.Store, *domain.Site, error) {
	ctx, st, _, err := a.tenantCtx(cmd.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	x, err := st.FindSite(ctx, ref)
	return ctx, st, x, err
}

// findDevice scopes to the practice and finds the device ref names.
func (a *app) findDevice(cmd *cobra.Command, ref string) (context.Context, store.Store, *domain.Device, error) {
	ctx, st, _, err := a.tenantCtx(cmd.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := st.FindDevice(ctx, ref)
	return ctx, st, d, err
}

// findVendor finds the vendor ref names (vendors are shared, not scoped).
func (a *app) findVendor(cmd *cobra.Command, ref string) (context.Context, store.Store, *domain.Vendor, error) {
	st, err := a.store(cmd.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	ctx := actorCtx(cmd.Context())
	v, err := st.FindVendor(ctx, ref)
	return ctx, st, v, err
}

// printJSON writes v as indented JSON.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// exactArgs is cobra.ExactArgs with a usage error that names the arguments.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %s", cmd.CommandPath(), names)
		}
		return nil
	}
}
