package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// Ensure `vigil sensor --interface` listens on a real interface (loopback
// here) through its own AF_PACKET socket, counts what the kernel passed,
// and stops cleanly when its context ends. The test's own datagrams are
// the traffic; the sensor only listens.
func TestSensorInterface(t *testing.T) {
	if os.Geteuid() != 0 {
		requirePeers(t, "listening on an interface needs root")
	}
	db := newPractice(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"--db", db, "--json", "sensor", "--interface", "lo", "--name", "lo-test", "--site", "main-clinic"}, strings.NewReader(""), &out, &errb)
	}()
	conn, err := net.Dial("udp", "127.0.0.1:9") // discard port: nothing answers, the datagrams are only seen
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Keep sending until the sensor has surely opened its socket (it
	// starts within milliseconds; a few hundred datagrams cover it), then
	// stop the sensor.
	tick := time.NewTicker(5 * time.Millisecond)
	for range 400 {
		conn.Write([]byte("vigil sensor test"))
		<-tick.C
	}
	tick.Stop()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("sensor exit %d: %s", code, errb.String())
	}
	var sum discoverSummary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("summary: %v\n%s", err, out.String())
	}
	if sum.Frames == 0 || sum.KernelReceived == 0 || sum.Files[0] != "lo" {
		t.Fatalf("the sensor read nothing from lo: %+v", sum)
	}
}

// Ensure the sensor refuses unclear input: both or neither of --interface
// and --read, a filter without an interface, an unknown interface.
func TestSensorUsage(t *testing.T) {
	db := newPractice(t)
	for _, args := range [][]string{{"sensor"}, {"sensor", "--interface", "lo", "--read", "-"}, {"sensor", "--read", "-", "--filter", "f.bpf"},
		{"sensor", "--read", "-", "--ring", "128"}, {"sensor", "--interface", "lo", "--ring", "0"}, {"sensor", "--interface", "lo", "--ring", "9000"}} {
		if r := run(t, db, args...); r.code != 2 {
			t.Errorf("vigil %v: exit %d, want 2 (%s)", args, r.code, r.stderr)
		}
	}
	if r := run(t, db, "sensor", "--interface", "no-such-if0"); r.code != 1 || !strings.Contains(r.stderr, "no-such-if0") {
		t.Errorf("unknown interface: exit %d: %s", r.code, r.stderr)
	}
}
