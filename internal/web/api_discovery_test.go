package web_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure the discovery endpoints return what discovery stored, page flows
// with a cursor, and show it on the device page.
func TestAPI_Discovery(t *testing.T) {
	e := newAPIEnv(t)
	tn := e.tenants["alpha-clinic"]
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	h := &domain.DiscoveredHost{MACs: []string{"00:09:fb:3a:11:02"}, IPs: []string{"10.20.0.31"},
		Suggestions:  []domain.Suggestion{{Field: domain.FieldManufacturer, Value: "Philips", Evidence: "OUI 00:09:FB → Philips Patient Monitoring", Confidence: 0.4}},
		Observations: []domain.Observation{{At: at, Kind: domain.ObsHostname, Value: "mx450-bed3", Evidence: "DHCP option 12, frame 7"}},
		Identities:   []domain.NetworkIdentity{{MAC: "00:09:fb:3a:11:02", IP: "10.20.0.31", FirstSeen: at, LastSeen: at}}}
	for p := range 3 {
		h.Flows = append(h.Flows, &domain.Flow{LocalIP: "10.20.0.31", PeerIP: "10.20.0.9", Transport: "tcp", Port: 104 + p, App: "dicom",
			Outbound: true, Bytes: 100, Packets: int64(p + 1), FirstSeen: at, LastSeen: at})
	}
	res, err := e.st.ApplyDiscovery(vigiltest.Context(tn.ID), &domain.DiscoveryBatch{Source: "pcap:ward3.pcap", Hosts: []*domain.DiscoveredHost{h}})
	if err != nil {
		t.Fatal(err)
	}
	did := fmt.Sprint(res.DeviceIDs[0])
	viewer := e.newToken("alpha-clinic", domain.RoleViewer, "reader")
	r := e.do(viewer, "GET", "/devices/"+did+"/observations", nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"value":"mx450-bed3"`) || !strings.Contains(string(r.body), `"ip":"10.20.0.31"`) {
		t.Fatalf("observations: %d %s", r.status, r.body)
	}
	var ports []string
	path := "/flows?limit=2&app=dicom"
	for path != "" {
		r = e.do(viewer, "GET", path, nil)
		for _, it := range r.items(t) {
			ports = append(ports, fmt.Sprint(it["port"]))
		}
		path = ""
		if next, ok := r.json(t)["next_cursor"].(string); ok {
			path = "/flows?limit=2&app=dicom&cursor=" + next
		}
	}
	if strings.Join(ports, ",") != "104,105,106" {
		t.Fatalf("paged ports %v", ports)
	}
	r = e.do(viewer, "GET", "/devices/"+did+"/flows?port=105", nil)
	if items := r.items(t); len(items) != 1 || items[0]["packets"] != float64(2) {
		t.Fatalf("device flows: %s", r.body)
	}
	if r = e.send(viewer, "GET", "/flows?port=http", nil); r.status != http.StatusBadRequest {
		t.Fatalf("bad port: %d", r.status)
	}
	// The other practice sees none of it.
	other := e.newToken("beta-clinic", domain.RoleViewer, "other")
	if r = e.send(other, "GET", "/devices/"+did+"/observations", nil); r.status != http.StatusNotFound {
		t.Fatalf("other practice: %d", r.status)
	}
	if items := e.do(other, "GET", "/flows", nil).items(t); len(items) != 0 {
		t.Fatalf("other practice sees flows %v", items)
	}
	// The device page shows both sections with the evidence.
	s := e.newSession("alpha-clinic", domain.RoleViewer, "viewer@alpha.example")
	req, _ := http.NewRequest("GET", e.ts.URL+"/devices/"+did+"?tenant=alpha-clinic", nil)
	req.AddCookie(&http.Cookie{Name: "vigil_session", Value: s.cookie})
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	for _, want := range []string{"Seen on the network", "Peers and protocols", "OUI 00:09:FB → Philips Patient Monitoring", "mx450-bed3", "tcp/104"} {
		if !strings.Contains(page, want) {
			t.Errorf("device page lacks %q (status %d)", want, resp.StatusCode)
		}
	}
}
