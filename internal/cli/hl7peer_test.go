package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// hl7MSH is what testdata/hl7peer/mllp.js reports of a message's header,
// as @medplum/hl7 itself reads it.
type hl7MSH struct {
	SendingApplication   string `json:"sendingApplication"`
	SendingFacility      string `json:"sendingFacility"`
	ReceivingApplication string `json:"receivingApplication"`
	ReceivingFacility    string `json:"receivingFacility"`
	MessageType          string `json:"messageType"`
	Version              string `json:"version"`
}

// hl7PeerModules installs the peer's locked npm dependencies
// (testdata/hl7peer/package-lock.json: @medplum/hl7 4.5.2) with npm ci, once
// per lock file, in a directory under the temporary directory, and copies
// the script there; it returns the script's path.
func hl7PeerModules(t *testing.T) string {
	t.Helper()
	lock, err := os.ReadFile("testdata/hl7peer/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	dir := filepath.Join(os.TempDir(), "vigil-hl7peer-"+hex.EncodeToString(sum[:6]))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@medplum", "hl7", "package.json")); err != nil {
		tmp, err := os.MkdirTemp(os.TempDir(), "vigil-hl7peer-install-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		for _, f := range []string{"package.json", "package-lock.json"} {
			b, err := os.ReadFile(filepath.Join("testdata/hl7peer", f))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(tmp, f), b, 0o644)
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
		cmd.Dir = tmp
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci (testdata/hl7peer): %v\n%s", err, out)
		}
		// Another test process may have installed it meanwhile: keep theirs.
		if err := os.Rename(tmp, dir); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	script, err := os.ReadFile("testdata/hl7peer/mllp.js")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("mllp-%d.js", os.Getpid()))
	if err := os.WriteFile(path, script, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(path) })
	return path
}

// Ensure Vigil reads exactly the MSH fields two real MLLP endpoints
// (@medplum/hl7 4.5.2's Hl7Client and Hl7Server, on Node) exchanged — the
// sending and receiving application and facility, message type and
// version of the ADT^A01 and of the package's own ACK — and that no patient
// data from the PID segment reaches the store. The exchange runs on the
// loopback of a network namespace the test creates (the server listens on
// every address of its namespace), captured there by tcpdump.
func TestHL7MLLPPeers(t *testing.T) {
	if os.Geteuid() != 0 {
		requirePeers(t, "not root: cannot create a network namespace or capture")
	}
	for _, tool := range []string{"ip", "tcpdump", "node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			requirePeers(t, tool+" is not installed")
		}
	}
	script := hl7PeerModules(t)
	dir := t.TempDir()
	ns := fmt.Sprintf("vigil-hl7-%d", os.Getpid())
	sh := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	exec.Command("ip", "netns", "del", ns).Run()
	sh("ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pcap := filepath.Join(dir, "hl7.pcap")
	stopCapture := vigiltest.Tcpdump(t, ctx, "ip", "netns", "exec", ns, "tcpdump", "-i", "lo", "-U", "-n", "-w", pcap, "tcp port 2575")

	out, err := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "node", script, "2575").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node mllp.js: %v\n%s%s", err, out, stderr)
	}
	var ran struct {
		Message, Ack hl7MSH
		PID          []string
		Marker       uint16
	}
	if err := json.Unmarshal(out, &ran); err != nil || ran.Marker == 0 || ran.Message.MessageType == "" || ran.Ack.MessageType == "" {
		t.Fatalf("mllp.js output %q: %v", out, err)
	}
	// tcpdump writes asynchronously: the script's last, empty connection
	// comes after the exchange, so once it is in the file everything is.
	for !hl7CaptureHasPort(pcap, ran.Marker) {
		select {
		case <-ctx.Done():
			t.Fatal("tcpdump never wrote the marker connection")
		case <-time.After(20 * time.Millisecond):
		}
	}
	stopCapture()

	raw, err := os.ReadFile(pcap)
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string // the PID values, cut into the pieces a leak could hold
	for _, v := range ran.PID {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == '^' || r == ' ' }) {
			if len(part) >= 4 && part != "VIGIL" { // VIGIL is also in MSH, legitimately
				secrets = append(secrets, part)
			}
		}
	}
	for _, s := range secrets {
		if !bytes.Contains(raw, []byte(s)) {
			t.Fatalf("the capture lacks the PID value %q, so the privacy check proves nothing", s)
		}
	}

	// What the dissector reads: exactly the header fields the peers used.
	got := map[domain.ObservationKind][]string{}
	src, err := capture.OpenFile(pcap)
	if err != nil {
		t.Fatal(err)
	}
	d := dissect.NewDecoder("pcap:hl7.pcap")
	var p dissect.Packet
	for {
		f, err := src.Next()
		if err != nil {
			break
		}
		_ = d.Decode(f.At, dissect.LinkType(f.Link), f.Data, &p, func(o domain.Observation) {
			for _, s := range secrets {
				if strings.Contains(o.Value, s) || strings.Contains(o.Evidence, s) {
					t.Errorf("observation %+v holds patient data %q", o, s)
				}
			}
			if !slices.Contains(got[o.Kind], o.Value) {
				got[o.Kind] = append(got[o.Kind], o.Value)
			}
		})
	}
	src.Close()
	check := func(k domain.ObservationKind, want ...string) {
		t.Helper()
		slices.Sort(want)
		want = slices.Compact(want)
		slices.Sort(got[k])
		if !slices.Equal(got[k], want) {
			t.Errorf("%s: got %q, want %q", k, got[k], want)
		}
	}
	m, a := ran.Message, ran.Ack
	check(domain.ObsHL7Application, m.SendingApplication, m.ReceivingApplication, a.SendingApplication, a.ReceivingApplication)
	check(domain.ObsHL7Facility, m.SendingFacility, m.ReceivingFacility, a.SendingFacility, a.ReceivingFacility)
	check(domain.ObsHL7Message, m.MessageType+" "+m.Version, a.MessageType+" "+a.Version)

	// What reaches the store: the header facts, and no byte of the PID
	// values anywhere in the database files.
	db := newPractice(t)
	run(t, db, "--json", "discover", "pcap", pcap, "--site", "main-clinic").must(t)
	var files bytes.Buffer
	matches, _ := filepath.Glob(db + "*")
	for _, f := range matches {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files.Write(b)
	}
	for _, want := range []string{m.SendingApplication, m.ReceivingFacility, m.MessageType + " " + m.Version} {
		if !bytes.Contains(files.Bytes(), []byte(want)) {
			t.Errorf("the store lacks %q: the byte scan below would prove nothing", want)
		}
	}
	for _, s := range secrets {
		if bytes.Contains(files.Bytes(), []byte(s)) {
			t.Errorf("the store holds patient data %q", s)
		}
	}
}

// hl7CaptureHasPort reports whether a (possibly still growing) capture
// file holds a TCP frame from port.
func hl7CaptureHasPort(path string, port uint16) bool {
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
