package sqlstore

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/vigil-med/vigil/internal/domain"
)

// DeviceStats counts the tenant's devices for the dashboard: three grouped
// counts, each over an index in its own order (so nothing is sorted), then
// each model's devices placed by its end of support.
//
// The answer is kept in the list cache until the practice next changes.
func (s *Store) DeviceStats(ctx context.Context, day domain.Date) (*domain.DeviceStats, error) {
	tid, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	mark, err := s.changeMark(ctx, tid)
	if err != nil {
		return nil, err
	}
	key := strconv.FormatInt(tid, 10) + "|" + mark + "|stats|" + day.String()
	e, err := s.cache.do(ctx, key, func() (*cacheEntry, error) {
		st, err := s.deviceStats(ctx, tid, day)
		return &cacheEntry{stats: st}, err
	})
	if err != nil {
		return nil, err
	}
	return e.stats.Clone(), nil
}

func (s *Store) deviceStats(ctx context.Context, tid int64, day domain.Date) (*domain.DeviceStats, error) {
	st := &domain.DeviceStats{ByCategory: map[domain.Category]int{}, ByCriticality: map[domain.Criticality]int{}, ByPatch: map[domain.Patchability]int{}}
	byModel := map[int64]int{}
	counts := []struct {
		q   string
		add func(keys []string, model sql.NullInt64, n int)
	}{
		{"SELECT category, COUNT(*) FROM devices WHERE tenant_id = ? GROUP BY category", func(k []string, _ sql.NullInt64, n int) {
			st.ByCategory[domain.Category(k[0])] += n
			st.Total += n
		}},
		{"SELECT review, criticality, patchability, COUNT(*) FROM devices WHERE tenant_id = ? GROUP BY review, criticality, patchability", func(k []string, _ sql.NullInt64, n int) {
			if domain.Review(k[0]) == domain.Unreviewed {
				st.Unreviewed += n
			}
			st.ByCriticality[domain.Criticality(k[1])] += n
			st.ByPatch[domain.Patchability(k[2])] += n
		}},
		{"SELECT model_id, COUNT(*) FROM devices WHERE tenant_id = ? GROUP BY model_id", func(_ []string, m sql.NullInt64, n int) {
			byModel[m.Int64] += n
		}},
	}
	for _, c := range counts {
		rows, err := s.query(ctx, c.q, tid)
		if err != nil {
			return nil, domain.Internal(err, "cannot count devices")
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			keys := make([]string, len(cols)-1)
			var model sql.NullInt64
			var n int
			dest := make([]any, 0, len(cols))
			if cols[0] == "model_id" {
				dest = append(dest, &model)
			} else {
				for i := range keys {
					dest = append(dest, &keys[i])
				}
			}
			if err := rows.Scan(append(dest, &n)...); err != nil {
				rows.Close()
				return nil, domain.Internal(err, "cannot count devices")
			}
			c.add(keys, model, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, domain.Internal(err, "cannot count devices")
		}
	}
	models, err := s.FindModels(ctx, 0)
	if err != nil {
		return nil, err
	}
	eos := map[int64]domain.Date{}
	for _, m := range models {
		eos[m.ID] = m.EndOfSupport
	}
	yearOn := domain.DateOf(day.Time().AddDate(1, 0, 0))
	for id, n := range byModel {
		d, ok := eos[id]
		switch {
		case !ok || d.IsZero():
			st.SupportUnknown += n
		case d.Before(day):
			st.PastSupport += n
		case d.Before(yearOn):
			st.SupportEndingYear += n
		default:
			st.Supported += n
		}
	}
	return st, nil
}
