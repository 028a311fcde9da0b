package demo

import (
	"bytes"
	"context"
	"embed"
	"io/fs"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel"
	"github.com/vigil-med/vigil/internal/store"
)

// advisoryFiles are CISA ICS Medical Advisories (CSAF 2.0, public domain,
// gzipped) naming products the demo practice owns, copied from
// ../shared/data/csaf/icsma.
//
//go:embed advisories/*.json.gz
var advisoryFiles embed.FS

// SeedAdvisories imports the embedded advisories and matches the demo
// practice's devices against them, so the demo shows affected devices.
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
	res, err := intel.Rematch(domain.WithTenant(ctx, t.ID), st, m)
	if err != nil {
		return nil, err
	}
	sum.NewlyAffected = res.NewlyAffected
	return sum, nil
}
