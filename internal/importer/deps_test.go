package importer_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Ensure the importer packages stay pure parsers: none of them imports a
// store, a database driver or net/http, and nothing reaches a store or a
// driver even indirectly. (excelize, which the xlsx package uses, imports
// net/http itself, for content-type sniffing of images; that indirect
// import is the only one allowed.)
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \",\"}}", "./...").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	forbidden := func(p string) bool {
		return p == "net/http" || p == "database/sql" || strings.HasPrefix(p, "github.com/vigil-med/vigil/internal/store") ||
			strings.HasPrefix(p, "modernc.org/sqlite") || strings.HasPrefix(p, "github.com/jackc/pgx")
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		ours := strings.HasPrefix(pkg, "github.com/vigil-med/vigil/internal/importer")
		if ours {
			seen++
		}
		for _, imp := range strings.Split(imports, ",") {
			if !forbidden(imp) {
				continue
			}
			if ours || imp != "net/http" {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
	if seen < 5 {
		t.Fatalf("go list saw only %d importer packages", seen)
	}
}
