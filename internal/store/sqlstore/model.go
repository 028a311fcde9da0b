package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigil-med/vigil/internal/domain"
)

const modelCols = "m.id, m.vendor_id, v.name, m.name, m.category, m.end_of_sale, m.end_of_support, m.end_of_life, m.service_life_years, m.replacement_cost_cents, m.currency, m.notes, m.sbom_available, m.mds2_available, m.created_at, m.updated_at"

func scanModel(sc interface{ Scan(...any) error }, extra ...any) (*domain.Model, error) {
	var m domain.Model
	var cat, eos, eosup, eol, created, updated string
	var sbom, mds2 int
	dest := append([]any{&m.ID, &m.VendorID, &m.Manufacturer, &m.Name, &cat, &eos, &eosup, &eol, &m.ServiceLifeYears,
		&m.ReplacementCostCents, &m.Currency, &m.Notes, &sbom, &mds2, &created, &updated}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	m.Category = domain.Category(cat)
	m.SBOMAvailable, m.MDS2Available = sbom != 0, mds2 != 0
	m.EndOfSale, m.EndOfSupport, m.EndOfLife = parseDate(eos), parseDate(eosup), parseDate(eol)
	m.CreatedAt, m.UpdatedAt = parseTime(created), parseTime(updated)
	return &m, nil
}

// FindModels lists catalogue entries (of one vendor when vendorID > 0), with
// device counts in the caller's tenant.
func (s *Store) FindModels(ctx context.Context, vendorID int64) ([]*domain.Model, error) {
	tid, _ := domain.TenantFrom(ctx)
	rows, err := s.query(ctx, "SELECT "+modelCols+", (SELECT COUNT(*) FROM devices d WHERE d.model_id = m.id AND d.tenant_id = ?) FROM models m JOIN vendors v ON v.id = m.vendor_id "+
		"WHERE (? = 0 OR m.vendor_id = ?) ORDER BY v.name, m.name, m.id", tid, vendorID, vendorID)
	if err != nil {
		return nil, domain.Internal(err, "cannot list models")
	}
	defer rows.Close()
	var out []*domain.Model
	for rows.Next() {
		var n int
		m, err := scanModel(rows, &n)
		if err != nil {
			return nil, domain.Internal(err, "cannot list models")
		}
		m.DeviceCount = n
		out = append(out, m)
	}
	return out, rows.Err()
}

// FindModel finds the catalogue entry for manufacturer + model.
func (s *Store) FindModel(ctx context.Context, manufacturer, model string) (*domain.Model, error) {
	tid, _ := domain.TenantFrom(ctx)
	v, err := s.FindVendor(ctx, manufacturer)
	if err != nil {
		return nil, err
	}
	var n int
	m, err := scanModel(s.queryRow(ctx, "SELECT "+modelCols+", (SELECT COUNT(*) FROM devices d WHERE d.model_id = m.id AND d.tenant_id = ?) FROM models m JOIN vendors v ON v.id = m.vendor_id WHERE m.vendor_id = ? AND m.key = ?",
		tid, v.ID, domain.ModelKey(model)), &n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("model", v.Name+" "+model)
	}
	if err != nil {
		return nil, wrapScan(err, "model")
	}
	m.DeviceCount = n
	return m, nil
}

// UpsertModel creates or updates the catalogue entry for m.Manufacturer +
// m.Name.
func (s *Store) UpsertModel(ctx context.Context, m *domain.Model) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.Manufacturer == "" {
		return domain.Errorf(domain.CodeInvalid, "a model needs a manufacturer")
	}
	return s.write(ctx, func(tx *Tx) error {
		vid, vname, err := tx.resolveVendor(vendorCache{}, m.Manufacturer)
		if err != nil {
			return err
		}
		m.VendorID, m.Manufacturer = vid, vname
		old, err := scanModel(tx.queryRow("SELECT "+modelCols+" FROM models m JOIN vendors v ON v.id = m.vendor_id WHERE m.vendor_id = ? AND m.key = ?", vid, domain.ModelKey(m.Name)))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			id, err := tx.insertID("models", []string{"vendor_id", "key", "name", "category", "end_of_sale", "end_of_support", "end_of_life",
				"service_life_years", "replacement_cost_cents", "currency", "notes", "sbom_available", "mds2_available", "created_at", "updated_at"},
				vid, domain.ModelKey(m.Name), m.Name, string(m.Category), m.EndOfSale.String(), m.EndOfSupport.String(), m.EndOfLife.String(),
				m.ServiceLifeYears, m.ReplacementCostCents, m.Currency, m.Notes, b2i(m.SBOMAvailable), b2i(m.MDS2Available), fmtTime(tx.now), fmtTime(tx.now))
			if err != nil {
				return conflictOr(err, "model %q exists", m.Name)
			}
			m.ID, m.CreatedAt, m.UpdatedAt = id, tx.now, tx.now
			tx.audit(0, "model.create", "model", id, m.Manufacturer+" "+m.Name, nil, m)
			return nil
		case err != nil:
			return wrapScan(err, "model")
		}
		if _, err := tx.exec("UPDATE models SET name = ?, category = ?, end_of_sale = ?, end_of_support = ?, end_of_life = ?, service_life_years = ?, replacement_cost_cents = ?, currency = ?, notes = ?, sbom_available = ?, mds2_available = ?, updated_at = ? WHERE id = ?",
			m.Name, string(m.Category), m.EndOfSale.String(), m.EndOfSupport.String(), m.EndOfLife.String(), m.ServiceLifeYears,
			m.ReplacementCostCents, m.Currency, m.Notes, b2i(m.SBOMAvailable), b2i(m.MDS2Available), fmtTime(tx.now), old.ID); err != nil {
			return domain.Internal(err, "cannot update model")
		}
		m.ID, m.CreatedAt, m.UpdatedAt = old.ID, old.CreatedAt, tx.now
		tx.audit(0, "model.update", "model", m.ID, m.Manufacturer+" "+m.Name, old, m)
		return nil
	})
}
