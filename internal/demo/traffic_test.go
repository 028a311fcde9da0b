package demo_test

import (
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure the demo carries discovered traffic: DICOM flows from imaging
// devices to the PACS, with the observations behind them, changing no
// device value.
func TestSeed_Traffic(t *testing.T) {
	s := mustSeed(t, vigiltest.MustOpenSQLite(t), refOptions)
	flows, _, err := s.st.FindFlows(s.ctx, domain.FlowFilter{App: "dicom", Limit: 1000})
	if err != nil || len(flows) < 4 {
		t.Fatalf("%d DICOM flows (%v)", len(flows), err)
	}
	out := 0
	for _, f := range flows {
		if f.Outbound {
			out++
			if f.PeerID == 0 || f.Port != 104 || f.Bytes == 0 {
				t.Fatalf("flow %+v", f)
			}
		}
	}
	obs, err := s.st.FindObservations(s.ctx, flows[0].DeviceID)
	if err != nil || len(obs) == 0 {
		t.Fatalf("observations of device %d: %v %v", flows[0].DeviceID, obs, err)
	}
	for _, d := range s.devices { // the demo's patch work changes firmware; discovery changes nothing
		for _, p := range d.Provenance {
			if p.Kind == domain.SourceDiscovery {
				t.Fatalf("device %d was changed by the demo traffic: %v set by %s", d.ID, p.Fields, p.Describe())
			}
		}
	}
	if out == 0 || out*2 != len(flows) {
		t.Fatalf("%d outbound of %d flows", out, len(flows))
	}
}
