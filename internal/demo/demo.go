// Package demo builds the demo practice. (Placeholder until the generator lands.)
package demo

import (
	"context"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Options tune the demo.
type Options struct {
	Now  time.Time
	Seed int64
}

// Seed fills an empty store with the demo practice.
func Seed(ctx context.Context, st store.Store, opt Options) (*domain.Tenant, error) {
	return nil, domain.Errorf(domain.CodeInternal, "demo not built yet")
}
