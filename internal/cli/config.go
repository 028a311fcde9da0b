package cli

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/postgres"
)

// Config is Vigil's configuration, loaded defaults < file < environment <
// flags and passed down explicitly; there is no global.
type Config struct {
	DB      string // SQLite file path, or a postgres:// URL
	DataDir string // where the default database and the demo live
	Tenant  string // practice to act on (id, short name or name)
	Listen  string // address for vigil serve
}

// configKeys maps config-file keys and environment variables to fields.
var configKeys = []struct {
	key, env, help string
	field          func(*Config) *string
	secret         bool
}{
	{"db", "VIGIL_DB", "database: a SQLite file path or postgres://user:pass@host/db", func(c *Config) *string { return &c.DB }, true},
	{"data_dir", "VIGIL_DATA_DIR", "directory for the default SQLite database and the demo", func(c *Config) *string { return &c.DataDir }, false},
	{"tenant", "VIGIL_TENANT", "practice to act on (id, short name or name)", func(c *Config) *string { return &c.Tenant }, false},
	{"listen", "VIGIL_LISTEN", "address vigil serve listens on", func(c *Config) *string { return &c.Listen }, false},
}

// DefaultConfig returns the built-in defaults.
func DefaultConfig() Config {
	return Config{DataDir: defaultDataDir(), Listen: "127.0.0.1:8080"}
}

// defaultDataDir is $XDG_DATA_HOME/vigil, or ~/.local/share/vigil.
func defaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "vigil")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "vigil")
	}
	return "vigil-data"
}

// loadFile reads a config file of `key = value` lines (# comments).
// Errors name the file and line.
func (c *Config) loadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return domain.Errorf(domain.CodeInvalid, "cannot read config file %s: %v", path, unwrapPathErr(err))
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		k, v, ok := strings.Cut(text, "=")
		if !ok {
			return domain.Errorf(domain.CodeInvalid, "%s:%d: expected key = value, got %q", path, line, text)
		}
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`)
		found := false
		for _, ck := range configKeys {
			if ck.key == k {
				*ck.field(c) = v
				found = true
			}
		}
		if !found {
			return domain.Errorf(domain.CodeInvalid, "%s:%d: unknown setting %q (known: %s)", path, line, k, strings.Join(configKeyNames(), ", "))
		}
	}
	return sc.Err()
}

// loadEnv applies VIGIL_* variables; VIGIL_DB_FILE names a file holding the
// database address (for secrets kept out of the environment).
func (c *Config) loadEnv() error {
	for _, ck := range configKeys {
		if v, ok := os.LookupEnv(ck.env); ok && v != "" {
			*ck.field(c) = v
		}
		if p, ok := os.LookupEnv(ck.env + "_FILE"); ok && p != "" {
			b, err := os.ReadFile(p)
			if err != nil {
				return domain.Errorf(domain.CodeInvalid, "cannot read %s_FILE %s: %v", ck.env, p, unwrapPathErr(err))
			}
			*ck.field(c) = strings.TrimSpace(string(b))
		}
	}
	return nil
}

func configKeyNames() []string {
	var n []string
	for _, ck := range configKeys {
		n = append(n, ck.key)
	}
	sort.Strings(n)
	return n
}

// DatabaseURL returns the database to open: the configured one, or
// vigil.db in the data directory.
func (c *Config) DatabaseURL() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.DataDir, "vigil.db")
}

// Redacted renders the configuration with secrets hidden.
func (c *Config) Redacted() []string {
	var out []string
	for _, ck := range configKeys {
		v := *ck.field(c)
		if ck.secret && strings.Contains(v, "@") {
			v = postgres.Redact(v)
		}
		out = append(out, fmt.Sprintf("%s = %s", ck.key, v))
	}
	return out
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
