// Command gen turns the IEEE OUI registry files (oui.csv, mam.csv,
// oui36.csv, iab.csv from the ieee-data package, see ../shared/data/
// SOURCES.md) into the compact table the fingerprint package embeds.
//
//	go run ./gen -dir ../../../shared/data/oui -out data/oui.bin.gz
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vigil-med/vigil/internal/fingerprint"
)

func main() {
	dir := flag.String("dir", "../../../shared/data/oui", "folder holding the IEEE registry CSV files")
	out := flag.String("out", "data/oui.bin.gz", "the table to write")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	files := map[string]io.Reader{}
	for _, n := range fingerprint.OUIFiles {
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		defer f.Close()
		files[n] = f
	}
	b, err := fingerprint.EncodeOUI(files)
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}
