//go:build linux

package capture

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// TestLiveLoopback captures on the loopback interface while the test sends
// itself UDP datagrams, with a kernel BPF filter compiled by tcpdump that
// keeps only the test's port.
func TestLiveLoopback(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("VIGIL_REQUIRE_PEERS") == "1" {
			t.Fatal("live capture needs root (VIGIL_REQUIRE_PEERS=1)")
		}
		t.Skip("live capture needs root")
	}
	tcpdump := requireTool(t, "tcpdump")
	rx, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	port := rx.LocalAddr().(*net.UDPAddr).Port
	out, err := exec.Command(tcpdump, "-ddd", "-y", "EN10MB", "udp dst port "+strconv.Itoa(port)).Output()
	if err != nil {
		t.Fatalf("tcpdump -ddd: %v", err)
	}
	prog, err := ParseBPF(string(out))
	if err != nil {
		t.Fatal(err)
	}
	l, err := OpenLive("lo", LiveOptions{Filter: prog})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tx, err := net.Dial("udp", rx.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	marker := []byte("vigil-live-capture-marker")
	deadline := time.Now().Add(10 * time.Second)
	got := 0
	for got < 3 && time.Now().Before(deadline) {
		tx.Write(marker)
		f, err := l.Next()
		if errors.Is(err, ErrTimeout) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(f.Data, marker) {
			t.Fatalf("the filter let through a frame without the marker: % x", f.Data[:min(len(f.Data), 64)])
		}
		if f.Link != 1 || f.OrigLen != len(f.Data) {
			t.Fatalf("frame link %d, length %d/%d", f.Link, len(f.Data), f.OrigLen)
		}
		got++
	}
	if got < 3 {
		t.Fatalf("captured %d marker frames", got)
	}
	if recv, _, err := l.Stats(); err != nil || recv == 0 {
		t.Fatalf("kernel statistics: %d received, %v", recv, err)
	}
}

func TestParseBPF(t *testing.T) {
	p, err := ParseBPF("2\n40 0 0 12\n6 0 0 65535\n")
	if err != nil || len(p) != 2 || p[1].K != 65535 || p[0].Code != 40 {
		t.Fatalf("%v %v", p, err)
	}
	for _, bad := range []string{"", "3\n40 0 0 12\n", "1\n40 0 0", "1\n99999999 0 0 1"} {
		if _, err := ParseBPF(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
