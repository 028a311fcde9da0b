package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/discovery"
	"github.com/vigil-med/vigil/internal/dissect"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/fingerprint"
	"github.com/vigil-med/vigil/internal/sensor"
	"github.com/vigil-med/vigil/internal/store"
)

// discoverOptions are the flags shared by the discover commands.
type discoverOptions struct {
	site         string
	fingerprints string
	local        []string
}

// localFunc is the address test for --local: the given prefixes as well
// as private, link-local and loopback addresses.
func (o discoverOptions) localFunc() (func(netip.Addr) bool, error) {
	var prefixes []netip.Prefix
	for _, s := range o.local {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, usagef("--local %q is not an address range like 128.2.6.0/24", s)
		}
		prefixes = append(prefixes, p.Masked())
	}
	return func(a netip.Addr) bool {
		for _, p := range prefixes {
			if p.Contains(a) {
				return true
			}
		}
		return discovery.DefaultLocal(a)
	}, nil
}

// discoverSummary is what a discover command reports.
type discoverSummary struct {
	Files           []string `json:"files"`
	Interface       string   `json:"interface,omitempty"` // vigil sensor --interface
	Frames          int64    `json:"frames,omitempty"`
	Bytes           int64    `json:"bytes,omitempty"`
	DecodeErrors    int64    `json:"decode_errors,omitempty"`
	DecodeFailures  int64    `json:"decode_failures,omitempty"`
	Records         int      `json:"records,omitempty"` // importer records
	NewDevices      int      `json:"new_devices"`
	UpdatedDevices  int      `json:"updated_devices"`
	Observations    int      `json:"observations"`
	NewObservations int      `json:"new_observations"`
	Flows           int      `json:"flows"`
	Seconds         float64  `json:"seconds"`
	StoreSeconds    float64  `json:"store_seconds"`             // of Seconds, the time spent writing to the database
	KernelReceived  int64    `json:"kernel_received,omitempty"` // live capture: frames the kernel passed
	KernelDropped   int64    `json:"kernel_dropped,omitempty"`  // … and dropped for want of buffer
	// Problems are the files that could not be read, or not to their end
	// (what was read of them is kept and counted above).
	Problems []domain.Problem `json:"problems,omitempty"`
}

// storeShare says how much of a run longer than a second was spent
// writing to the database (on a large capture, most of it).
func (s *discoverSummary) storeShare() string {
	if s.Seconds < 1 {
		return ""
	}
	return fmt.Sprintf(" (%.1fs of it writing to the database)", s.StoreSeconds)
}

func (s *discoverSummary) add(r *domain.DiscoveryResult) {
	s.NewDevices += r.NewDevices
	s.UpdatedDevices += r.UpdatedDevices
	s.Observations += r.Observations
	s.NewObservations += r.NewObservations
	s.Flows += r.Flows
}

func (a *app) discoverCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "discover", Short: "Learn devices passively from packet captures and other tools' results"}
	var o discoverOptions
	pcap := &cobra.Command{
		Use:   "pcap FILE|-...",
		Short: "Read pcap/pcapng captures and add what they reveal to the inventory",
		Long: `Read packet captures (pcap or pcapng) and learn the devices in them: MAC and IP
addresses, host names, DHCP, DICOM, HL7 and other protocol facts, and who talks
to whom. Nothing is sent on the network.

Devices are matched to the inventory by MAC (or, for hosts seen without one,
by host name or IP). New devices are added as "not yet reviewed". Discovered
values fill only empty fields: nothing entered by hand is overwritten. Every
observation is kept, with its evidence, on the device's page.

A FILE of - reads a capture from standard input. A file that cannot be read,
or not to its end, does not stop the others: what it gave is kept, and its
problem is reported, with the byte offset, after the summary (the command
then exits with status 1).`,
		Example: `  vigil discover pcap ward3.pcap
  vigil discover pcap monday/*.pcapng --site main-clinic --json
  zcat ward3.pcap.gz | vigil discover pcap -
  vigil discover pcap span.pcap --fingerprints our-devices.csv`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("%s needs at least one capture FILE (or - for standard input)", cmd.CommandPath())
			}
			if i := slices.Index(args, "-"); i >= 0 && slices.Contains(args[i+1:], "-") {
				return usagef("standard input (-) can be read once")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return a.discoverPcap(cmd, args, o) },
	}
	imp := &cobra.Command{
		Use:   "import FILE...",
		Short: "Import Nmap XML, Zeek logs, ISC DHCP leases or ARP/DHCP CSV tables",
		Long: `Import other tools' results and add what they reveal to the inventory, like
"discover pcap" does for captures. The format is recognised from the content:
Nmap XML (-oX), Zeek conn/dhcp/dns/http logs (TSV with #fields, or JSON lines),
ISC dhcpd.leases, and CSV tables of IP/MAC/hostname/VLAN exported from switches,
routers and DHCP servers. A file with an error is rejected whole, with the
error's place (file:line or byte offset).`,
		Example: `  vigil discover import scan.xml
  vigil discover import conn.log dhcp.log dns.log
  vigil discover import /var/lib/dhcp/dhcpd.leases arp-table.csv --site main-clinic`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("%s needs at least one FILE", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return a.discoverImport(cmd, args, o) },
	}
	for _, c := range []*cobra.Command{pcap, imp} {
		c.Flags().StringVar(&o.site, "site", "", "site new devices belong to (default: the practice's only site)")
		c.Flags().StringVar(&o.fingerprints, "fingerprints", "", "extra fingerprint rules (CSV, see docs/discovery.md)")
		c.Flags().StringArrayVar(&o.local, "local", nil, "an address range of the practice's own besides the private ones (repeatable), e.g. 128.2.6.0/24")
	}
	cmd.AddCommand(pcap, imp)
	return cmd
}

