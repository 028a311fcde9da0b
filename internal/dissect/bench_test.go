package dissect_test

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// loadFrames reads a capture into memory.
func loadFrames(tb testing.TB, path string) []capture.Frame {
	src, err := capture.OpenFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	var out []capture.Frame
	for {
		f, err := src.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		f.Data = append([]byte(nil), f.Data...)
		out = append(out, f)
	}
}

// BenchmarkDecode decodes the synthetic mix from memory with every
// dissector on; the metric is packets per second of one core.
func BenchmarkDecode(b *testing.B) {
	frames := loadFrames(b, vigiltest.MixCapture(b, vigiltest.MixPackets))
	var facts int
	emit := func(domain.Observation) { facts++ }
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	for range b.N {
		d := dissect.NewDecoder("bench")
		var p dissect.Packet
		for i := range frames {
			_ = d.Decode(frames[i].At, dissect.LinkType(frames[i].Link), frames[i].Data, &p, emit)
		}
	}
	b.ReportMetric(float64(b.N*len(frames))/time.Since(start).Seconds(), "pkt/s")
	b.ReportMetric(float64(b.N*len(frames))/(cpuTime()-cpu).Seconds(), "pkt/cpu-s")
	b.ReportMetric(float64(facts)/float64(b.N), "facts/op")
}

// BenchmarkRead only reads the capture file: the reader's share of
// BenchmarkReadDecode.
func BenchmarkRead(b *testing.B) {
	path := vigiltest.MixCapture(b, vigiltest.MixPackets)
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	n := 0
	for range b.N {
		src, err := capture.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := src.Next(); err != nil {
				break
			}
			n++
		}
		src.Close()
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "pkt/s")
	b.ReportMetric(float64(n)/(cpuTime()-cpu).Seconds(), "pkt/cpu-s")
}

// BenchmarkReadDecode reads the capture file and decodes it: the whole
// offline pipeline of one core up to the observations.
func BenchmarkReadDecode(b *testing.B) {
	path := vigiltest.MixCapture(b, vigiltest.MixPackets)
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	n := 0
	for range b.N {
		src, err := capture.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		d := dissect.NewDecoder("bench")
		var p dissect.Packet
		for {
			f, err := src.Next()
			if err != nil {
				break
			}
			_ = d.Decode(f.At, dissect.LinkType(f.Link), f.Data, &p, func(domain.Observation) {})
			n++
		}
		src.Close()
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "pkt/s")
	b.ReportMetric(float64(n)/(cpuTime()-cpu).Seconds(), "pkt/cpu-s")
}

// BenchmarkPeers runs tshark (conversation statistics) and suricata
// (single runmode, no rules) on the same capture, for BENCHMARKS.md, and
// the yardstick for the machine: a bare gopacket pass (pcapgo's
// reader and a DecodingLayerParser of Ethernet, 802.1Q, IPv4, IPv6, TCP
// and UDP headers, nothing above them), in this process.
func BenchmarkPeers(b *testing.B) {
	path := vigiltest.MixCapture(b, vigiltest.MixPackets)
	b.Run("gopacket", func(b *testing.B) {
		start, cpu := time.Now(), cpuTime()
		n := 0
		for range b.N {
			n += gopacketPass(b, path)
		}
		if n != b.N*vigiltest.MixPackets {
			b.Fatalf("gopacket read %d frames, want %d", n, b.N*vigiltest.MixPackets)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "pkt/s")
		b.ReportMetric(float64(n)/(cpuTime()-cpu).Seconds(), "pkt/cpu-s")
	})
	dir := b.TempDir()
	rules := filepath.Join(dir, "empty.rules")
	os.WriteFile(rules, nil, 0o644)
	peers := map[string][]string{
		"tshark":   {"tshark", "-q", "-z", "conv,ip", "-r", path},
		"suricata": {"suricata", "-r", path, "--runmode", "single", "-S", rules, "-l", dir, "-k", "none"},
	}
	for _, name := range []string{"tshark", "suricata"} {
		args := peers[name]
		if _, err := exec.LookPath(args[0]); err != nil {
			b.Logf("%s not installed", name)
			continue
		}
		b.Run(name, func(b *testing.B) {
			start := time.Now()
			var cpu time.Duration
			for range b.N {
				cmd := exec.Command(args[0], args[1:]...)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%s: %v\n%s", name, err, out[max(0, len(out)-2000):])
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(b.N*vigiltest.MixPackets)/time.Since(start).Seconds(), "pkt/s")
			b.ReportMetric(float64(b.N*vigiltest.MixPackets)/cpu.Seconds(), "pkt/cpu-s")
		})
	}
}

// gopacketPass reads a capture with gopacket and decodes every frame's
// link, network and transport headers, returning the frames read.
func gopacketPass(tb testing.TB, path string) int {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, 256<<10))
	if err != nil {
		tb.Fatal(err)
	}
	var (
		eth     layers.Ethernet
		vlan    layers.Dot1Q
		ip4     layers.IPv4
		ip6     layers.IPv6
		tcp     layers.TCP
		udp     layers.UDP
		payload gopacket.Payload
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &vlan, &ip4, &ip6, &tcp, &udp, &payload)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 8)
	n := 0
	for {
		data, _, err := r.ZeroCopyReadPacketData()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		_ = parser.DecodeLayers(data, &decoded) // truncated frames stop early, as in a real pass
		n++
	}
}

// cpuTime is the CPU time (user and system) this process has used. On a
// shared machine packets per CPU-second is the fair figure; wall-clock
// packets per second is reported beside it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
