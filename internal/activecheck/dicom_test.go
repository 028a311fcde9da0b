package activecheck

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startStoreSCP runs DCMTK's storescp on a free loopback port and waits
// until it accepts connections.
func startStoreSCP(t *testing.T) netip.AddrPort {
	t.Helper()
	path, err := exec.LookPath("storescp")
	if err != nil {
		if os.Getenv("VIGIL_REQUIRE_PEERS") == "1" {
			t.Fatal("storescp (DCMTK) is not installed")
		}
		t.Skip("storescp (DCMTK) is not installed; set VIGIL_REQUIRE_PEERS=1 to make this a failure")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(path, "--aetitle", "STORESCP", "--output-directory", t.TempDir(), fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr.String(), time.Second)
		if err == nil {
			// A bare connect and close is logged by storescp as an
			// aborted association; harmless.
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("storescp did not start listening: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // poll for readiness, not for a result
	}
}

func TestEchoDCMTK(t *testing.T) {
	addr := startStoreSCP(t)
	res, err := EchoDICOM(context.Background(), addr, "STORESCP", "VIGIL", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Accepted || res.EchoStatus == nil || *res.EchoStatus != 0 {
		t.Fatalf("result %+v", res)
	}
	if !strings.HasPrefix(res.ImplClassUID, "1.2.276.0.7230010.3.") || !strings.HasPrefix(res.ImplVersion, "OFFIS_DCMTK_") {
		t.Fatalf("implementation %q %q", res.ImplClassUID, res.ImplVersion)
	}
	obs := res.Observations()
	if len(obs) != 4 || obs[0].Value != res.ImplClassUID {
		t.Fatalf("observations %+v", obs)
	}
}

func TestAllowList(t *testing.T) {
	a, err := ParseAllowList([]string{"10.20.0.0/24", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Target(context.Background(), "10.20.0.31:11112"); err != nil {
		t.Fatalf("allowed target refused: %v", err)
	}
	if _, err := a.Target(context.Background(), "10.20.1.31"); err == nil || !strings.Contains(err.Error(), "not on the allow-list") {
		t.Fatalf("outside target: %v", err)
	}
	if got, _ := a.Target(context.Background(), "127.0.0.1"); got.Port() != 104 {
		t.Fatalf("default port %v", got)
	}
	if _, err := ParseAllowList([]string{"10.20.0.0/33"}); err == nil {
		t.Fatal("a bad range was accepted")
	}
}

// FuzzParseAnswer feeds arbitrary peer answers to the A-ASSOCIATE-AC and
// C-ECHO-RSP readers, which must never panic.
func FuzzParseAnswer(f *testing.F) {
	ac := associateRQ("STORESCP", "VIGIL") // an RQ has the AC's layout
	f.Add(ac[6:])                          // a well-formed association PDU body
	f.Add(echoRQ()[6:])                    // a well-formed P-DATA body
	f.Add([]byte{0, 0, 0, 0x50, 0, 0xff})  // an item longer than the PDU
	f.Fuzz(func(t *testing.T, b []byte) {
		var res DICOMResult
		parseAssociateAC(b, &res)
		echoStatus(b)
		rejectReason(b)
	})
}
