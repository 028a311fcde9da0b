package feed_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/intel/csaf"
	"github.com/vigil-med/vigil/internal/intel/epss"
	"github.com/vigil-med/vigil/internal/intel/feed"
	"github.com/vigil-med/vigil/internal/intel/kev"
	"github.com/vigil-med/vigil/internal/intel/nvd"
	"github.com/vigil-med/vigil/internal/intel/sbom"
	"github.com/vigil-med/vigil/internal/intel/vex"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// detectors are the readers' Detect functions, by package.
var detectors = map[string]func([]byte) bool{
	"csaf": csaf.Detect, "nvd": nvd.Detect, "kev": kev.Detect, "epss": epss.Detect, "sbom": sbom.Detect, "vex": vex.Detect,
}

// claims lists the packages whose Detect accepts head.
func claims(head []byte) string {
	var out []string
	for name, d := range detectors {
		if d(head) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "+")
}

// Ensure every shared data file and every good fixture is claimed, from
// the head Peek gives (gzip undone), by exactly the readers meant for it:
// one, or sbom+vex for a CycloneDX BOM that carries VEX.
func TestDetect_Routing(t *testing.T) {
	cases := map[string]string{}
	add := func(pattern, want string) {
		files, err := filepath.Glob(pattern)
		if err != nil || len(files) == 0 {
			t.Fatalf("no files match %s", pattern)
		}
		for _, f := range files {
			if !strings.HasSuffix(f, ".golden.json") && !strings.Contains(filepath.Base(f), "bad-") {
				cases[f] = want
			}
		}
	}
	shared := func(rel string) string { return vigiltest.SharedData(t, rel) }
	add(filepath.Join(shared("csaf/icsma"), "*", "*.json"), "csaf")
	add(filepath.Join(shared("nvd/feeds-json-1.1"), "*.json.gz"), "nvd")
	add(filepath.Join(shared("nvd/api-2.0"), "*.json"), "nvd")
	add(filepath.Join(shared("nvd/api-2.0-records"), "*.json"), "nvd")
	add(filepath.Join(shared("nvd/cve-json5-vulnrichment"), "*.json"), "nvd")
	add(shared("kev/known_exploited_vulnerabilities.json"), "kev")
	add(filepath.Join(shared("epss"), "*.csv"), "epss")
	add(shared("sbom/medical-device-case-study/narrow.sbom.json"), "sbom")
	add("../csaf/testdata/vex-full.json", "csaf")
	add("../nvd/testdata/api-and-config.json", "nvd")
	add("../epss/testdata/*.csv", "epss")
	add("../sbom/testdata/*-*.*", "sbom")
	add("../vex/testdata/openvex-*.json", "vex")
	add("../vex/testdata/cdx-vex*", "sbom+vex")
	for path, want := range cases {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		head, _, err := feed.Peek(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := claims(head); got != want {
			t.Errorf("%s is claimed by %q, want %q", path, got, want)
		}
	}
}
