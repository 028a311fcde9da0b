package dissect_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// requireTool finds a peer program; under VIGIL_REQUIRE_PEERS=1 (CI) a
// missing one fails the test instead of skipping it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("VIGIL_REQUIRE_PEERS") == "1" {
			t.Fatalf("%s is required (VIGIL_REQUIRE_PEERS=1): %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// TestDCMTKPeers runs DCMTK's storescp, echoscu and storescu on loopback
// while tcpdump captures, then decodes the capture: the AE titles,
// implementation class UID and version name must be exactly those the
// programs used (the UID and version as echoscu itself logs them).
func TestDCMTKPeers(t *testing.T) {
	tcpdump := requireTool(t, "tcpdump")
	storescp := requireTool(t, "storescp")
	echoscu := requireTool(t, "echoscu")
	storescu := requireTool(t, "storescu")
	dump2dcm := requireTool(t, "dump2dcm")
	dir := t.TempDir()
	if d := os.Getenv("VIGIL_KEEP"); d != "" {
		dir = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()

	// A small Secondary Capture object with synthetic data.
	dump := filepath.Join(dir, "sc.dump")
	dcm := filepath.Join(dir, "sc.dcm")
	os.WriteFile(dump, []byte(`(0008,0016) UI =SecondaryCaptureImageStorage
(0008,0018) UI [1.2.826.0.1.3680043.2.1143.99.1]
(0008,0060) CS [OT]
(0010,0010) PN [SYNTHETIC^TEST]
(0020,000d) UI [1.2.826.0.1.3680043.2.1143.99.2]
(0020,000e) UI [1.2.826.0.1.3680043.2.1143.99.3]
`), 0o644)
	if out, err := exec.CommandContext(ctx, dump2dcm, "--write-xfer-little", dump, dcm).CombinedOutput(); err != nil {
		t.Fatalf("dump2dcm: %v\n%s", err, out)
	}

	pcap := filepath.Join(dir, "dicom.pcap")
	stopCapture := vigiltest.Tcpdump(t, ctx, tcpdump, "-i", "lo", "-U", "-n", "-w", pcap, "tcp port "+port)

	scp := exec.CommandContext(ctx, storescp, "-aet", "VIGIL_SCP", "-od", dir, port)
	if err := scp.Start(); err != nil {
		t.Fatal(err)
	}
	defer scp.Process.Kill()
	for { // wait until storescp accepts connections
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("storescp did not listen")
		case <-time.After(20 * time.Millisecond):
		}
	}
	echoOut, err := exec.CommandContext(ctx, echoscu, "-d", "-aet", "VIGIL_ECHO", "-aec", "VIGIL_SCP", "127.0.0.1", port).CombinedOutput()
	if err != nil {
		t.Fatalf("echoscu: %v\n%s", err, echoOut)
	}
	if out, err := exec.CommandContext(ctx, storescu, "-aet", "VIGIL_STORE", "-aec", "VIGIL_SCP", "127.0.0.1", port, dcm).CombinedOutput(); err != nil {
		t.Fatalf("storescu: %v\n%s", err, out)
	}
	// tcpdump reads the kernel's buffer asynchronously: make a marker
	// connection and wait until the capture file holds its SYN.
	mc, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	marker := uint16(mc.LocalAddr().(*net.TCPAddr).Port)
	mc.Close()
	for !captureHasPort(pcap, marker) {
		select {
		case <-ctx.Done():
			t.Fatal("tcpdump never wrote the marker connection")
		case <-time.After(20 * time.Millisecond):
		}
	}
	scp.Process.Kill()
	scp.Wait()
	stopCapture()

	uid := regexp.MustCompile(`Our Implementation Class UID:\s+(\S+)`).FindSubmatch(echoOut)
	ver := regexp.MustCompile(`Our Implementation Version Name:\s+(\S+)`).FindSubmatch(echoOut)
	if uid == nil || ver == nil {
		t.Fatalf("echoscu -d did not log its implementation:\n%s", echoOut)
	}

	r := decodeFile(t, pcap)
	got := map[domain.ObservationKind][]string{}
	for _, o := range r.obs {
		if !slices.Contains(got[o.Kind], o.Value) {
			got[o.Kind] = append(got[o.Kind], o.Value)
		}
	}
	for k := range got {
		slices.Sort(got[k])
	}
	check := func(k domain.ObservationKind, want ...string) {
		t.Helper()
		slices.Sort(want)
		if !slices.Equal(got[k], want) {
			t.Errorf("%s: got %q, want %q", k, got[k], want)
		}
	}
	check(domain.ObsDICOMAETitle, "VIGIL_ECHO", "VIGIL_SCP", "VIGIL_STORE")
	check(domain.ObsDICOMImplUID, string(uid[1]))
	check(domain.ObsDICOMImplVer, string(ver[1]))
	check(domain.ObsDICOMCommand, "C-ECHO", "C-STORE")
	if !slices.Contains(got[domain.ObsDICOMAbstract], "1.2.840.10008.5.1.4.1.1.7") {
		t.Errorf("the Secondary Capture SOP class was not among the abstract syntaxes: %q", got[domain.ObsDICOMAbstract])
	}
	if r.apps["dicom"] == 0 || len(r.errs) > 0 {
		t.Errorf("apps %v, errors %v", r.apps, r.errs)
	}
}

// captureHasPort reports whether a (possibly still growing) capture file
// holds a TCP frame from port.
func captureHasPort(path string, port uint16) bool {
	src, err := capture.OpenFile(path)
	if err != nil {
		return false
	}
	defer src.Close()
	d := dissect.NewDecoder("probe")
	var p dissect.Packet
	for {
		f, err := src.Next()
		if err != nil {
			return false
		}
		_ = d.Decode(f.At, dissect.LinkType(f.Link), f.Data, &p, nil)
		if p.Proto == 6 && p.SrcPort == port {
			return true
		}
	}
}
