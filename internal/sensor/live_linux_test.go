//go:build linux

package sensor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/discovery"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// requirePeers skips a test that needs root or a peer program, unless
// VIGIL_REQUIRE_PEERS=1 (CI), where it fails instead.
func requirePeers(tb testing.TB, tools ...string) {
	tb.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "not root: cannot create a network namespace"
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil && why == "" {
			why = tool + " is not installed"
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("VIGIL_REQUIRE_PEERS") == "1" {
		tb.Fatalf("required peer missing: %s", why)
	}
	tb.Skipf("skipped: %s (set VIGIL_REQUIRE_PEERS=1 to make this a failure)", why)
}

// replay is what one tcpreplay run over a veth pair gave.
type replay struct {
	sent          int64   // frames tcpreplay sent (its "Actual:" line)
	mbps, pps     float64 // its "Rated:" line
	stats         Stats   // what the sensor pipeline read
	hosts         int     // hosts the pipeline reported
	seen, dropped uint64  // the kernel's counters for the capture socket
}

// vethPair creates a network namespace of the test's own with a veth pair
// va–vb in it (no addresses, IPv6 off, so the kernel itself sends nothing
// on them) and returns the namespace's name.
func vethPair(tb testing.TB) string {
	tb.Helper()
	ns := fmt.Sprintf("vigil-replay-%d", os.Getpid())
	sh := func(args ...string) {
		tb.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			tb.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	exec.Command("ip", "netns", "del", ns).Run() // a leftover of an interrupted run
	sh("ip", "netns", "add", ns)
	tb.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	in := func(args ...string) []string { return append([]string{"ip", "netns", "exec", ns}, args...) }
	sh(in("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")...)
	sh(in("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb")...)
	sh(in("ip", "link", "set", "va", "up")...)
	sh(in("ip", "link", "set", "vb", "up")...)
	return ns
}

// inNetns runs fn on a thread that has entered namespace ns: a socket
// belongs to the namespace it was created in, so only this thread enters
// it, and only while fn runs.
func inNetns(tb testing.TB, ns string, fn func()) {
	tb.Helper()
	target, err := os.Open("/var/run/netns/" + ns)
	if err != nil {
		tb.Fatal(err)
	}
	defer target.Close()
	runtime.LockOSThread()
	home, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		tb.Fatal(err)
	}
	defer home.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		tb.Fatal(err)
	}
	fn()
	if err := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); err != nil {
		// The thread stays locked, so the runtime retires it with the
		// goroutine instead of reusing it in the wrong namespace.
		tb.Fatalf("back to the test's namespace: %v", err)
	}
	runtime.UnlockOSThread()
}

