package postgres_test

import (
	"testing"

	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/store/storetest"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure the PostgreSQL store passes the storage conformance suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) store.Store { return vigiltest.MustOpenPostgres(tb) })
}
