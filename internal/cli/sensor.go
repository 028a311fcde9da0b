package cli

import (
	"fmt"
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
	var read, name string
	var flush time.Duration
	cmd := &cobra.Command{
		Use:   "sensor --read FILE|-",
		Short: "Run the passive sensor on a packet stream and write what it learns to the store",
		Long: `Run passive discovery continuously on a pcap or pcapng stream — typically a
capture tool writing to standard output — and write what it learns to the
store of --db, --tenant and --site every --flush of capture time and when the
stream ends. The sensor only reads; it never sends a packet.

Until Vigil captures from interfaces itself, pair it with tcpdump (which
needs the privileges to listen; Vigil then needs none):

  tcpdump -i eth1 -U -w - | vigil sensor --read - --name eth1`,
		Example: `  tcpdump -i eth1 -U -w - | vigil sensor --read - --name eth1 --site main-clinic
  vigil sensor --read /var/spool/span/current.pcap --flush 5m`,
		Args: exactArgs(0, "no arguments (give the stream with --read)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if read == "" {
				return usagef("--read is required: a capture file, or - for standard input")
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
			var r io.Reader = a.in
			path := "stdin"
			if read != "-" {
				f, err := os.Open(read)
				if err != nil {
					return domain.Errorf(domain.CodeInvalid, "cannot read %s: %v", read, err)
				}
				defer f.Close()
				r, path = f, read
			}
			if name == "" {
				name = path
			}
			src, err := capture.NewReader(r, path)
			if err != nil {
				return domain.Errorf(domain.CodeInvalid, "%s: %v", path, err)
			}
			source := "sensor:" + name
			sum := &discoverSummary{Files: []string{path}}
			eng := discovery.New(discovery.Options{Source: source, Site: o.site, Classifier: cls, Local: local}, storeSink(st, sum))
			rs, err := sensor.Run(discoveryCtx(ctx, source), src, dissect.NewDecoder(source), eng, sensor.Options{FlushEvery: flush})
			sum.Frames, sum.Bytes, sum.DecodeErrors, sum.DecodeFailures = rs.Frames, rs.Bytes, rs.DecodeErrors, rs.DecodeFailures
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			return a.printDiscover(sum)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&read, "read", "", "the pcap/pcapng stream to read: a file, or - for standard input")
	fl.StringVar(&name, "name", "", "the sensor's name in observations' sources (default: the file)")
	fl.DurationVar(&flush, "flush", time.Minute, "write to the store this often (capture time)")
	fl.StringVar(&o.site, "site", "", "site new devices belong to (default: the practice's only site)")
	fl.StringVar(&o.fingerprints, "fingerprints", "", "extra fingerprint rules (CSV, see docs/discovery.md)")
	fl.StringArrayVar(&o.local, "local", nil, "an address range of the practice's own besides the private ones (repeatable)")
	return cmd
}