// openLiveIn opens a capture socket on iface inside namespace ns, with a
// receive ring of ring bytes (0: the default, as vigil sensor has).
func openLiveIn(tb testing.TB, ns, iface string, ring int) *capture.Live {
	tb.Helper()
	var l *capture.Live
	var err error
	inNetns(tb, ns, func() { l, err = capture.OpenLive(iface, capture.LiveOptions{RingSize: ring}) })
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// TestLiveVLAN sends 802.1Q-tagged frames out of vb (a raw socket in the
// test's own namespace) and checks the capture on va returns them byte
// for byte: the kernel takes the tag off before the ring, and the live
// source puts it back.
func TestLiveVLAN(t *testing.T) {
	requirePeers(t, "ip")
	ns := vethPair(t)
	l := openLiveIn(t, ns, "va", 0)
	defer l.Close()
	var tx int
	var err error
	inNetns(t, ns, func() {
		if tx, err = unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0); err != nil {
			return
		}
		var ifi *net.Interface
		if ifi, err = net.InterfaceByName("vb"); err == nil {
			err = unix.Bind(tx, &unix.SockaddrLinklayer{Ifindex: ifi.Index})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(tx)
	var frames [][]byte
	for i, vid := range []uint16{10, 20, 4094} {
		// An ARP request from 00:09:fb:00:00:0i for 10.9.0.1.
		f := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x09, 0xfb, 0, 0, byte(i), 0x08, 0x06,
			0, 1, 8, 0, 6, 4, 0, 1, 0x00, 0x09, 0xfb, 0, 0, byte(i), 10, 9, 0, byte(10 + i), 0, 0, 0, 0, 0, 0, 10, 9, 0, 1}
		tagged := append(append(append([]byte(nil), f[:12]...), 0x81, 0x00, byte(vid>>8), byte(vid)), f[12:]...)
		if _, err := unix.Write(tx, tagged); err != nil {
			t.Fatal(err)
		}
		frames = append(frames, tagged)
	}
	for i, want := range frames {
		f, err := l.Next()
		for errors.Is(err, capture.ErrTimeout) {
			f, err = l.Next()
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Data, want) || f.OrigLen != len(want) {
			t.Fatalf("frame %d: captured\n% x\nsent\n% x", i+1, f.Data, want)
		}
	}
	if seen, dropped, err := l.Stats(); err != nil || seen != 3 || dropped != 0 {
		t.Fatalf("kernel: %d seen, %d dropped, %v", seen, dropped, err)
	}
}

// untilQuiet ends a live source once the replay is over and the ring has
// stayed empty for a second (five read timeouts), so the pipeline's run
// ends like a file's.
type untilQuiet struct {
	l    *capture.Live
	done <-chan struct{}
}

func (s untilQuiet) Next() (capture.Frame, error) {
	quiet := 0
	for {
		f, err := s.l.Next()
		if !errors.Is(err, capture.ErrTimeout) {
			return f, err
		}
		select {
		case <-s.done:
			if quiet++; quiet >= 5 {
				return capture.Frame{}, io.EOF
			}
		default:
		}
	}
}

func (s untilQuiet) Close() error { return nil }

var (
	actualRE = regexp.MustCompile(`Actual: (\d+) packets`)
	ratedRE  = regexp.MustCompile(`Rated: [\d.]+ Bps, ([\d.]+) Mbps, ([\d.]+) pps`)
)

// replayThroughSensor runs the sensor pipeline (live source, every
// dissector, discovery) on va while tcpreplay --topspeed sends the capture
// at path out of vb.
func replayThroughSensor(tb testing.TB, path string, ring int) replay {
	tb.Helper()
	ns := vethPair(tb)
	l := openLiveIn(tb, ns, "va", ring)
	defer l.Close()
	var r replay
	eng := discovery.New(discovery.Options{Source: "sensor:va"}, func(_ context.Context, b *domain.DiscoveryBatch) error {
		r.hosts += len(b.Hosts)
		return nil
	})
	done := make(chan struct{})
	type result struct {
		st  Stats
		err error
	}
	ran := make(chan result, 1)
	go func() {
		st, err := Run(context.Background(), untilQuiet{l: l, done: done}, dissect.NewDecoder("sensor:va"), eng, Options{NoRecover: true})
		ran <- result{st, err}
	}()
	// The pipeline must have stopped reading the ring before it is
	// unmapped, also when the test fails half-way (defers run in reverse).
	var res result
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(done)
			res = <-ran
		}
	}
	defer stop()
	r.sent, r.mbps, r.pps, _ = tcpreplayRate(tb, ns, path)
	stop()
	if res.err != nil {
		tb.Fatalf("sensor: %v", res.err)
	}
	r.stats = res.st
	var err error
	if r.seen, r.dropped, err = l.Stats(); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("tcpreplay --topspeed: %d frames at %.1f Mbit/s (%.0f frames/s); sensor read %d frames, kernel saw %d, dropped %d",
		r.sent, r.mbps, r.pps, r.stats.Frames, r.seen, r.dropped)
	return r
}

