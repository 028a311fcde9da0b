// Package arch holds the repository-level test of the dependency rule in
// STYLE.md: arrows point inward, drivers stay in their engine packages.
package arch

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

func listPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json", "github.com/vigil-med/vigil/...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	all := map[string]*pkg{}
	dec := json.NewDecoder(out)
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		all[p.ImportPath] = &p
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	return all
}

const mod = "github.com/vigil-med/vigil/"

func ours(path string) bool { return strings.HasPrefix(path, mod) }

// Ensure the package dependency rule holds.
func TestDependencyRule(t *testing.T) {
	all := listPackages(t)
	drivers := []string{"modernc.org/sqlite", "github.com/jackc/pgx/v5/stdlib", "github.com/jackc/pgx/v5"}
	parsers := []string{"internal/dissect", "internal/importer", "internal/intel/"}
	for path, p := range all {
		if !ours(path) {
			continue
		}
		rel := strings.TrimPrefix(path, mod)
		if rel == "internal/domain" || rel == "internal/qr" {
			for _, d := range p.Deps {
				if dp := all[d]; dp != nil && !dp.Standard {
					t.Errorf("%s depends on %s; it may use the standard library only", rel, d)
				}
			}
		}
		for _, imp := range p.Imports {
			for _, drv := range drivers {
				if imp == drv && rel != "internal/store/sqlite" && rel != "internal/store/postgres" && rel != "internal/vigiltest" {
					t.Errorf("%s imports the SQL driver %s; only store/sqlite and store/postgres may", rel, imp)
				}
			}
			if imp == mod+"internal/cli" && rel != "cmd/vigil" {
				t.Errorf("%s imports internal/cli; only cmd/vigil may", rel)
			}
			for _, pre := range parsers {
				if strings.HasPrefix(rel, pre) && (strings.HasPrefix(imp, mod+"internal/store") || strings.HasPrefix(imp, mod+"internal/web") || imp == "net/http") {
					t.Errorf("%s imports %s; parsers read bytes and do no I/O of their own", rel, imp)
				}
			}
			if strings.HasPrefix(rel, "internal/web") && (imp == mod+"internal/capture" || strings.HasPrefix(imp, mod+"internal/store/s") || strings.HasPrefix(imp, mod+"internal/store/p")) {
				t.Errorf("%s imports %s; web reaches storage through the store interfaces only", rel, imp)
			}
		}
	}
}
