package demo

import (
	"bytes"
	"context"
	"embed"
	"io/fs"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/store"
)

// advisoryFiles are CISA ICS Medical Advisories (CSAF 2.0, public domain,
// gzipped) naming products the demo practice owns, copied from
// ../shared/data/csaf/icsma.
//
//go:embed advisories/*.json.gz
var advisoryFiles embed.FS

// SeedAdvisories imports the embedded advisories and matches the demo
// practice's devices against them, so the demo shows affected devices,
// and records the firmware updates their vendor fixes name for its models.
func SeedAdvisories(ctx context.Context, st store.Store, t *domain.Tenant) (*intel.ImportSummary, error) {
	ctx = domain.WithActor(ctx, Actor)
	sum := &intel.ImportSummary{}
	names, err := fs.Glob(advisoryFiles, "advisories/*.json.gz")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		data, err := advisoryFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		doc, err := intel.ReadDocument(name, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		sum.Files++
		if err := intel.Apply(ctx, st, doc, sum); err != nil {
			return nil, err
		}
	}
	m, err := intel.Load(ctx, st)
	if err != nil {
		return nil, err
	}
	tctx := domain.WithTenant(ctx, t.ID)
	res, err := intel.Rematch(tctx, st, m)
	if err != nil {
		return nil, err
	}
	sum.NewlyAffected = res.NewlyAffected
	// The updates the advisories' vendor fixes name for the practice's
	// models become available releases, as `vigil feeds import` does.
	rels, err := (&lifecycle.Service{Store: st}).AdvisoryReleases(tctx, sum.Changed)
	if err != nil {
		return nil, err
	}
	sum.Releases = len(rels)
	return sum, nil
}