// TestLiveReplay replays a 200,000-frame mixed capture (300 hosts, every
// protocol the dissectors read) at tcpreplay's top speed over a veth pair
// in a namespace of the test's own, into the live AF_PACKET ring and the
// whole sensor pipeline. The kernel must drop nothing, the sensor must
// read exactly the frames sent, and what it learns must be what the same
// capture read from the file gives. The ring holds the whole replay (about
// 90 MiB with the kernel's headers), so the test does not depend on how
// fast this build reads it (the race detector's is several times slower);
// the rate with the default ring is BenchmarkLiveReplay's.
func TestLiveReplay(t *testing.T) {
	requirePeers(t, "ip", "tcpreplay")
	path := vigiltest.MixCapture(t, 200_000)
	r := replayThroughSensor(t, path, 160<<20)
	if r.dropped != 0 || r.sent != 200_000 || r.stats.Frames != r.sent || r.seen != uint64(r.sent) {
		t.Fatalf("sent %d frames; the sensor read %d; the kernel saw %d and dropped %d", r.sent, r.stats.Frames, r.seen, r.dropped)
	}
	// The same capture from the file: the same facts.
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	hosts := 0
	eng := discovery.New(discovery.Options{Source: "pcap:mix"}, func(_ context.Context, b *domain.DiscoveryBatch) error {
		hosts += len(b.Hosts)
		return nil
	})
	st, err := Run(context.Background(), src, dissect.NewDecoder("pcap:mix"), eng, Options{NoRecover: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != r.stats.Frames || st.Bytes != r.stats.Bytes || st.Observations != r.stats.Observations || hosts != r.hosts || hosts < 300 {
		t.Fatalf("file: %+v, %d hosts; live: %+v, %d hosts", st, hosts, r.stats, r.hosts)
	}
}

// tcpreplayRate runs tcpreplay --topspeed out of vb and returns what it
// reports: frames sent, Mbit/s and frames/s.
func tcpreplayRate(tb testing.TB, ns, path string) (sent int64, mbps, pps float64, out []byte) {
	tb.Helper()
	out, err := exec.Command("ip", "netns", "exec", ns, "tcpreplay", "--topspeed", "--preload-pcap", "-i", "vb", path).CombinedOutput()
	if err != nil {
		tb.Fatalf("tcpreplay: %v\n%s", err, out)
	}
	m := actualRE.FindSubmatch(out)
	rate := ratedRE.FindSubmatch(out)
	if m == nil || rate == nil {
		tb.Fatalf("cannot read tcpreplay's report:\n%s", out)
	}
	sent, _ = strconv.ParseInt(string(m[1]), 10, 64)
	mbps, _ = strconv.ParseFloat(string(rate[1]), 64)
	pps, _ = strconv.ParseFloat(string(rate[2]), 64)
	return sent, mbps, pps, out
}

// BenchmarkLiveReplay is TestLiveReplay's replay with the 1,000,000-frame
// mix the offline benchmarks read; it reports tcpreplay's rate and the
// kernel's drop count (BENCHMARKS.md, issue 4). The sub-benchmark
// "alone" is tcpreplay with nothing listening on the pair, the ceiling the
// machine allows at the time:
//
//	go test ./internal/sensor -run '^$' -bench LiveReplay -benchtime 1x
func BenchmarkLiveReplay(b *testing.B) {
	requirePeers(b, "ip", "tcpreplay")
	path := vigiltest.MixCapture(b, vigiltest.MixPackets)
	b.Run("alone", func(b *testing.B) {
		var mbps, pps float64
		for range b.N {
			ns := vethPair(b)
			_, m, p, _ := tcpreplayRate(b, ns, path)
			mbps += m
			pps += p
		}
		b.ReportMetric(mbps/float64(b.N), "Mbit/s")
		b.ReportMetric(pps/float64(b.N), "frames/s")
	})
	b.Run("sensor", func(b *testing.B) {
		var mbps, pps, drops, lost float64
		for range b.N {
			r := replayThroughSensor(b, path, 0)
			mbps += r.mbps
			pps += r.pps
			drops += float64(r.dropped)
			lost += float64(r.sent - r.stats.Frames)
		}
		n := float64(b.N)
		b.ReportMetric(mbps/n, "Mbit/s")
		b.ReportMetric(pps/n, "frames/s")
		b.ReportMetric(drops/n, "kernel-drops")
		b.ReportMetric(lost/n, "frames-missed")
	})
}
