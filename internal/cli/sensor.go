package cli

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/discovery"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/sensor"
)

func (a *app) sensorCommand() *cobra.Command {
	var o discoverOptions
	var read, name, iface, filter string
	var ringMiB int
	var flush time.Duration
	cmd := &cobra.Command{
		Use:   "sensor --interface IF | --read FILE|-",
		Short: "Run the passive sensor on a packet stream and write what it learns to the store",
		Long: `Run passive discovery continuously on a network interface (a switch's mirror
or SPAN port) or on a pcap/pcapng stream, and write what it learns to the
store of --db, --tenant and --site every --flush of capture time and when it
stops (Ctrl-C, or the end of the stream). The sensor only listens; it never
sends a packet.

--interface reads the interface itself through a Linux AF_PACKET socket
(root or CAP_NET_RAW; no libpcap needed). --filter takes a kernel filter
compiled once by tcpdump, anywhere: tcpdump -ddd 'not port 22' > f.bpf.
When Vigil may not listen itself, let tcpdump listen and read its output:

  tcpdump -i eth1 -U -w - | vigil sensor --read - --name eth1`,
		Example: `  vigil sensor --interface eth1 --site main-clinic
  vigil sensor --interface eth1 --filter not-ssh.bpf --flush 5m
  tcpdump -i eth1 -U -w - | vigil sensor --read - --name eth1 --site main-clinic
  vigil sensor --read /var/spool/span/current.pcap --flush 5m`,
		Args: exactArgs(0, "no arguments (give --interface or --read)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (read == "") == (iface == "") {
				return usagef("give one of --interface (an interface to listen on) or --read (a capture file, or - for standard input)")
			}
			if filter != "" && iface == "" {
				return usagef("--filter applies to --interface only")
			}
			if cmd.Flags().Changed("ring") && iface == "" {
				return usagef("--ring applies to --interface only")
			}
			if ringMiB < 1 || ringMiB > 4096 {
				return usagef("--ring %d: give the receive ring's size in MiB, from 1 to 4096", ringMiB)
			}
			cls, err := o.classifier()
			if err != nil {
				return err
			}
			local, err := o.localFunc()
			if err != nil {
				return err
			}
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			var src capture.Source
			var live *capture.Live
			path := "stdin"
			switch {
			case iface != "":
				path = iface
				if live, err = openLive(iface, filter, ringMiB); err != nil {
					return err
				}
				defer live.Close()
				src = liveSource{ctx: cmd.Context(), l: live}
			default:
				if src, path, err = openInput(read, a.in); err != nil {
					return domain.Errorf(domain.CodeInvalid, "%s: %v", path, err)
				}
				defer src.Close()
			}
			if name == "" {
				name = path
			}
			// Labelled like discover pcap's sources: the file's base name
			// ("sensor:current.pcap"), the interface ("sensor:eth1"), or
			// "sensor:stdin".
			source := domain.DiscoverySourceName("sensor", name)
			sum := &discoverSummary{Files: []string{path}}
			if iface != "" {
				sum.Interface = iface
			}
			start := time.Now()
			// On a terminal, one line says the sensor is alive: packets so
			// far and their rate, and when it writes to the store.
			bar := newProgress(a.err, !a.json)
			if read != "" && read != "-" {
				bar.file(read, 1, 1)
			} else {
				bar.stream(path)
			}
			eng := discovery.New(discovery.Options{Source: source, Site: o.site, Classifier: cls, Local: local, ReuseFlows: true}, storeSink(st, sum, bar))
			rs, err := sensor.Run(discoveryCtx(ctx, source), src, dissect.NewDecoder(source), eng, sensor.Options{
				FlushEvery: flush, HeapLimit: discoveryHeap(),
				ProgressEvery: 1 << 10, // a quiet interface still shows its count every thousand frames
				Progress:      func(s sensor.Stats) { bar.update(s.Frames, s.Bytes, s.Offset, s.Read) },
			})
			bar.done()
			sum.Frames, sum.Bytes, sum.DecodeErrors, sum.DecodeFailures = rs.Frames, rs.Bytes, rs.DecodeErrors, rs.DecodeFailures
			sum.Seconds = time.Since(start).Seconds()
			if err != nil {
				p, ok := stoppedAt(path, err, rs.Frames)
				if !ok {
					return err // the store failed, or the interface
				}
				sum.Problems = []domain.Problem{p}
			}
			if live != nil {
				if received, dropped, err := live.Stats(); err == nil {
					sum.KernelReceived, sum.KernelDropped = int64(received), int64(dropped)
				}
			}
			if err := a.printDiscover(sum); err != nil {
				return err
			}
			if len(sum.Problems) > 0 {
				return &domain.Error{Code: domain.CodeInvalid, Problems: sum.Problems,
					Message: "the stream could not be read to its end; everything read was kept"}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&iface, "interface", "", "the network interface to listen on (root or CAP_NET_RAW)")
	fl.StringVar(&filter, "filter", "", "a kernel packet filter for --interface, as printed by tcpdump -ddd EXPR")
	fl.IntVar(&ringMiB, "ring", 64, "the kernel receive ring for --interface, in MiB: a bigger ring absorbs longer bursts without drops")
	fl.StringVar(&read, "read", "", "the pcap/pcapng stream to read: a file, or - for standard input")
	fl.StringVar(&name, "name", "", "the sensor's name in observations' sources (default: the interface, or the file's base name)")
	fl.DurationVar(&flush, "flush", time.Minute, "write to the store this often (capture time)")
	fl.StringVar(&o.site, "site", "", "site new devices belong to (default: the practice's only site)")
	fl.StringVar(&o.fingerprints, "fingerprints", "", "extra fingerprint rules (CSV, see docs/discovery.md)")
	fl.StringArrayVar(&o.local, "local", nil, "an address range of the practice's own besides the private ones (repeatable)")
	return cmd
}

// openLive opens an interface for listening, with the kernel filter in the
// file named by filter (tcpdump -ddd output) when one is given, and a
// receive ring of ringMiB MiB.
func openLive(iface, filter string, ringMiB int) (*capture.Live, error) {
	opt := capture.LiveOptions{RingSize: ringMiB << 20}
	if filter != "" {
		text, err := os.ReadFile(filter)
		if err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "cannot read the filter: %v", err)
		}
		if opt.Filter, err = capture.ParseBPF(string(text)); err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "%s: %v", filter, err)
		}
	}
	l, err := capture.OpenLive(iface, opt)
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "cannot listen on %s: %v", iface, err)
	}
	return l, nil
}

// liveSource reads an interface until the command is stopped, then ends
// like a file does.
type liveSource struct {
	ctx context.Context
	l   *capture.Live
}

func (s liveSource) Next() (capture.Frame, error) {
	for {
		if s.ctx.Err() != nil {
			return capture.Frame{}, io.EOF
		}
		f, err := s.l.Next()
		if err == capture.ErrTimeout {
			continue
		}
		return f, err
	}
}

func (s liveSource) Close() error { return nil }