// classifier builds the fingerprint classifier with the user's rules.
func (o discoverOptions) classifier() (*fingerprint.Classifier, error) {
	if o.fingerprints == "" {
		return fingerprint.New(), nil
	}
	rules, err := fingerprint.LoadRulesFile(o.fingerprints)
	if err != nil {
		return nil, err
	}
	return fingerprint.New(rules...), nil
}

// discoveryCtx puts the discovery actor for source on ctx.
func discoveryCtx(ctx context.Context, source string) context.Context {
	return domain.WithActor(ctx, domain.Actor{Kind: domain.ActorDiscovery, Name: source, UserAgent: "vigil-cli/" + Version})
}

// discoveryHeap is the soft limit on the Go heap of a capture run
// (sensor.Options.HeapLimit: the collector runs by heap size, the limit
// raised as the live heap grows), unless the GOMEMLIMIT environment
// variable sets one; then the runtime's own policy applies.
func discoveryHeap() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	return sensor.DefaultHeapLimit
}

// storeSink applies batches to the store, adding their results to sum.
// The store copies what it writes and keeps nothing of a batch, so the
// engines it feeds may reuse their flow records (discovery.Options.ReuseFlows).
// A progress line, when there is one, says the store is being written
// while it is: on a large capture that is most of the wait.
func storeSink(st store.Store, sum *discoverSummary, bar ...*progress) discovery.Sink {
	return func(ctx context.Context, b *domain.DiscoveryBatch) error {
		for _, p := range bar {
			p.storing(b.FlowCount(), sum.Flows)
		}
		began := time.Now()
		res, err := st.ApplyDiscovery(ctx, b)
		sum.StoreSeconds += time.Since(began).Seconds()
		if err != nil {
			return err
		}
		sum.add(res)
		for _, p := range bar {
			p.stored()
		}
		return nil
	}
}

