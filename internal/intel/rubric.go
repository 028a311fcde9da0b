package intel

import (
	"context"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/cvss"
	"github.com/vigil-med/vigil/internal/store"
)

// ApplyRubric sets Environmental on rows of devices of one model: the
// highest CVSS v3/v4 score the advisory (or, for an NVD-only row, the CVE
// record) gives, rescored with the model's rubric answers. A model without
// answers leaves the rows as they are.
func ApplyRubric(ctx context.Context, st store.IntelStore, modelID int64, rows []*domain.VulnView) error {
	if modelID == 0 || len(rows) == 0 {
		return nil
	}
	rec, err := st.FindRubric(ctx, modelID)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	rubric := cvss.Rubric(rec.Answers)
	advs := map[string]*domain.Advisory{}
	for _, r := range rows {
		var scores []domain.Score
		if r.AdvisoryID != "" {
			a, ok := advs[r.AdvisoryID]
			if !ok {
				if a, _, err = st.FindAdvisory(ctx, r.AdvisoryID); err != nil {
					return err
				}
				advs[r.AdvisoryID] = a
			}
			for _, v := range a.Vulns {
				if v.CVE == r.CVE {
					scores = append(scores, v.Scores...)
				}
			}
		} else if r.CVE != "" {
			c, err := st.FindCVE(ctx, r.CVE)
			if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
				return err
			}
			if c != nil {
				scores = c.Scores
			}
		}
		var best *domain.Score
		for _, s := range scores {
			if !strings.HasPrefix(s.Vector, "CVSS:3") && !strings.HasPrefix(s.Vector, "CVSS:4") {
				continue
			}
			env, _, err := rubric.Apply(s.Vector)
			if err != nil {
				continue // an unreadable vector is shown as given, not rescored
			}
			env.Source = "medical-device rubric"
			if best == nil || env.Base > best.Base {
				best = &env
			}
		}
		r.Environmental = best
	}
	return nil
}
