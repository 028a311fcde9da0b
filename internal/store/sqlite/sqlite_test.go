package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vigil-med/vigil/internal/audit"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/sqlstore"

	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/store/storetest"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure the SQLite store passes the storage conformance suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) store.Store { return vigiltest.MustOpenSQLite(tb) })
}

// Ensure two stores on one file (as two vigil processes would be) can write
// at the same time without losing a write or forking the audit chain.
func TestTwoWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a := vigiltest.MustOpenSQLitePath(t, path)
	b := vigiltest.MustOpenSQLitePath(t, path)
	tn := &domain.Tenant{Name: "P"}
	if err := a.CreateTenant(vigiltest.Context(0), tn); err != nil {
		t.Fatal(err)
	}
	ctx := vigiltest.Context(tn.ID)
	if err := a.CreateSite(ctx, &domain.Site{Name: "Main"}); err != nil {
		t.Fatal(err)
	}
	const each = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for i, st := range []*sqlstore.Store{a, b} {
		wg.Add(1)
		go func(i int, st *sqlstore.Store) {
			defer wg.Done()
			for n := 0; n < each; n++ {
				d := &domain.Device{Serial: fmt.Sprintf("P%d-%d", i, n)}
				if err := st.CreateDevice(ctx, d, domain.Source{Kind: domain.SourceManual}); err != nil {
					errs <- err
				}
			}
		}(i, st)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("write: %v", err)
	}
	for _, st := range []*sqlstore.Store{a, b} {
		if n, _ := st.CountDevices(ctx); n != 2*each {
			t.Fatalf("devices = %d, want %d", n, 2*each)
		}
	}
	r, err := audit.Verify(ctx, b)
	if err != nil || !r.OK || r.Events != 2+2*each {
		t.Fatalf("audit chain: %+v, %v", r, err)
	}
}

// Ensure a store that has answered a page from memory sees a change made
// through another store on the same database (as another vigil process or
// replica would make it).
func TestListCacheAcrossStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a := vigiltest.MustOpenSQLitePath(t, path)
	b := vigiltest.MustOpenSQLitePath(t, path)
	tn := &domain.Tenant{Name: "P"}
	if err := a.CreateTenant(vigiltest.Context(0), tn); err != nil {
		t.Fatal(err)
	}
	ctx := vigiltest.Context(tn.ID)
	if err := a.CreateSite(ctx, &domain.Site{Name: "Main"}); err != nil {
		t.Fatal(err)
	}
	d := &domain.Device{Serial: "X1", Name: "Before"}
	if err := a.CreateDevice(ctx, d, domain.Source{Kind: domain.SourceManual}); err != nil {
		t.Fatal(err)
	}
	list := func() string {
		ds, _, err := a.FindDevices(ctx, domain.DeviceFilter{Limit: 10})
		if err != nil || len(ds) != 1 {
			t.Fatalf("FindDevices = %v, %v", ds, err)
		}
		return ds[0].Name
	}
	list()
	if _, _, err := b.UpdateDevice(ctx, d.ID, map[domain.Field]string{domain.FieldName: "After"}, domain.Source{Kind: domain.SourceManual}); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "After" {
		t.Fatalf("the first store still lists %q after the second changed it", got)
	}
}
