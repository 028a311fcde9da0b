package sensor

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/discovery"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// writeSyntheticPcap writes a classic pcap of n TCP frames: 1,000 local
// hosts (10.1.0.0/16, each its own MAC) talking to 20,000 outside peers
// through one router MAC, about 50 packets per conversation, so the flow
// table churns the way a busy span port makes it.
func writeSyntheticPcap(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1)
	bw.Write(hdr)
	frame := make([]byte, 16+54)
	router := []byte{0x00, 0x00, 0x0c, 0x07, 0xac, 0x01}
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		conv := i / 50
		host, peer := conv%1000, conv%20000
		out := i%2 == 0
		at := start.Add(time.Duration(i) * 100 * time.Microsecond)
		rec := frame[:16]
		binary.LittleEndian.PutUint32(rec[0:], uint32(at.Unix()))
		binary.LittleEndian.PutUint32(rec[4:], uint32(at.Nanosecond()/1000))
		binary.LittleEndian.PutUint32(rec[8:], 54)
		binary.LittleEndian.PutUint32(rec[12:], 54)
		eth := frame[16:]
		hostMAC := []byte{0x00, 0x1b, 0x21, 0x00, byte(host >> 8), byte(host)}
		hostIP := []byte{10, 1, byte(host >> 8), byte(host)}
		peerIP := []byte{93, byte(peer >> 16), byte(peer >> 8), byte(peer)}
		sport, dport := uint16(40000+conv%20000), uint16(443)
		src, dst, smac, dmac := hostIP, peerIP, hostMAC, router
		if !out {
			src, dst, smac, dmac = peerIP, hostIP, router, hostMAC
			sport, dport = dport, sport
		}
		copy(eth[0:6], dmac)
		copy(eth[6:12], smac)
		eth[12], eth[13] = 0x08, 0x00
		ip := eth[14:34]
		clear(ip)
		ip[0], ip[8], ip[9] = 0x45, 64, 6
		binary.BigEndian.PutUint16(ip[2:], 40)
		copy(ip[12:16], src)
		copy(ip[16:20], dst)
		tcp := eth[34:54]
		clear(tcp)
		binary.BigEndian.PutUint16(tcp[0:], sport)
		binary.BigEndian.PutUint16(tcp[2:], dport)
		tcp[12] = 5 << 4
		tcp[13] = 0x10 // ACK
		if i%50 == 0 {
			tcp[13] = 0x02 // SYN opens each conversation
		}
		if _, err := bw.Write(frame); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// peakRSS reads the process's peak resident set size in MB (Linux).
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkPipeline10M streams a generated 10-million-packet capture
// through the pcap reader, the dissectors, discovery and the SQLite store,
// and reports the peak RSS of the whole process. Run it alone:
//
//	go test ./internal/sensor -run XXX -bench Pipeline10M -benchtime 1x
func BenchmarkPipeline10M(b *testing.B) {
	const n = 10_000_000
	st := vigiltest.MustOpenSQLite(b)
	tn := &domain.Tenant{Name: "Bench"}
	if err := st.CreateTenant(vigiltest.Context(0), tn); err != nil {
		b.Fatal(err)
	}
	ctx := vigiltest.Context(tn.ID)
	if err := st.CreateSite(ctx, &domain.Site{Name: "Main"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeSyntheticPcap(pw, n)) }()
		src, err := capture.NewReader(pr, "synthetic.pcap")
		if err != nil {
			b.Fatal(err)
		}
		var flows int
		eng := discovery.New(discovery.Options{Source: "pcap:synthetic.pcap", ReuseFlows: true}, func(ctx context.Context, bt *domain.DiscoveryBatch) error {
			res, err := st.ApplyDiscovery(ctx, bt)
			if err == nil {
				flows += res.Flows
			}
			return err
		})
		stats, err := Run(ctx, src, dissect.NewDecoder("pcap:synthetic.pcap"), eng, Options{HeapLimit: DefaultHeapLimit}) // as the CLI runs it
		if err != nil {
			b.Fatal(err)
		}
		if stats.Frames != n || flows == 0 {
			b.Fatalf("read %d frames, stored %d flows", stats.Frames, flows)
		}
		b.ReportMetric(float64(flows), "flows")
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(peakRSS(), "MB-peak-RSS")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkPipelineMix is the whole offline path of one core on the mixed
// capture the dissector benchmarks use (vigiltest.MixCapture: 1,000,000
// frames among 300 hosts): file read, every dissector, identity
// resolution and flow aggregation, with the batches handed to a sink that
// only counts them (the store's cost is BenchmarkPipeline10M's) and flow
// records reused between batches, as the CLI's store sink allows, and the
// CLI's heap limit (the collector runs by heap size, see heapGovernor). Packets
// per CPU-second is the figure on a shared machine.
func BenchmarkPipelineMix(b *testing.B) {
	path := vigiltest.MixCapture(b, vigiltest.MixPackets)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	var frames int64
	for range b.N {
		src, err := capture.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		hosts := 0
		eng := discovery.New(discovery.Options{Source: "pcap:mix", ReuseFlows: true}, func(_ context.Context, bt *domain.DiscoveryBatch) error {
			hosts += len(bt.Hosts)
			return nil
		})
		st, err := Run(ctx, src, dissect.NewDecoder("pcap:mix"), eng, Options{HeapLimit: DefaultHeapLimit}) // as the CLI runs it
		src.Close()
		if err != nil || st.Frames != vigiltest.MixPackets || hosts < 300 {
			b.Fatalf("%d frames, %d hosts: %v", st.Frames, hosts, err)
		}
		frames += st.Frames
	}
	b.ReportMetric(float64(frames)/time.Since(start).Seconds(), "pkt/s")
	b.ReportMetric(float64(frames)/(cpuTime()-cpu).Seconds(), "pkt/cpu-s")
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestSyntheticPcap checks the generator's capture reads back whole and
// discovery finds its hosts (and not the router).
func TestSyntheticPcap(t *testing.T) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeSyntheticPcap(pw, 200_000)) }()
	src, err := capture.NewReader(pr, "synthetic.pcap")
	if err != nil {
		t.Fatal(err)
	}
	hosts, flows := 0, 0
	eng := discovery.New(discovery.Options{MaxFlows: 1000}, func(_ context.Context, bt *domain.DiscoveryBatch) error {
		for _, h := range bt.Hosts {
			hosts++
			flows += len(h.Flows)
		}
		return nil
	})
	st, err := Run(context.Background(), src, dissect.NewDecoder("x"), eng, Options{NoRecover: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != 200_000 || hosts != 1000 || flows != 4000 || eng.Stats().Routers != 1 {
		t.Fatalf("frames %d, hosts %d, flows %d, stats %+v", st.Frames, hosts, flows, eng.Stats())
	}
}
