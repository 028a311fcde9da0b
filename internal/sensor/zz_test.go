package sensor

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/discovery"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

func BenchmarkZZParts(b *testing.B) {
	path := vigiltest.MixCapture(b, vigiltest.MixPackets)
	src, _ := capture.OpenFile(path)
	dec := dissect.NewDecoder("x")
	var pk []discovery.Packet
	var obs []domain.Observation
	var p dissect.Packet
	for {
		f, err := src.Next()
		if err != nil {
			break
		}
		dec.Decode(f.At, dissect.LinkType(f.Link), f.Data, &p, func(o domain.Observation) { obs = append(obs, o) })
		pk = append(pk, discovery.Packet{At: p.At, SrcMAC: p.SrcMAC, DstMAC: p.DstMAC, HasMAC: p.HasMAC, Src: p.Src, Dst: p.Dst,
			Proto: p.Proto, SrcPort: p.SrcPort, DstPort: p.DstPort, TCPFlags: p.TCPFlags, App: p.App, Length: p.Length})
	}
	b.ResetTimer()
	var tp, to, tf time.Duration
	for range b.N {
		eng := discovery.New(discovery.Options{Source: "pcap:mix", ReuseFlows: true}, func(_ context.Context, bt *domain.DiscoveryBatch) error { return nil })
		c := cpuTime()
		for i := range pk {
			eng.Packet(&pk[i])
		}
		c1 := cpuTime()
		for _, o := range obs {
			eng.Observe(o)
		}
		c2 := cpuTime()
		eng.Flush(context.Background(), true)
		tp += c1 - c
		to += c2 - c1
		tf += cpuTime() - c2
	}
	b.ReportMetric(float64(tp.Nanoseconds())/float64(b.N)/1e6, "packet-ms")
	b.ReportMetric(float64(to.Nanoseconds())/float64(b.N)/1e6, "obs-ms")
	b.ReportMetric(float64(tf.Nanoseconds())/float64(b.N)/1e6, "flush-ms")
}
