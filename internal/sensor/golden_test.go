package sensor

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/discovery"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenCaptures are shared captures whose discovery result is pinned:
// the devices found, their identities, classification suggestions,
// observations and flows.
var goldenCaptures = []string{
	"peers/dicom-echo-store.pcap",
	"peers/hl7-mllp-adt-a01.pcap",
	"discovery/zeek-dhcp.pcap",
	"discovery/zeek-dhcp_discover_param_req_and_client_id.pcap",
	"discovery/zeek-lldp.pcap",
	"discovery/zeek-cdp-v1.pcap",
	"discovery/zeek-snmpv2_get.pcap",
	"discovery/ndpi-ssdp-m-search.pcap",
	"discovery/zeek-mdns.pcap",
	"http/zeek-http-basic-auth-with-colon.pcap",
	"smb/zeek-smb311.pcap",
	"medical-devices/withings-bpm/2_6.pcap",
	"medical-devices/sense-u-babymonitor/1_6.pcap",
}

func TestGoldenCaptures(t *testing.T) {
	for _, rel := range goldenCaptures {
		t.Run(rel, func(t *testing.T) {
			path := vigiltest.SharedData(t, "pcap/"+rel)
			src, err := capture.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			source := domain.DiscoverySourceName("pcap", path)
			var hosts []*domain.DiscoveredHost
			eng := discovery.New(discovery.Options{Source: source}, func(_ context.Context, b *domain.DiscoveryBatch) error {
				hosts = append(hosts, b.Hosts...)
				return nil
			})
			st, err := Run(context.Background(), src, dissect.NewDecoder(source), eng, Options{NoRecover: true})
			if err != nil {
				t.Fatal(err)
			}
			got := render(st, hosts)
			golden := filepath.Join("testdata", strings.NewReplacer("/", "_", ".pcap", ".txt").Replace(rel))
			if *update {
				os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(want) != got {
				t.Errorf("discovery of %s differs from %s (run with -update to accept):\n%s", rel, golden, got)
			}
		})
	}
}

// render prints what discovery found, one host after another, in a stable
// order.
func render(st Stats, hosts []*domain.DiscoveredHost) string {
	var b strings.Builder
	fmt.Fprintf(&b, "frames %d, decode errors %d, observations %d\n", st.Frames, st.DecodeErrors, st.Observations)
	slices.SortFunc(hosts, func(x, y *domain.DiscoveredHost) int {
		return strings.Compare(strings.Join(x.MACs, ",")+strings.Join(x.IPs, ","), strings.Join(y.MACs, ",")+strings.Join(y.IPs, ","))
	})
	for _, h := range hosts {
		fmt.Fprintf(&b, "\nhost macs=%v ips=%v hostnames=%v\n", h.MACs, h.IPs, h.Hostnames)
		for _, id := range h.Identities {
			fmt.Fprintf(&b, "  identity %s %s %s..%s\n", id.MAC, id.IP, id.FirstSeen.Format("15:04:05"), id.LastSeen.Format("15:04:05"))
		}
		for _, s := range h.Suggestions {
			fmt.Fprintf(&b, "  suggest %s=%q %.2f: %s\n", s.Field, s.Value, s.Confidence, s.Evidence)
		}
		obs := slices.Clone(h.Observations)
		slices.SortFunc(obs, func(x, y domain.Observation) int {
			return strings.Compare(string(x.Kind)+x.Value, string(y.Kind)+y.Value)
		})
		for _, o := range obs {
			fmt.Fprintf(&b, "  observed %s=%q (%s)\n", o.Kind, o.Value, o.Evidence)
		}
		for _, f := range h.Flows {
			dir := "<-"
			if f.Outbound {
				dir = "->"
			}
			fmt.Fprintf(&b, "  flow %s %s %s %s/%d app=%s packets=%d bytes=%d\n", f.LocalIP, dir, f.PeerIP, f.Transport, f.Port, f.App, f.Packets, f.Bytes)
		}
	}
	return b.String()
}