func (a *app) discoverPcap(cmd *cobra.Command, files []string, o discoverOptions) error {
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
	if o.site != "" {
		if _, err := st.FindSite(ctx, o.site); err != nil {
			return err
		}
	}
	start := time.Now()
	sum := &discoverSummary{Files: files}
	bar := newProgress(a.err, !a.json)
	// A file that cannot be read, or not to its end, does not stop the
	// others: its problem is reported with the summary of what was read.
	var problems []domain.Problem
	read := 0 // files begun
	for i, path := range files {
		if ctx.Err() != nil {
			break // interrupted: the files not begun are said below
		}
		read++
		stdin := path == "-" // a capture on standard input: tcpdump -w - …, zcat x.pcap.gz
		src, path, err := openInput(path, a.in)
		if err != nil {
			problems = append(problems, domain.Problem{Location: path, Message: err.Error()})
			continue
		}
		if stdin {
			bar.stream(path)
		} else {
			bar.file(path, i+1, len(files))
		}
		source := domain.DiscoverySourceName("pcap", path)
		fctx := discoveryCtx(ctx, source)
		eng := discovery.New(discovery.Options{Source: source, Site: o.site, Classifier: cls, Local: local, ReuseFlows: true}, storeSink(st, sum, bar))
		base := *sum
		rs, err := sensor.Run(fctx, src, dissect.NewDecoder(source), eng, sensor.Options{
			HeapLimit:     discoveryHeap(),
			ProgressEvery: 1 << 14,
			Progress:      func(s sensor.Stats) { bar.update(base.Frames+s.Frames, base.Bytes+s.Bytes, s.Offset, s.Read) },
		})
		src.Close()
		sum.Frames += rs.Frames
		sum.Bytes += rs.Bytes
		sum.DecodeErrors += rs.DecodeErrors
		sum.DecodeFailures += rs.DecodeFailures
		if err != nil {
			p, ok := stoppedAt(path, err, rs.Frames)
			if !ok { // the store failed: nothing more can be written
				bar.done()
				return err
			}
			problems = append(problems, p)
		}
	}
	bar.done()
	sum.Seconds = time.Since(start).Seconds()
	sum.Problems = problems
	if err := a.printDiscover(sum); err != nil {
		return err
	}
	switch {
	case ctx.Err() != nil:
		return domain.Errorf(domain.CodeInvalid, "interrupted after %d of %d file(s); everything read until then was kept", read, len(files))
	case len(problems) > 0:
		return &domain.Error{Code: domain.CodeInvalid, Problems: problems,
			Message: fmt.Sprintf("%d of %d file(s) could not be read whole; everything read was kept", len(problems), len(files))}
	}
	return nil
}

// plainFormatError is a *capture.FormatError without the name it
// carries (the caller names the file): "not a pcap or pcapng file (byte 0)".
func plainFormatError(err error) error {
	var fe *capture.FormatError
	if errors.As(err, &fe) {
		return fmt.Errorf("%v (byte %d)", fe.Err, fe.Offset)
	}
	return err
}

// openInput opens the capture at path, or standard input for "-", and
// returns it with the name to call it by ("stdin" for standard input).
func openInput(path string, stdin io.Reader) (capture.Source, string, error) {
	if path != "-" {
		src, err := openCapture(path)
		return src, path, err
	}
	src, err := capture.NewReader(stdin, "stdin")
	return src, "stdin", plainFormatError(err)
}

// stoppedAt is the problem of a capture that stopped making sense part-way
// (a *capture.FormatError from sensor.Run, after frames frames), located
// at its byte offset; false for any other error.
func stoppedAt(path string, err error, frames int64) (domain.Problem, bool) {
	var fe *capture.FormatError
	if !errors.As(err, &fe) {
		return domain.Problem{}, false
	}
	return domain.Problem{Location: fmt.Sprintf("%s: byte %d", path, fe.Offset),
		Message: fmt.Sprintf("%v; the %d packets before it were read and kept", fe.Err, frames)}, true
}

// openCapture opens a capture file, saying plainly what is wrong with a
// path that is not one: missing, unreadable, a directory, empty, or
// not pcap or pcapng (with the byte offset where that showed).
func openCapture(path string) (capture.Source, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, errors.New("no such file")
	case errors.Is(err, fs.ErrPermission):
		return nil, errors.New("permission denied")
	case err != nil:
		return nil, err
	case fi.IsDir():
		return nil, errors.New("is a directory, not a capture file")
	case fi.Mode().IsRegular() && fi.Size() == 0:
		return nil, errors.New("is empty")
	}
	src, err := capture.OpenFile(path)
	var pe *fs.PathError
	switch {
	case err == nil:
		return src, nil
	case errors.Is(err, fs.ErrPermission):
		return nil, errors.New("permission denied")
	case errors.As(err, &pe):
		return nil, pe.Err
	}
	return nil, plainFormatError(err)
}

