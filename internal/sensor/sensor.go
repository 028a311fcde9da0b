// Package sensor runs passive discovery over a packet source: capture →
// dissect → discovery → sink. It only reads; it never sends a packet. A
// dissector that panics on a frame is recovered and the frame counted as
// a decode failure, so one bad packet cannot stop the sensor.
package sensor

import (
	"context"
	"errors"
	"io"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/discovery"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
)

// Stats counts what a run read.
type Stats struct {
	Frames         int64 `json:"frames"`
	Bytes          int64 `json:"bytes"`
	DecodeErrors   int64 `json:"decode_errors"`   // malformed or truncated frames (their facts up to the fault are kept)
	DecodeFailures int64 `json:"decode_failures"` // frames whose dissector panicked (recovered)
	Observations   int64 `json:"observations"`
	// Offset is the byte offset in the capture file of the last frame
	// read, as of the last progress report (0 for a live capture): how
	// far through the file the run is.
	Offset int64 `json:"-"`
	// Read is set once the source has ended (or the run was stopped):
	// what the run does after that is write its last batches.
	Read bool `json:"-"`
}

// Options configure a run.
type Options struct {
	// Progress, when set, is called about every ProgressEvery frames.
	Progress      func(Stats)
	ProgressEvery int64
	// NoRecover lets a dissector panic through (tests use it so a panic
	// fails the test instead of being counted).
	NoRecover bool
	// FlushEvery sends a batch to the sink this often in capture time, for
	// a live sensor (0: only when the engine asks and at the end).
	FlushEvery time.Duration
	// HeapLimit, when positive, is a soft limit on the Go heap for the
	// run (see heapGovernor); 0 leaves the runtime's setting alone.
	HeapLimit int64
}

// DefaultHeapLimit is the heap limit the CLI runs discovery with
// (Options.HeapLimit).
const DefaultHeapLimit = 128 << 20

// heapGovernor runs the garbage collector by the heap's size instead of
// its growth: proportional collection (GOGC) is off, and a soft memory
// limit of base bytes starts a collection, raised to 1.5 times the live
// heap when that grows past two thirds of it. A capture allocates
// steadily (facts, batches) while what stays live grows slowly (hosts,
// flows); collecting each time the heap doubled cost about a fifth of
// the pipeline's time (BENCHMARKS.md, sixth session). The limit keeps the
// heap bounded, and never lets collections come more often than GOGC=50
// would (so a run cannot spend its time collecting, as a fixed limit
// below the live heap would make it).
type heapGovernor struct {
	base, prev int64
	prevGC     int
	sample     [1]metrics.Sample
}

func newHeapGovernor(base int64) *heapGovernor {
	g := &heapGovernor{base: base, prev: debug.SetMemoryLimit(base), prevGC: debug.SetGCPercent(-1)}
	g.sample[0].Name = "/gc/heap/live:bytes"
	return g
}

// adjust sets the limit for the live heap now, and returns it.
func (g *heapGovernor) adjust() int64 {
	metrics.Read(g.sample[:])
	limit := g.base
	if g.sample[0].Value.Kind() == metrics.KindUint64 {
		limit = max(limit, int64(g.sample[0].Value.Uint64())/2*3)
	}
	debug.SetMemoryLimit(limit)
	return limit
}

// stop puts back the limit and GOGC there were before.
func (g *heapGovernor) stop() {
	debug.SetGCPercent(g.prevGC)
	debug.SetMemoryLimit(g.prev)
}

// Decoder is what the sensor needs of a dissector (*dissect.Decoder).
type Decoder interface {
	Decode(at time.Time, link dissect.LinkType, frame []byte, p *dissect.Packet, emit func(domain.Observation)) error
}

// Run reads src to its end (or until ctx is done), feeding the engine, and
// sends the final batch. A capture file that stops making sense returns
// its *capture.FormatError after everything before it was processed.
func Run(ctx context.Context, src capture.Source, dec Decoder, eng *discovery.Engine, opt Options) (Stats, error) {
	var st Stats
	var p dissect.Packet
	emit := func(o domain.Observation) {
		st.Observations++
		eng.Observe(o)
	}
	if opt.ProgressEvery <= 0 {
		opt.ProgressEvery = 1 << 16
	}
	if opt.HeapLimit > 0 {
		g := newHeapGovernor(opt.HeapLimit)
		defer g.stop()
		user := opt.Progress
		opt.Progress = func(s Stats) {
			g.adjust() // a few microseconds, every ProgressEvery frames
			if user != nil {
				user(s)
			}
		}
	}
	var lastFlush time.Time
	var runErr error
	// Progress is reported each time the frames read reach nextProgress.
	nextProgress := opt.ProgressEvery
	progress := func() {
		nextProgress += opt.ProgressEvery
		if opt.Progress != nil {
			opt.Progress(st)
		}
	}
	// frames runs the loop until the source ends (true) or a dissector
	// panics (false: that frame failed, and the loop goes on after it).
	// One deferred recover serves every frame until a panic, rather than
	// one per frame; a panic outside the dissector is not recovered.
	inDecode := false
	frames := func() (ended bool, err error) {
		if !opt.NoRecover {
			defer func() {
				if !inDecode {
					return
				}
				if r := recover(); r != nil {
					inDecode = false
					ended, err = false, nil
				}
			}()
		}
		for {
			if st.Frames&1023 == 0 && ctx.Err() != nil {
				return true, nil
			}
			f, err := src.Next()
			if err == io.EOF {
				return true, nil
			}
			if err != nil {
				runErr = err
				return true, nil
			}
			st.Frames++
			st.Bytes += int64(len(f.Data))
			inDecode = true
			err = dec.Decode(f.At, dissect.LinkType(f.Link), f.Data, &p, emit)
			inDecode = false
			if err != nil {
				st.DecodeErrors++
			}
			if f.OrigLen > 0 {
				p.Length = f.OrigLen
			}
			eng.Packet((*discovery.Packet)(&p)) // the same fields: no copy
			if lastFlush.IsZero() {
				lastFlush = f.At
			}
			due := opt.FlushEvery > 0 && f.At.Sub(lastFlush) >= opt.FlushEvery
			if eng.NeedsFlush() || due {
				if err := eng.Flush(ctx, false); err != nil {
					return true, err
				}
				lastFlush = f.At
			}
			if st.Frames == nextProgress { // a comparison, not a division per frame
				st.Offset = f.Offset
				progress()
			}
		}
	}
	for {
		ended, err := frames()
		if err != nil {
			return st, err
		}
		if ended {
			break
		}
		st.DecodeFailures++ // the dissector panicked on the last frame read
		if st.Frames == nextProgress {
			progress()
		}
	}
	st.Read = true
	if opt.Progress != nil {
		opt.Progress(st) // the reading is done; the last batches follow
	}
	if err := eng.Flush(context.WithoutCancel(ctx), true); err != nil {
		return st, errors.Join(runErr, err)
	}
	if opt.Progress != nil {
		opt.Progress(st)
	}
	return st, runErr
}
