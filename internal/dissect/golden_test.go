package dissect_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/ with the current output")

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (run the test with -update to create it)", path, err)
	}
	if !bytes.Equal(got, want) {
		w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		i := 0
		for i < len(w) && i < len(g) && w[i] == g[i] {
			i++
		}
		t.Errorf("output differs from %s at line %d (run with -update to accept)\nwant: %q\ngot:  %q", path, i+1, at(w, i), at(g, i))
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of file)"
}

// run decodes a whole capture file and returns its observations, the
// packets' application counts and the decode errors.
type run struct {
	frames int
	obs    []domain.Observation
	apps   map[string]int
	errs   []string
	ferr   error
}

func decodeFile(t testing.TB, path string) run {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer src.Close()
	d := dissect.NewDecoder("pcap:" + filepath.Base(path))
	r := run{apps: map[string]int{}}
	var p dissect.Packet
	emit := func(o domain.Observation) { r.obs = append(r.obs, o) }
	for {
		f, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.ferr = err
			break
		}
		r.frames++
		if err := d.Decode(f.At, dissect.LinkType(f.Link), f.Data, &p, emit); err != nil {
			r.errs = append(r.errs, err.Error())
		}
		if p.App != "" {
			r.apps[p.App]++
		}
	}
	return r
}

// render writes a run as the text a golden file holds.
func (r run) render() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "frames %d\n", r.frames)
	if r.ferr != nil {
		fmt.Fprintf(&b, "file error: %v\n", r.ferr)
	}
	apps := make([]string, 0, len(r.apps))
	for a := range r.apps {
		apps = append(apps, a)
	}
	slices.Sort(apps)
	for _, a := range apps {
		fmt.Fprintf(&b, "app %s %d\n", a, r.apps[a])
	}
	for i, e := range r.errs {
		if i == 10 {
			fmt.Fprintf(&b, "error … %d more\n", len(r.errs)-10)
			break
		}
		fmt.Fprintf(&b, "error %s\n", e)
	}
	for _, o := range r.obs {
		ip := ""
		if o.IP.IsValid() {
			ip = o.IP.String()
		}
		fmt.Fprintf(&b, "%s\t%q\tmac=%s\tip=%s\t%s\n", o.Kind, o.Value, o.MAC, ip, o.Evidence)
	}
	return b.Bytes()
}

// TestGoldenCaptures decodes every shared capture and compares the
// observations with testdata/<capture>.golden.
func TestGoldenCaptures(t *testing.T) {
	root := vigiltest.SharedData(t, "pcap")
	var files []string
	err := filepath.WalkDir(root, func(path string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() && (strings.HasSuffix(path, ".pcap") || strings.HasSuffix(path, ".pcapng")) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("found only %d captures under %s", len(files), root)
	}
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) {
			r := decodeFile(t, path)
			if r.frames == 0 {
				t.Fatalf("no frames read from %s", rel)
			}
			golden(t, strings.ReplaceAll(rel, string(filepath.Separator), "_")+".golden", r.render())
		})
	}
}