func (a *app) printDiscover(sum *discoverSummary) error {
	if a.json {
		return a.printJSON(sum)
	}
	if sum.Interface != "" {
		fmt.Fprintf(a.out, "Read %d packets (%s) on %s in %.1fs%s.\n", sum.Frames, humanBytes(sum.Bytes), sum.Interface, sum.Seconds, sum.storeShare())
	} else if sum.Frames > 0 || len(sum.Problems) > 0 {
		fmt.Fprintf(a.out, "Read %d packets (%s) from %d file(s) in %.1fs%s", sum.Frames, humanBytes(sum.Bytes), len(sum.Files), sum.Seconds, sum.storeShare())
		if n := len(sum.Problems); n > 0 {
			fmt.Fprintf(a.out, "; %d could not be read whole (see below)", n)
		}
		fmt.Fprintln(a.out, ".")
	} else {
		fmt.Fprintf(a.out, "Read %d record(s) from %d file(s).\n", sum.Records, len(sum.Files))
	}
	fmt.Fprintf(a.out, "Devices: %d new (not yet reviewed), %d updated.\n", sum.NewDevices, sum.UpdatedDevices)
	fmt.Fprintf(a.out, "Observations: %d (%d new). Flows: %d.\n", sum.Observations, sum.NewObservations, sum.Flows)
	if sum.DecodeErrors+sum.DecodeFailures > 0 {
		fmt.Fprintf(a.out, "%d packet(s) were malformed or truncated and %d could not be decoded; their other facts were kept.\n", sum.DecodeErrors, sum.DecodeFailures)
	}
	if sum.KernelReceived > 0 {
		fmt.Fprintf(a.out, "The kernel passed %d frame(s) and dropped %d.\n", sum.KernelReceived, sum.KernelDropped)
	}
	if sum.NewDevices > 0 {
		fmt.Fprintln(a.out, "Review new devices with: vigil device list --unreviewed")
	}
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// progress draws a one-line progress report on a terminal (and nothing
// otherwise): the file being read (and which of how many), how far
// through it the reading is, packets, bytes and rate; and, while the
// store is written, that and how many flows have gone to it so far.
type progress struct {
	w       io.Writer
	on      bool
	start   time.Time
	last    time.Time
	started bool
	now     func() time.Time

	name          string // the file being read
	nth, of       int    // its place among the files
	size          int64  // its size (0: unknown)
	frames, bytes int64  // read so far, all files
	offset        int64  // how far into this file
}

func newProgress(w io.Writer, want bool) *progress {
	return &progress{w: w, on: want && isTerminal(w), start: time.Now(), now: time.Now}
}

// file says the nth of files capture files, path, is being read.
func (p *progress) file(path string, nth, files int) {
	p.name, p.nth, p.of, p.offset, p.size = path, nth, files, 0, 0
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		p.size = fi.Size()
	}
}

// stream says an interface or a stream of unknown length, name, is read,
// and shows that it is.
func (p *progress) stream(name string) {
	p.name, p.nth, p.of, p.offset, p.size = name, 1, 1, 0, 0
	if p.on {
		p.draw("waiting for packets (Ctrl-C stops)")
	}
}

// update reports the packets and bytes read so far and the current
// file's offset, at most five times a second; read says the file has
// been read to its end.
func (p *progress) update(frames, bytes, offset int64, read bool) {
	p.frames, p.bytes, p.offset = frames, bytes, offset
	if read {
		p.offset = p.size
	}
	if !p.on || (!read && p.now().Sub(p.last) < 200*time.Millisecond) {
		return
	}
	secs := max(p.now().Sub(p.start).Seconds(), 0.001)
	p.draw(fmt.Sprintf("%d packets, %s, %.0f packets/s", frames, humanBytes(bytes), float64(frames)/secs))
}

// storing reports that a batch of flows is being written to the store,
// after written flows before it.
func (p *progress) storing(flows, written int) {
	if p.on {
		p.draw(fmt.Sprintf("%d packets, writing %d flows to the database (%d written so far)", p.frames, flows, written))
	}
}

// stored says the store has been written: the reading line again, at
// once, so that a quiet interface does not leave "writing" on screen.
func (p *progress) stored() {
	if p.on && p.frames > 0 {
		p.last = time.Time{}
		p.update(p.frames, p.bytes, p.offset, false)
	}
}

// draw writes the line: the file, how far through it, and what.
func (p *progress) draw(what string) {
	p.last, p.started = p.now(), true
	head := p.name
	if p.of > 1 {
		head += fmt.Sprintf(" (%d of %d)", p.nth, p.of)
	}
	if p.size > 0 {
		head += fmt.Sprintf(" %d%%", min(p.offset*100/p.size, 100))
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s: %s", head, what)
}

func (p *progress) done() {
	if p.on && p.started {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.started = false
	}
}
