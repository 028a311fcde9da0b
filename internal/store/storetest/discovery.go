package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func testDiscovery(t *testing.T, open Opener) {
	s := open(t)
	a := practice(t, s, "Practice A", "Main")
	b := practice(t, s, "Practice B", "Main")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	disc := domain.WithActor(a, domain.Actor{Kind: domain.ActorDiscovery, Name: "pcap:ward3.pcap"})
	// A device entered by hand, whose manufacturer discovery must not replace.
	manualDev := mustCreate(t, s, a, map[domain.Field]string{domain.FieldName: "CT scanner", domain.FieldMACs: "00:09:fb:00:00:01",
		domain.FieldManufacturer: "Siemens Healthineers"})
	flow := func(peer string, port int, bytes int64, at time.Time) *domain.Flow {
		f := &domain.Flow{LocalIP: "10.0.0.5", PeerIP: peer, Transport: "tcp", Port: port, App: "dicom", Outbound: true,
			Bytes: bytes, Packets: 2, FirstSeen: at, LastSeen: at.Add(time.Minute)}
		f.Hours[at.Hour()] = 2
		return f
	}
	batch := &domain.DiscoveryBatch{Source: "pcap:ward3.pcap", Hosts: []*domain.DiscoveredHost{
		{MACs: []string{"00:09:fb:00:00:01"}, IPs: []string{"10.0.0.5"},
			Suggestions: []domain.Suggestion{
				{Field: domain.FieldManufacturer, Value: "Philips", Evidence: "OUI 00:09:FB → Philips Medical Systems", Confidence: 0.6},
				{Field: domain.FieldCategory, Value: "imaging", Evidence: "DICOM traffic", Confidence: 0.7},
			},
			Observations: []domain.Observation{
				{At: t0, Kind: domain.ObsDICOMAETitle, Value: "CT01", Evidence: "A-ASSOCIATE-RQ frame 3"},
				{At: t0.Add(time.Hour), Kind: domain.ObsDICOMAETitle, Value: "CT01", Confidence: 0.9},
			},
			Identities: []domain.NetworkIdentity{{MAC: "00:09:fb:00:00:01", IP: "10.0.0.5", FirstSeen: t0, LastSeen: t0.Add(time.Hour)}},
			Flows:      []*domain.Flow{flow("10.0.0.9", 104, 1000, t0), flow("10.0.0.9", 104, 500, t0.Add(2*time.Hour))},
		},
		{MACs: []string{"00:1b:21:aa:bb:cc"}, IPs: []string{"10.0.0.9"}, Hostnames: []string{"pacs"},
			Suggestions:  []domain.Suggestion{{Field: domain.FieldManufacturer, Value: "Intel", Evidence: "OUI 00:1B:21 → Intel", Confidence: 0.3}},
			Observations: []domain.Observation{{At: t0, Kind: domain.ObsHostname, Value: "pacs"}},
		},
	}}
	res, err := s.ApplyDiscovery(domain.WithNow(disc, t0), batch)
	if err != nil {
		t.Fatal(err)
	}
	if res.NewDevices != 1 || res.UpdatedDevices != 1 || res.Observations != 2 || res.NewObservations != 2 || res.Flows != 1 || res.Identities != 1 {
		t.Fatalf("result %+v", res)
	}
	if res.DeviceIDs[0] != manualDev.ID {
		t.Fatalf("host 0 matched device %d, want %d", res.DeviceIDs[0], manualDev.ID)
	}
	t.Run("ManualValueKept", func(t *testing.T) {
		d, err := s.FindDeviceByID(a, manualDev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Manufacturer != "Siemens Healthineers" || d.Category != "imaging" || len(d.IPs) != 1 || d.IPs[0] != "10.0.0.5" {
			t.Fatalf("device %+v", d)
		}
		src, _ := d.Provenance.Of(domain.FieldCategory)
		if src.Kind != domain.SourceDiscovery || src.Ref != "DICOM traffic" || src.Confidence != 0.7 || src.Actor != "discovery:pcap:ward3.pcap" {
			t.Fatalf("category provenance %+v", src)
		}
		if src, _ := d.Provenance.Of(domain.FieldManufacturer); src.Kind != domain.SourceManual {
			t.Fatalf("manufacturer provenance %+v", src)
		}
	})
	t.Run("NewDeviceUnreviewed", func(t *testing.T) {
		d, err := s.FindDeviceByID(a, res.DeviceIDs[1])
		if err != nil {
			t.Fatal(err)
		}
		if d.Review != domain.Unreviewed || d.Manufacturer == "" || d.Hostnames[0] != "pacs" || d.MACs[0] != "00:1b:21:aa:bb:cc" {
			t.Fatalf("device %+v", d)
		}
		if src, _ := d.Provenance.Of(domain.FieldManufacturer); src.Kind != domain.SourceDiscovery || src.Confidence != 0.3 {
			t.Fatalf("manufacturer provenance %+v", src)
		}
		evs, err := s.FindAuditEvents(a, domain.AuditFilter{ObjectType: "device", ObjectID: d.ID})
		if err != nil || len(evs) != 1 || evs[0].Action != "device.create" || evs[0].Actor.String() != "discovery:pcap:ward3.pcap" {
			t.Fatalf("audit %v %+v", err, evs)
		}
	})
	t.Run("ObservationsDeduplicated", func(t *testing.T) {
		obs, err := s.FindObservations(a, manualDev.ID)
		if err != nil || len(obs) != 1 {
			t.Fatalf("observations %v %+v", err, obs)
		}
		o := obs[0]
		if o.Kind != domain.ObsDICOMAETitle || o.Value != "CT01" || o.Count != 2 || o.Confidence != 0.9 ||
			!o.FirstSeen.Equal(t0) || !o.LastSeen.Equal(t0.Add(time.Hour)) || o.Source != "pcap:ward3.pcap" {
			t.Fatalf("observation %+v", o)
		}
	})
	t.Run("FlowsAdd", func(t *testing.T) {
		// The same batch again: observations refresh, flows add up, nothing
		// about the devices changes.
		res2, err := s.ApplyDiscovery(domain.WithNow(disc, t0.Add(time.Hour)), batch)
		if err != nil {
			t.Fatal(err)
		}
		if res2.NewDevices != 0 || res2.UpdatedDevices != 0 || res2.NewObservations != 0 {
			t.Fatalf("second result %+v", res2)
		}
		flows, more, err := s.FindFlows(a, domain.FlowFilter{DeviceID: manualDev.ID})
		if err != nil || more || len(flows) != 1 {
			t.Fatalf("flows %v %v %+v", err, more, flows)
		}
		f := flows[0]
		if f.Bytes != 3000 || f.Packets != 8 || f.Hours[9] != 4 || f.Hours[11] != 4 || !f.FirstSeen.Equal(t0) ||
			!f.LastSeen.Equal(t0.Add(2*time.Hour+time.Minute)) || !f.Outbound || f.Port != 104 || f.PeerID != res.DeviceIDs[1] {
			t.Fatalf("flow %+v", f)
		}
		ids, err := s.FindNetworkIdentities(a, manualDev.ID)
		if err != nil || len(ids) != 1 || ids[0].IP != "10.0.0.5" || !ids[0].LastSeen.Equal(t0.Add(time.Hour)) {
			t.Fatalf("identities %v %+v", err, ids)
		}
	})
	t.Run("ManyRows", func(t *testing.T) {
		// More rows than one statement carries (500), twice over and a
		// remainder, written twice: the second time every row exists.
		h := &domain.DiscoveredHost{MACs: []string{"00:09:fb:00:00:77"}, IPs: []string{"10.0.0.77"}}
		for p := range 1234 {
			f := flow("10.0.9.9", 20000+p, 10, t0)
			f.LocalIP = "10.0.0.77"
			h.Flows = append(h.Flows, f)
		}
		for i := range 700 {
			h.Observations = append(h.Observations, domain.Observation{At: t0, Kind: domain.ObsDNSQuery, Value: fmt.Sprintf("n%d.example.org", i)})
		}
		// The first flow again, later: one row, the two added, and the
		// batch's own records left as they were.
		again := *h.Flows[0]
		again.FirstSeen, again.LastSeen = t0.Add(time.Hour), t0.Add(2*time.Hour)
		h.Flows = append(h.Flows, &again)
		batch := &domain.DiscoveryBatch{Source: "x", Hosts: []*domain.DiscoveredHost{h}}
		c := practice(t, s, "Practice C", "Main") // its own: the other subtests count the flows of A
		cdisc := domain.WithActor(c, domain.Actor{Kind: domain.ActorDiscovery, Name: "x"})
		for round, want := range []int{700, 0} {
			res, err := s.ApplyDiscovery(cdisc, batch)
			if err != nil {
				t.Fatal(err)
			}
			if res.Flows != 1234 || res.Observations != 700 || res.NewObservations != want { // 1,235 flows, one twice
				t.Fatalf("round %d: %+v", round, res)
			}
			flows := allFlows(t, s, c, domain.FlowFilter{DeviceID: res.DeviceIDs[0], Limit: 1000})
			if len(flows) != 1234 {
				t.Fatalf("round %d: %d flows", round, len(flows))
			}
			for _, f := range flows {
				want := int64(2 * (round + 1))
				if f.Port == 20000 {
					want *= 2 // the flow the batch carries twice
					if !f.FirstSeen.Equal(t0) || !f.LastSeen.Equal(t0.Add(2*time.Hour)) {
						t.Fatalf("round %d: folded flow %+v", round, f)
					}
				}
				if f.Packets != want {
					t.Fatalf("round %d: flow %+v, want %d packets", round, f, want)
				}
			}
			if h.Flows[0].Packets != 2 || again.Packets != 2 {
				t.Fatalf("the store changed the batch's flows: %+v %+v", h.Flows[0], again)
			}
		}
	})
	t.Run("FlowsOnly", func(t *testing.T) {
		// A later batch of one write names the device the store gave the
		// host, and carries only flows: they go to that device, and only
		// if it is the practice's.
		c := practice(t, s, "Practice D", "Main")
		cdisc := domain.WithActor(c, domain.Actor{Kind: domain.ActorDiscovery, Name: "x"})
		first := &domain.DiscoveredHost{MACs: []string{"00:09:fb:00:00:88"}, IPs: []string{"10.0.0.88"}}
		res, err := s.ApplyDiscovery(cdisc, &domain.DiscoveryBatch{Source: "x", Hosts: []*domain.DiscoveredHost{first}})
		if err != nil || res.NewDevices != 1 || first.DeviceID != res.DeviceIDs[0] || first.DeviceID == 0 {
			t.Fatalf("%v %+v, host's device %d", err, res, first.DeviceID)
		}
		later := &domain.DiscoveredHost{MACs: first.MACs, IPs: first.IPs, DeviceID: first.DeviceID, Flows: []*domain.Flow{flow("10.0.9.1", 3000, 10, t0)}}
		later.Flows[0].LocalIP = "10.0.0.88"
		if res, err := s.ApplyDiscovery(cdisc, &domain.DiscoveryBatch{Source: "x", Hosts: []*domain.DiscoveredHost{later}}); err != nil || res.DeviceIDs[0] != first.DeviceID || res.Flows != 1 {
			t.Fatalf("%v %+v", err, res)
		}
		if got, _, err := s.FindFlows(c, domain.FlowFilter{DeviceID: first.DeviceID}); err != nil || len(got) != 1 || got[0].Port != 3000 {
			t.Fatalf("%v %+v", err, got)
		}
		// Another practice naming this device gets its own.
		e := practice(t, s, "Practice E", "Main")
		edisc := domain.WithActor(e, domain.Actor{Kind: domain.ActorDiscovery, Name: "x"})
		other := &domain.DiscoveredHost{MACs: first.MACs, DeviceID: first.DeviceID, Flows: []*domain.Flow{flow("10.0.9.2", 3001, 10, t0)}}
		res, err = s.ApplyDiscovery(edisc, &domain.DiscoveryBatch{Source: "x", Hosts: []*domain.DiscoveredHost{other}})
		if err != nil || res.DeviceIDs[0] == first.DeviceID || res.NewDevices != 1 {
			t.Fatalf("practice E wrote to practice D's device: %v %+v", err, res)
		}
		if got, _, err := s.FindFlows(c, domain.FlowFilter{DeviceID: first.DeviceID}); err != nil || len(got) != 1 {
			t.Fatalf("practice D's device has %d flows: %v", len(got), err)
		}
	})
	t.Run("Paging", func(t *testing.T) {
		h := &domain.DiscoveredHost{IPs: []string{"10.0.0.20"}}
		for p := range 5 {
			h.Flows = append(h.Flows, flow("10.0.1.1", 1000+p, 10, t0))
		}
		if _, err := s.ApplyDiscovery(disc, &domain.DiscoveryBatch{Source: "x", Hosts: []*domain.DiscoveredHost{h}}); err != nil {
			t.Fatal(err)
		}
		all := allFlows(t, s, a, domain.FlowFilter{Limit: 2})
		if len(all) != 6 {
			t.Fatalf("paged %d flows, want 6", len(all))
		}
		got, _, _ := s.FindFlows(a, domain.FlowFilter{Port: 1003})
		if len(got) != 1 || got[0].Port != 1003 {
			t.Fatalf("port filter %+v", got)
		}
	})
	t.Run("Isolation", func(t *testing.T) {
		_, err := s.FindObservations(b, manualDev.ID)
		wantCode(t, err, domain.CodeNotFound)
		flows, _, err := s.FindFlows(b, domain.FlowFilter{})
		if err != nil || len(flows) != 0 {
			t.Fatalf("practice B sees flows %v %+v", err, flows)
		}
		_, err = s.ApplyDiscovery(ctxFor(0), batch)
		wantCode(t, err, domain.CodeForbidden)
	})
	t.Run("ErrNoIdentity", func(t *testing.T) {
		_, err := s.ApplyDiscovery(a, &domain.DiscoveryBatch{Source: "x", Hosts: []*domain.DiscoveredHost{{}}})
		wantCode(t, err, domain.CodeInvalid)
	})
}

// allFlows reads every page of the flows f selects.
func allFlows(t *testing.T, s store.Store, ctx context.Context, f domain.FlowFilter) []*domain.Flow {
	t.Helper()
	var all []*domain.Flow
	for {
		page, more, err := s.FindFlows(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if !more {
			return all
		}
		f.AfterID = page[len(page)-1].ID
	}
}
