package sensor

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/discovery"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

func TestRunDICOMCapture(t *testing.T) {
	path := vigiltest.SharedData(t, "pcap/peers/dicom-echo-store.pcap")
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var batches []*domain.DiscoveryBatch
	eng := discovery.New(discovery.Options{Source: "pcap:dicom-echo-store.pcap"}, func(_ context.Context, b *domain.DiscoveryBatch) error {
		batches = append(batches, b)
		return nil
	})
	st, err := Run(context.Background(), src, dissect.NewDecoder("pcap:dicom-echo-store.pcap"), eng, Options{NoRecover: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames == 0 || st.DecodeFailures != 0 || len(batches) != 1 {
		t.Fatalf("stats %+v, %d batches", st, len(batches))
	}
	var flows int
	for _, h := range batches[0].Hosts {
		flows += len(h.Flows)
	}
	// Store SCU and SCP ran on one machine: one host, 127.0.0.1, whose
	// DCMTK implementation class UID names the software.
	if len(batches[0].Hosts) != 1 {
		t.Fatalf("%d hosts", len(batches[0].Hosts))
	}
	h := batches[0].Hosts[0]
	if fmt.Sprint(h.IPs) != "[127.0.0.1]" || len(h.Flows) != 1 {
		t.Fatalf("host %+v", h)
	}
	f := h.Flows[0]
	if f.Transport != "tcp" || f.Port != 11112 || f.App != "dicom" || f.Packets != st.Frames || f.Bytes != st.Bytes || !f.Outbound {
		t.Fatalf("flow %+v", f)
	}
}

// panicky is a dissector that fails on every second frame.
type panicky struct{ n int }

func (d *panicky) Decode(at time.Time, _ dissect.LinkType, _ []byte, p *dissect.Packet, _ func(domain.Observation)) error {
	d.n++
	if d.n%2 == 0 {
		var m map[string]int
		m["boom"]++ // a nil-map write, as a buggy dissector might do
	}
	*p = dissect.Packet{At: at}
	return nil
}

type frames struct{ n int }

func (f *frames) Next() (capture.Frame, error) {
	if f.n == 10 {
		return capture.Frame{}, io.EOF
	}
	f.n++
	return capture.Frame{At: time.Unix(int64(f.n), 0), Link: 1, Data: []byte{1, 2, 3}}, nil
}
func (f *frames) Close() error { return nil }

func TestPanicRecovered(t *testing.T) {
	eng := discovery.New(discovery.Options{}, func(context.Context, *domain.DiscoveryBatch) error { return nil })
	st, err := Run(context.Background(), &frames{}, &panicky{}, eng, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != 10 || st.DecodeFailures != 5 {
		t.Fatalf("stats %+v", st)
	}
}

// TestPanicOutsideDissector checks that only a dissector's panic is
// recovered: one in the sink (a bug in Vigil's own bookkeeping, not a
// hostile frame) must not be counted as a bad frame and hidden.
func TestPanicOutsideDissector(t *testing.T) {
	eng := discovery.New(discovery.Options{}, func(context.Context, *domain.DiscoveryBatch) error { panic("sink bug") })
	defer func() {
		if r := recover(); r != "sink bug" {
			t.Fatalf("recovered %v, want the sink's panic", r)
		}
	}()
	obs := &emitter{}
	Run(context.Background(), &frames{}, obs, eng, Options{})
	t.Fatal("Run returned")
}

// emitter reports one fact per frame, so that the engine has a host to
// send.
type emitter struct{}

func (emitter) Decode(at time.Time, _ dissect.LinkType, _ []byte, p *dissect.Packet, emit func(domain.Observation)) error {
	*p = dissect.Packet{At: at}
	emit(domain.Observation{At: at, MAC: "00:09:fb:01:02:03", Kind: domain.ObsMAC, Value: "00:09:fb:01:02:03"})
	return nil
}

// TestHeapLimit checks the run's soft heap limit: the base while little
// is live, 1.5 times the live heap once that is larger (here the base is
// tiny and a megabytes-large slice is kept alive), and the limit from
// before put back at the end.
func TestHeapLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	g := newHeapGovernor(1 << 40)
	if got := g.adjust(); got != 1<<40 || debug.SetMemoryLimit(-1) != 1<<40 {
		t.Errorf("with little live: limit %d", got)
	}
	g.stop()
	keep := make([]byte, 64<<20)
	runtime.GC()
	g = newHeapGovernor(1 << 20)
	got := g.adjust()
	g.stop()
	runtime.KeepAlive(keep)
	if got < 96<<20 || got > 200<<20 {
		t.Errorf("with 64 MiB live: limit %d MiB, want about 96", got>>20)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("limit after: %d, before: %d", after, before)
	}
	// Through Run: the limit is in force during the run and put back.
	path := vigiltest.SharedData(t, "pcap/peers/dicom-echo-store.pcap")
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	eng := discovery.New(discovery.Options{}, func(context.Context, *domain.DiscoveryBatch) error { return nil })
	var during int64
	gcBefore := debug.SetGCPercent(100)
	debug.SetGCPercent(gcBefore)
	gcDuring := 0
	_, err = Run(context.Background(), src, dissect.NewDecoder("x"), eng, Options{HeapLimit: 1 << 40, ProgressEvery: 1,
		Progress: func(Stats) {
			during = debug.SetMemoryLimit(-1)
			gcDuring = debug.SetGCPercent(-1) // reads it (it is -1 already)
		}})
	if err != nil || during != 1<<40 || debug.SetMemoryLimit(-1) != before {
		t.Errorf("during the run %d, after %d (before %d): %v", during, debug.SetMemoryLimit(-1), before, err)
	}
	// The collector runs by the limit alone during the run (GOGC off),
	// and by GOGC again after it.
	if gcAfter := debug.SetGCPercent(gcBefore); gcDuring != -1 || gcAfter != gcBefore {
		t.Errorf("GOGC during the run %d, after %d (before %d)", gcDuring, gcAfter, gcBefore)
	}
}

// TestProgressOffset checks each progress report carries the file offset
// of the last frame read: it grows with the frames, and the last one is
// the offset of the file's last record.
func TestProgressOffset(t *testing.T) {
	path := vigiltest.SharedData(t, "pcap/peers/dicom-echo-store.pcap")
	var want []int64 // every frame's offset, read on its own
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for {
		f, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, f.Offset)
	}
	src.Close()
	src, err = capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got []int64
	var read []bool
	flushed := false // when the last batch went, in reports made so far
	eng := discovery.New(discovery.Options{}, func(context.Context, *domain.DiscoveryBatch) error {
		flushed = len(read) > 0 && read[len(read)-1]
		return nil
	})
	st, err := Run(context.Background(), src, dissect.NewDecoder("x"), eng, Options{NoRecover: true, ProgressEvery: 3, Progress: func(s Stats) {
		got, read = append(got, s.Offset), append(read, s.Read)
	}})
	if err != nil {
		t.Fatal(err)
	}
	// A report every third frame, one when the file has been read (before
	// the last batch is written) and one at the end.
	if int64(len(want)) != st.Frames || len(got) != len(want)/3+2 || !flushed {
		t.Fatalf("%d frames, %d offsets read alone, %d reports, flushed after the read report: %v", st.Frames, len(want), len(got), flushed)
	}
	for i, r := range read {
		if r != (i >= len(read)-2) {
			t.Fatalf("reports say read: %v", read)
		}
	}
	for i, off := range got[:len(got)-2] {
		if off != want[3*i+2] {
			t.Fatalf("report %d: offset %d, the frame's is %d", i, off, want[3*i+2])
		}
	}
	if got[0] <= 0 || got[len(got)-3] < got[0] {
		t.Fatalf("offsets %v", got)
	}
}
