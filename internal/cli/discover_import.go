package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/discovery"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/arpcsv"
	"github.com/vigil-med/vigil/internal/importer/dhcplease"
	"github.com/vigil-med/vigil/internal/importer/nmap"
	"github.com/vigil-med/vigil/internal/importer/zeek"
)

// maxToolFile bounds a file discover import reads into memory.
const maxToolFile = 1 << 30

// readToolResults reads another tool's results, recognising the format
// from the content.
func readToolResults(path string) (*domain.DiscoveryRecords, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", domain.Errorf(domain.CodeInvalid, "cannot read %s: %v", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, "", domain.Errorf(domain.CodeInvalid, "cannot read %s: %v", path, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxToolFile))
	if err != nil {
		return nil, "", domain.Errorf(domain.CodeInvalid, "cannot read %s: %v", path, err)
	}
	head := data[:min(len(data), 8192)]
	r := bytes.NewReader(data)
	switch {
	case nmap.Detect(head):
		recs, err := nmap.Parse(path, r)
		return recs, "nmap", err
	case zeek.Detect(head):
		recs, err := zeek.Parse(path, r)
		return recs, "zeek", err
	case dhcplease.Detect(head):
		recs, err := dhcplease.Parse(path, r)
		return recs, "dhcplease", err
	case arpcsv.Detect(head):
		recs, err := arpcsv.Parse(path, r, fi.ModTime().UTC().Truncate(time.Second))
		return recs, "arpcsv", err
	}
	return nil, "", domain.Errorf(domain.CodeInvalid, "%s is not a format discover import knows (Nmap XML, a Zeek log, dhcpd.leases, or a CSV table with IP and MAC columns)", path)
}

func (a *app) discoverImport(cmd *cobra.Command, files []string, o discoverOptions) error {
	cls, err := o.classifier()
	if err != nil {
		return err
	}
	local, err := o.localFunc()
	if err != nil {
		return err
	}
	// Every file is read and checked before anything is written.
	type parsed struct {
		path, format string
		recs         *domain.DiscoveryRecords
	}
	var all []parsed
	var problems []domain.Problem // of every file, not only the first bad one
	bad := 0
	for _, p := range files {
		recs, format, err := readToolResults(p)
		if err != nil {
			if domain.ErrorCode(err) != domain.CodeInvalid || len(files) == 1 {
				return err // a fault of Vigil's, or the one file's own error as it is
			}
			bad++
			if ps := domain.ErrorProblems(err); len(ps) > 0 {
				problems = append(problems, ps...)
			} else {
				problems = append(problems, domain.Problem{Message: domain.ErrorMessage(err)})
			}
			continue
		}
		all = append(all, parsed{p, format, recs})
	}
	if bad > 0 {
		return &domain.Error{Code: domain.CodeInvalid, Problems: problems,
			Message: fmt.Sprintf("%d of %d file(s) have problems; nothing was imported", bad, len(files))}
	}
	ctx, st, _, err := a.tenantCtx(cmd.Context())
	if err != nil {
		return err
	}
	if o.site != "" {
		if _, err := st.FindSite(ctx, o.site); err != nil {
			return err
		}
	}
	start := time.Now()
	sum := &discoverSummary{Files: files}
	for _, p := range all {
		source := domain.DiscoverySourceName(p.format, p.path)
		eng := discovery.New(discovery.Options{Source: source, Site: o.site, Classifier: cls, Local: local, ReuseFlows: true}, storeSink(st, sum))
		for _, ob := range p.recs.Observations {
			eng.Observe(ob)
		}
		for _, f := range p.recs.Flows {
			eng.Flow(f)
		}
		if err := eng.Flush(discoveryCtx(ctx, source), true); err != nil {
			return fmt.Errorf("%s: %w", p.path, err)
		}
		sum.Records += p.recs.Records
	}
	sum.Seconds = time.Since(start).Seconds()
	return a.printDiscover(sum)
}
