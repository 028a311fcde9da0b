package csaf_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/csaf"
	"github.com/vigil-med/vigil/internal/intel/feed/feedtest"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// sharedAdvisories returns every CSAF document of the shared data set.
func sharedAdvisories(tb testing.TB) []string {
	tb.Helper()
	dir := vigiltest.SharedData(tb, "csaf/icsma")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) < 90 {
		tb.Fatalf("only %d CSAF documents under %s", len(files), dir)
	}
	return files
}

// compact is the golden rendering of a shared advisory: what matching
// relies on (products, statuses, remediations per CVE), not the prose.
type compact struct {
	ID       string           `json:"id"`
	Revision string           `json:"revision"`
	Updated  string           `json:"updated"`
	Products []domain.Product `json:"products"`
	Vulns    []compactVuln    `json:"vulnerabilities"`
}

type compactVuln struct {
	CVE          string                            `json:"cve"`
	Status       map[domain.ProductStatus][]string `json:"product_status"`
	Remediations []compactRemedy                   `json:"remediations,omitempty"`
	Scores       []string                          `json:"scores,omitempty"`
}

type compactRemedy struct {
	Category   domain.RemediationCategory `json:"category"`
	ProductIDs []string                   `json:"product_ids"`
	URL        string                     `json:"url,omitempty"`
	Details    string                     `json:"details"` // the first 100 characters
}

func render(a *domain.Advisory) compact {
	c := compact{ID: a.ID, Revision: a.Revision, Updated: a.Updated.Format("2006-01-02"), Products: a.Products}
	for _, v := range a.Vulns {
		cv := compactVuln{CVE: v.CVE, Status: v.Status}
		for _, r := range v.Remediations {
			d := []rune(r.Details)
			if len(d) > 100 {
				d = append(d[:100], '…')
			}
			cv.Remediations = append(cv.Remediations, compactRemedy{r.Category, r.ProductIDs, r.URL, string(d)})
		}
		for _, s := range v.Scores {
			cv.Scores = append(cv.Scores, s.Vector)
		}
		c.Vulns = append(c.Vulns, cv)
	}
	return c
}

// Ensure every shared ICSMA advisory reads, and flattens to exactly its
// golden products, statuses and remediations (the oracle of the matching
// accuracy test).
func TestRead_SharedGolden(t *testing.T) {
	for _, path := range sharedAdvisories(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			a, err := csaf.Read(name, f)
			if err != nil {
				t.Fatalf("read: %v\n%v", err, domain.ErrorProblems(err))
			}
			if a.Source != name || a.ID == "" || len(a.Products) == 0 || len(a.Vulns) == 0 {
				t.Fatalf("incomplete advisory: id %q, %d products, %d vulnerabilities", a.ID, len(a.Products), len(a.Vulns))
			}
			checkInvariants(t, a)
			feedtest.Golden(t, filepath.Join("testdata", "shared", strings.TrimSuffix(name, ".json")+".golden.json"), render(a))
		})
	}
}

// checkInvariants asserts what every read advisory must satisfy: product
// ids unique, and every id a status, remediation or score names defined.
func checkInvariants(t *testing.T, a *domain.Advisory) {
	t.Helper()
	ids := map[string]bool{}
	for _, p := range a.Products {
		if ids[p.ID] {
			t.Errorf("product %s twice", p.ID)
		}
		ids[p.ID] = true
	}
	check := func(what string, list []string) {
		for _, id := range list {
			if !ids[id] {
				t.Errorf("%s names undefined product %q", what, id)
			}
		}
	}
	for _, v := range a.Vulns {
		for st, list := range v.Status {
			check(v.CVE+" "+string(st), list)
		}
		for _, r := range v.Remediations {
			check(v.CVE+" remediation", r.ProductIDs)
		}
		for _, s := range v.Scores {
			check(v.CVE+" score", s.ProductIDs)
		}
	}
}

// Ensure each hand-written document in testdata/ reads to exactly its
// golden advisory and VEX statements, or fails with exactly its golden
// located problems.
func TestRead_Golden(t *testing.T) {
	for _, path := range feedtest.Fixtures(t, 4, "testdata/*.json") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			var got any
			a, err := csaf.Read(name, bytes.NewReader(feedtest.ReadFile(t, path)))
			if err != nil {
				feedtest.CheckError(t, name, err)
				got = feedtest.ErrorView(err)
			} else {
				checkInvariants(t, a)
				got = map[string]any{"advisory": a, "vex": csaf.VEX(a)}
			}
			feedtest.Golden(t, strings.TrimSuffix(path, ".json")+".golden.json", got)
		})
	}
}

// Ensure Detect recognises every shared advisory by its first 4 KB and
// refuses other JSON.
func TestDetect(t *testing.T) {
	for _, path := range sharedAdvisories(t) {
		data := feedtest.ReadFile(t, path)
		if !csaf.Detect(data[:min(len(data), 4096)]) {
			t.Errorf("%s is not detected", path)
		}
	}
	for _, s := range []string{`{"vulnerabilities":[]}`, `[{"csaf_version":"2.0"}]`, ``, `{"CVE_Items":[]}`} {
		if csaf.Detect([]byte(s)) {
			t.Errorf("Detect(%s) = true", s)
		}
	}
}
