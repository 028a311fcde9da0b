package sqlstore

import (
	"context"

	"github.com/vigil-med/vigil/internal/domain"
)

// DeviceStats counts the tenant's devices for the dashboard, in one pass
// per grouping over the listing indexes.
func (s *Store) DeviceStats(ctx context.Context, day domain.Date) (*domain.DeviceStats, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	st := &domain.DeviceStats{ByCategory: map[domain.Category]int{}, ByCriticality: map[domain.Criticality]int{}, ByPatch: map[domain.Patchability]int{}}
	group := func(col string, fn func(key string, n int)) error {
		rows, err := s.query(ctx, "SELECT "+col+", COUNT(*) FROM devices WHERE tenant_id = ? GROUP BY "+col, tid)
		if err != nil {
			return domain.Internal(err, "cannot count devices")
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var n int
			if err := rows.Scan(&key, &n); err != nil {
				return domain.Internal(err, "cannot count devices")
			}
			fn(key, n)
		}
		return rows.Err()
	}
	if err := group("category", func(k string, n int) { st.ByCategory[domain.Category(k)] = n; st.Total += n }); err != nil {
		return nil, err
	}
	if err := group("criticality", func(k string, n int) { st.ByCriticality[domain.Criticality(k)] = n }); err != nil {
		return nil, err
	}
	if err := group("patchability", func(k string, n int) { st.ByPatch[domain.Patchability(k)] = n }); err != nil {
		return nil, err
	}
	if err := group("review", func(k string, n int) {
		if domain.Review(k) == domain.Unreviewed {
			st.Unreviewed = n
		}
	}); err != nil {
		return nil, err
	}
	yearOn := domain.DateOf(day.Time().AddDate(1, 0, 0)).String()
	err = s.queryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN m.end_of_support <> '' AND m.end_of_support < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.end_of_support >= ? AND m.end_of_support < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.end_of_support >= ? THEN 1 ELSE 0 END), 0)
		FROM devices d LEFT JOIN models m ON m.id = d.model_id WHERE d.tenant_id = ?`,
		day.String(), day.String(), yearOn, yearOn, tid).Scan(&st.PastSupport, &st.SupportEndingYear, &st.Supported)
	if err != nil {
		return nil, domain.Internal(err, "cannot count support status")
	}
	st.SupportUnknown = st.Total - st.PastSupport - st.SupportEndingYear - st.Supported
	return st, nil
}
