package web

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// networkView is the device page's "Seen on the network" and "Peers and
// protocols" sections.
type networkView struct {
	Suggestions  []suggestionRow
	Observations []*domain.DeviceObservation
	Identities   []*domain.NetworkIdentity
	Flows        []flowRow
	MoreFlows    bool
}

// suggestionRow is a classification suggestion drawn from the device's
// provenance: what discovery set, with its evidence and confidence.
type suggestionRow struct {
	Field, Value, Evidence string
	Confidence             int // percent
}

type flowRow struct {
	*domain.Flow
	Service string
	Share   int // percent of the device's packets, for the bar
}

// deviceFlowLimit is how many of a device's flows its page shows.
const deviceFlowLimit = 100

// deviceNetwork loads what discovery learned about d.
func (s *Server) deviceNetwork(ctx context.Context, d *domain.Device) (*networkView, error) {
	v := &networkView{}
	var err error
	if v.Observations, err = s.st.FindObservations(ctx, d.ID); err != nil {
		return nil, err
	}
	if v.Identities, err = s.st.FindNetworkIdentities(ctx, d.ID); err != nil {
		return nil, err
	}
	flows, more, err := s.st.FindFlows(ctx, domain.FlowFilter{DeviceID: d.ID, Limit: deviceFlowLimit})
	if err != nil {
		return nil, err
	}
	v.MoreFlows = more
	slices.SortStableFunc(flows, func(a, b *domain.Flow) int { return int(min(max(b.Packets-a.Packets, -1), 1)) })
	var total int64
	for _, f := range flows {
		total += f.Packets
	}
	for _, f := range flows {
		svc := f.Transport
		if f.Port != 0 {
			svc = fmt.Sprintf("%s/%d", f.Transport, f.Port)
		}
		share := 0
		if total > 0 {
			share = int(f.Packets * 100 / total)
		}
		v.Flows = append(v.Flows, flowRow{Flow: f, Service: svc, Share: share})
	}
	for _, e := range d.Provenance {
		if e.Kind != domain.SourceDiscovery || e.Ref == "" {
			continue
		}
		for _, f := range e.Fields {
			fi, _ := domain.LookupField(string(f))
			v.Suggestions = append(v.Suggestions, suggestionRow{Field: fi.Label, Value: d.Get(f), Evidence: e.Ref,
				Confidence: int(e.Confidence*100 + 0.5)})
		}
	}
	slices.SortFunc(v.Suggestions, func(a, b suggestionRow) int { return strings.Compare(a.Field, b.Field) })
	return v, nil
}
