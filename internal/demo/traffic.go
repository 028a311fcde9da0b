package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// dicomRoots are the implementation class UID roots the demo's imaging
// devices announce, by manufacturer (the roots the fingerprint rules know).
var dicomRoots = map[string]string{
	"GE HealthCare":        "1.2.840.113619.6.374",
	"Siemens Healthineers": "1.3.12.2.1107.5.2",
	"Philips":              "1.3.46.670589.40.1",
	"Fujifilm":             "1.2.392.200036.9125.0.1",
}

// seedTraffic gives the practice's imaging devices what a day of passive
// discovery would have recorded: their DICOM associations with the first
// workstation (the PACS), as observations and flows.
func seedTraffic(ctx context.Context, st store.Store, now time.Time) error {
	var pacs *domain.Device
	var modalities []*domain.Device
	err := st.EachDevice(ctx, domain.DeviceFilter{}, func(d *domain.Device) error {
		if len(d.MACs) == 0 || len(d.IPs) == 0 {
			return nil
		}
		switch {
		case d.Category == "workstation" && pacs == nil:
			pacs = d
		case d.Category == "imaging" && len(modalities) < 12:
			modalities = append(modalities, d)
		}
		return nil
	})
	if err != nil || pacs == nil || len(modalities) == 0 {
		return err
	}
	day := now.UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
	b := &domain.DiscoveryBatch{Source: "sensor:demo-span"}
	server := &domain.DiscoveredHost{MACs: pacs.MACs[:1], IPs: pacs.IPs[:1],
		Observations: []domain.Observation{{At: day, Kind: domain.ObsOpenPort, Value: "tcp/104 dicom", Evidence: "TCP SYN-ACK from port 104"}}}
	for i, d := range modalities {
		at := day.Add(time.Duration(7+i%10) * time.Hour)
		ae := fmt.Sprintf("MOD%02d", i+1)
		h := &domain.DiscoveredHost{MACs: d.MACs[:1], IPs: d.IPs[:1],
			Observations: []domain.Observation{
				{At: at, Kind: domain.ObsDICOMAETitle, Value: ae, Evidence: "DICOM A-ASSOCIATE-RQ calling AE title"},
				{At: at, Kind: domain.ObsDICOMCommand, Value: "C-STORE", Evidence: "DICOM P-DATA command field C-STORE-RQ"},
			},
			Identities: []domain.NetworkIdentity{{MAC: d.MACs[0], IP: d.IPs[0], FirstSeen: at, LastSeen: at.Add(8 * time.Hour)}}}
		if root, ok := dicomRoots[d.Manufacturer]; ok {
			h.Observations = append(h.Observations, domain.Observation{At: at, Kind: domain.ObsDICOMImplUID, Value: root, Evidence: "DICOM A-ASSOCIATE-RQ implementation class UID"})
		}
		f := &domain.Flow{LocalIP: d.IPs[0], PeerIP: pacs.IPs[0], PeerMAC: pacs.MACs[0], Transport: "tcp", Port: 104, App: "dicom",
			Outbound: true, Bytes: int64(40+i*7) << 20, Packets: int64(30000 + i*4100), FirstSeen: at, LastSeen: at.Add(8 * time.Hour)}
		for hr := 0; hr < 8; hr++ {
			f.Hours[at.Add(time.Duration(hr)*time.Hour).Hour()] = f.Packets / 8
		}
		h.Flows = []*domain.Flow{f}
		in := *f
		in.LocalIP, in.PeerIP, in.PeerMAC, in.Outbound = pacs.IPs[0], d.IPs[0], d.MACs[0], false
		server.Flows = append(server.Flows, &in)
		b.Hosts = append(b.Hosts, h)
	}
	b.Hosts = append(b.Hosts, server)
	_, err = st.ApplyDiscovery(domain.WithActor(ctx, domain.Actor{Kind: domain.ActorDiscovery, Name: b.Source}), b)
	return err
}
