package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/capture"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/sqlite"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure discover pcap learns devices and flows from a real capture, and
// that a second run adds to the flows without making new devices.
func TestDiscoverPcap(t *testing.T) {
	db := newPractice(t)
	pcap := vigiltest.SharedData(t, "pcap/medical-devices/withings-bpm/2_6.pcap")
	r := run(t, db, "--json", "discover", "pcap", pcap, "--site", "main-clinic").must(t)
	var sum discoverSummary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Frames != 283 || sum.NewDevices != 3 || sum.Flows == 0 || sum.Observations == 0 {
		t.Fatalf("summary %+v", sum)
	}
	if sum.StoreSeconds <= 0 || sum.StoreSeconds > sum.Seconds {
		t.Fatalf("%.6fs writing to the database of %.6fs", sum.StoreSeconds, sum.Seconds)
	}
	r = run(t, db, "--json", "discover", "pcap", pcap, "--site", "main-clinic").must(t)
	var again discoverSummary
	json.Unmarshal([]byte(r.stdout), &again)
	if again.NewDevices != 0 || again.NewObservations != 0 || again.Flows != sum.Flows {
		t.Fatalf("second run %+v", again)
	}
	r = run(t, db, "device", "list", "--unreviewed").must(t)
	if !strings.Contains(r.stdout, "3 devices") {
		t.Fatalf("unreviewed: %s", r.stdout)
	}
	r = run(t, db, "--json", "flows", "list").must(t)
	var flows []struct {
		Packets int64 `json:"packets"`
	}
	json.Unmarshal([]byte(r.stdout), &flows)
	var packets int64
	for _, f := range flows {
		packets += f.Packets
	}
	if len(flows) != sum.Flows || packets == 0 {
		t.Fatalf("%d flows listed, %d stored; %d packets", len(flows), sum.Flows, packets)
	}
	// A limit below the count says there are more; filters that match
	// nothing say so rather than "no flows yet"; bad filters are usage
	// errors; filters are matched as flows are stored (lower case,
	// unmapped addresses).
	r = run(t, db, "flows", "list", "--limit", "2").must(t)
	if strings.Count(r.stdout, "\n") != 4 || !strings.HasSuffix(r.stdout, "Only the first 2 shown; there are more (a larger --limit, or none for all).\n") {
		t.Fatalf("--limit 2:\n%s", r.stdout)
	}
	if r = run(t, db, "flows", "list", "--limit", strconv.Itoa(sum.Flows)).must(t); strings.Contains(r.stdout, "there are more") {
		t.Fatalf("--limit of all flows:\n%s", r.stdout)
	}
	if r = run(t, db, "flows", "list", "--port", "4444").must(t); r.stdout != "No flows match these filters.\n" {
		t.Fatalf("no match: %q", r.stdout)
	}
	for _, args := range [][]string{{"--limit", "-1"}, {"--port", "70000"}, {"--transport", "sctp"}, {"--peer", "10.0.0.300"}} {
		if r = run(t, db, append([]string{"flows", "list"}, args...)...); r.code != ExitUsage || !strings.Contains(r.stderr, args[0]) {
			t.Fatalf("%v: exit %d, %s", args, r.code, r.stderr)
		}
	}
	first := strings.Fields(strings.Split(run(t, db, "flows", "list", "--limit", "1").must(t).stdout, "\n")[1])
	peer := first[3]                              // the PEER column
	transport, _, _ := strings.Cut(first[4], "/") // SERVICE's transport
	r = run(t, db, "--json", "flows", "list", "--peer", "::ffff:"+peer, "--transport", strings.ToUpper(transport))
	if r.code != 0 {
		t.Fatalf("--peer ::ffff:%s --transport %s: exit %d, %s", peer, strings.ToUpper(transport), r.code, r.stderr)
	}
	var byPeer []struct {
		PeerIP    string `json:"peer_ip"`
		Transport string `json:"transport"`
	}
	json.Unmarshal([]byte(r.stdout), &byPeer)
	for _, f := range byPeer {
		if f.PeerIP != peer || f.Transport != transport {
			t.Fatalf("--peer ::ffff:%s --transport %s gave %+v", peer, strings.ToUpper(transport), byPeer)
		}
	}
	if len(byPeer) == 0 {
		t.Fatalf("--peer ::ffff:%s --transport %s found nothing", peer, strings.ToUpper(transport))
	}
}

// Ensure discover import recognises each tool's format, never overwrites
// a value entered by hand, and rejects a bad file whole with its place.
func TestDiscoverImport(t *testing.T) {
	db := newPractice(t)
	run(t, db, "device", "add", "--name", "Bed 3 monitor", "--macs", "00:09:fb:3a:11:02", "--manufacturer", "GE HealthCare", "--site", "main-clinic").must(t)
	files := []string{"../importer/nmap/testdata/ward-lan.xml", "../importer/dhcplease/testdata/dhcpd.leases",
		"../importer/arpcsv/testdata/cisco-arp.csv", "../importer/zeek/testdata/conn.log", "../importer/zeek/testdata/dns.log"}
	r := run(t, db, append([]string{"--json", "discover", "import", "--site", "main-clinic"}, files...)...).must(t)
	var sum discoverSummary
	json.Unmarshal([]byte(r.stdout), &sum)
	if sum.Records != 14 || sum.NewDevices == 0 || sum.UpdatedDevices == 0 || sum.Flows != 7 {
		t.Fatalf("summary %+v", sum)
	}
	r = run(t, db, "--json", "device", "show", "mac:00:09:fb:3a:11:02").must(t)
	var shown struct{ Device map[string]string }
	json.Unmarshal([]byte(r.stdout), &shown)
	if shown.Device["manufacturer"] != "GE HealthCare" || shown.Device["name"] != "Bed 3 monitor" || shown.Device["os"] != "VxWorks" ||
		shown.Device["ips"] != "10.20.0.31" {
		t.Fatalf("device after discovery %v", shown.Device)
	}
	bad := filepath.Join(t.TempDir(), "arp.csv")
	os.WriteFile(bad, []byte("IP,MAC\n10.0.0.1,00:11:22:33:44:55\n10.0.0.2,zz\n"), 0o600)
	r = run(t, db, "discover", "import", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "arp.csv:3:10: invalid MAC address") {
		t.Fatalf("bad file: exit %d, %s", r.code, r.stderr)
	}
	// With several files, every bad one is named, and nothing is imported.
	truncated := filepath.Join(t.TempDir(), "scan.xml")
	os.WriteFile(truncated, []byte(`<?xml version="1.0"?><nmaprun><host><address addr="10.0.0.5" addrtype="ipv4"/></host`), 0o600)
	unknown := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(unknown, []byte("hello\n"), 0o600)
	before := run(t, db, "--json", "device", "list").must(t).stdout
	r = run(t, db, "discover", "import", bad, "../importer/zeek/testdata/conn.log", truncated, unknown)
	want := []string{"arp.csv:3:10: invalid MAC address", "scan.xml:1:85: unexpected EOF", "notes.txt is not a format discover import knows",
		"vigil: 3 of 4 file(s) have problems; nothing was imported."}
	for _, w := range want {
		if r.code != 1 || !strings.Contains(r.stderr, w) {
			t.Fatalf("bad files: exit %d, want %q in\n%s", r.code, w, r.stderr)
		}
	}
	if after := run(t, db, "--json", "device", "list").must(t).stdout; after != before {
		t.Fatalf("devices changed by a rejected import:\n%s\n%s", before, after)
	}
	r = run(t, db, "discover", "import")
	if r.code != 2 {
		t.Fatalf("no file: exit %d", r.code)
	}
}

// Ensure the sensor reads a capture stream, flushing as capture time
// passes, with the same result as discover pcap.
func TestSensorRead(t *testing.T) {
	db := newPractice(t)
	pcap := vigiltest.SharedData(t, "pcap/medical-devices/withings-bpm/2_6.pcap")
	r := run(t, db, "--json", "sensor", "--read", pcap, "--name", "eth1", "--site", "main-clinic", "--flush", "1s").must(t)
	var sum discoverSummary
	json.Unmarshal([]byte(r.stdout), &sum)
	if sum.Frames != 283 || sum.NewDevices != 3 {
		t.Fatalf("summary %+v", sum)
	}
	r = run(t, db, "--json", "device", "show", "1").must(t)
	if !strings.Contains(r.stdout, "sensor:eth1") {
		t.Fatalf("devices do not name the sensor: %s", r.stdout)
	}
	if r := run(t, db, "sensor"); r.code != 2 {
		t.Fatalf("no --read: exit %d", r.code)
	}
	// A stream cut inside a record: what came before is stored and
	// summed up, the place of the cut reported, and the run fails.
	whole, err := os.ReadFile(pcap)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.pcap")
	os.WriteFile(cut, whole[:len(whole)-10], 0o600)
	r = run(t, db, "--json", "sensor", "--read", cut, "--site", "main-clinic")
	sum = discoverSummary{}
	json.Unmarshal([]byte(r.stdout), &sum)
	if r.code != ExitFailure || sum.Frames != 282 || len(sum.Problems) != 1 || !strings.HasPrefix(sum.Problems[0].Location, cut+": byte ") ||
		!strings.Contains(r.stderr, "truncated record; the 282 packets before it were read and kept") {
		t.Fatalf("cut stream: exit %d, summary %+v\n%s", r.code, sum, r.stderr)
	}
}

// Ensure every way in labels what it learns the same way: the kind of
// source and the file's base name, or the interface ("pcap:ward3.pcap",
// "sensor:ward4.pcap", "nmap:ward-lan.xml"), in observations and in the
// audit trail's actor — never a directory path.
func TestDiscoverSourceLabels(t *testing.T) {
	db := newPractice(t)
	dir := filepath.Join(t.TempDir(), "span", "captures")
	os.MkdirAll(dir, 0o755)
	cp := func(rel, name string) string {
		b, err := os.ReadFile(vigiltest.SharedData(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	run(t, db, "discover", "pcap", cp("pcap/medical-devices/withings-bpm/2_6.pcap", "ward3.pcap"), "--site", "main-clinic").must(t)
	run(t, db, "sensor", "--read", cp("pcap/discovery/zeek-dhcp.pcap", "ward4.pcap"), "--site", "main-clinic").must(t)
	run(t, db, "discover", "import", "../importer/nmap/testdata/ward-lan.xml", "--site", "main-clinic").must(t)

	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.FindTenant(ctx, "lakeside-family-medicine")
	if err != nil {
		t.Fatal(err)
	}
	ctx = domain.WithTenant(ctx, tn.ID)
	devices, _, err := st.FindDevices(ctx, domain.DeviceFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]int{}
	for _, d := range devices {
		obs, err := st.FindObservations(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range obs {
			sources[o.Source]++
		}
	}
	want := []string{"nmap:ward-lan.xml", "pcap:ward3.pcap", "sensor:ward4.pcap"}
	if got := slices.Sorted(maps.Keys(sources)); !slices.Equal(got, want) {
		t.Fatalf("observation sources %v, want %v", sources, want)
	}
	r := run(t, db, "--json", "audit", "list").must(t)
	for _, s := range want {
		if !strings.Contains(r.stdout, `"discovery:`+s+`"`) && !strings.Contains(r.stdout, `"name": "`+s+`"`) {
			t.Errorf("the audit trail does not name %s as the actor", s)
		}
	}
	if strings.Contains(r.stdout, dir) {
		t.Errorf("the audit trail holds the directory %s", dir)
	}
}

// TestDiscoverProgress checks the progress line a terminal gets: the
// file, how far through it the reading is, the packets, then the store
// being written, and the line cleared before the summary.
func TestDiscoverProgress(t *testing.T) {
	isTerm := isTerminal
	isTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminal = isTerm })
	db := newPractice(t)
	pcap := vigiltest.SharedData(t, "pcap/medical-devices/withings-bpm/2_6.pcap")
	r := run(t, db, "discover", "pcap", pcap, pcap, "--site", "main-clinic").must(t)
	lines := strings.Split(r.stderr, "\r\x1b[K")
	if lines[0] != "" || lines[len(lines)-1] != "" {
		t.Fatalf("progress does not start and end with a cleared line: %q", r.stderr)
	}
	lines = lines[1 : len(lines)-1]
	want := []string{
		// the first file read, its last batch written (and the count shown
		// again once it is), the run's last report
		pcap + " (1 of 2) 100%: 283 packets, ",
		pcap + " (1 of 2) 100%: 283 packets, writing ",
		pcap + " (1 of 2) 100%: 283 packets, ",
		pcap + " (1 of 2) 100%: 283 packets, ",
		// the second adds to the count, and the flows already written show
		pcap + " (2 of 2) 100%: 566 packets, ",
		pcap + " (2 of 2) 100%: 566 packets, writing ",
		pcap + " (2 of 2) 100%: 566 packets, ",
		pcap + " (2 of 2) 100%: 566 packets, ",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d progress lines, want %d: %q", len(lines), len(want), lines)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, want[i]) {
			t.Fatalf("line %d is %q, want it to start %q", i, l, want[i])
		}
	}
	if !strings.HasSuffix(lines[1], "flows to the database (0 written so far)") || strings.HasSuffix(lines[5], "(0 written so far)") {
		t.Fatalf("store lines %q, %q", lines[1], lines[5])
	}
	for i, l := range lines {
		if (i == 1 || i == 5) != strings.Contains(l, "writing") {
			t.Fatalf("line %d: %q", i, l)
		}
	}
	if !strings.Contains(r.stdout, "Read 566 packets") {
		t.Fatalf("summary %q", r.stdout)
	}
}

// TestProgressThrottle checks the reading progress: a quarter of the
// file read shows 25 %, reports closer than 200 ms apart are skipped,
// and the end of the file always shows (as 100 %).
func TestProgressThrottle(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ward.pcap")
	if err := os.WriteFile(file, make([]byte, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	at := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	p := &progress{w: &b, on: true, start: at, now: func() time.Time { return at }}
	p.file(file, 1, 1)
	step := func(d time.Duration, frames, offset int64, read bool) string {
		at = at.Add(d)
		b.Reset()
		p.update(frames, frames*100, offset, read)
		return b.String()
	}
	if got := step(time.Second, 1000, 250, false); got != "\r\x1b[K"+file+" 25%: 1000 packets, 97.7 KiB, 1000 packets/s" {
		t.Fatalf("first report %q", got)
	}
	if got := step(100*time.Millisecond, 1100, 300, false); got != "" {
		t.Fatalf("a report 100 ms after the last: %q", got)
	}
	if got := step(150*time.Millisecond, 1200, 400, false); !strings.Contains(got, " 40%: 1200 packets") {
		t.Fatalf("a report 250 ms after the last: %q", got)
	}
	if got := step(time.Millisecond, 1300, 900, true); !strings.Contains(got, " 100%: 1300 packets") {
		t.Fatalf("the end of the file: %q", got)
	}
}

// TestDiscoverPcapProblems checks that files which cannot be read, or not
// to their end, are each reported with their place while the others are
// read: the run goes on, keeps the packets before a truncation, prints
// the summary and fails.
func TestDiscoverPcapProblems(t *testing.T) {
	db := newPractice(t)
	dir := t.TempDir()
	good := vigiltest.SharedData(t, "pcap/peers/dicom-echo-store.pcap")
	whole, err := os.ReadFile(vigiltest.SharedData(t, "pcap/medical-devices/withings-bpm/2_6.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	// Cut the capture inside its 101st record: 100 frames are whole.
	src, err := capture.NewReader(bytes.NewReader(whole), "x")
	if err != nil {
		t.Fatal(err)
	}
	var cut int64
	for range 101 {
		f, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		cut = f.Offset
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := write("cut.pcap", whole[:cut+20])
	empty := write("empty.pcap", nil)
	text := write("notes.pcap", []byte("not a capture\n"))
	missing := filepath.Join(dir, "missing.pcap")
	r := run(t, db, "--json", "discover", "pcap", missing, dir, empty, text, truncated, good, "--site", "main-clinic")
	if r.code != ExitFailure {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitFailure, r.stderr)
	}
	var sum discoverSummary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("%v: %q", err, r.stdout)
	}
	want := []domain.Problem{
		{Location: missing, Message: "no such file"},
		{Location: dir, Message: "is a directory, not a capture file"},
		{Location: empty, Message: "is empty"},
		{Location: text, Message: "not a pcap or pcapng file (byte 0)"},
		{Location: fmt.Sprintf("%s: byte %d", truncated, cut), Message: "truncated record; the 100 packets before it were read and kept"},
	}
	if !slices.Equal(sum.Problems, want) {
		t.Fatalf("problems\n%+v\nwant\n%+v", sum.Problems, want)
	}
	// The good file after them was read whole, with the 100 packets.
	goodFrames := int64(0)
	if src, err = capture.OpenFile(good); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := src.Next(); err != nil {
			break
		}
		goodFrames++
	}
	src.Close()
	if sum.Frames != 100+goodFrames || sum.NewDevices == 0 || sum.Flows == 0 {
		t.Fatalf("summary %+v (the good file has %d frames)", sum, goodFrames)
	}
	for _, p := range want {
		if !strings.Contains(r.stderr, p.String()+"\n") {
			t.Fatalf("stderr does not name %q:\n%s", p, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, "vigil: 5 of 6 file(s) could not be read whole; everything read was kept.") {
		t.Fatalf("stderr %s", r.stderr)
	}
	// The text summary says it too.
	r = run(t, db, "discover", "pcap", truncated, "--site", "main-clinic")
	if r.code != ExitFailure || !strings.Contains(r.stdout, "Read 100 packets") || !strings.Contains(r.stdout, "1 could not be read whole (see below)") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestDiscoverPcapInterrupted checks an interrupted run (Ctrl-C cancels
// the command's context): the file being read is stopped, the next is not
// begun, the summary of what was read is printed and the run fails,
// saying so. The capture comes through a named pipe so that the test
// knows the run is reading it when it interrupts.
func TestDiscoverPcapInterrupted(t *testing.T) {
	db := newPractice(t)
	fifo := filepath.Join(t.TempDir(), "live.pcap")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	head, err := os.ReadFile(vigiltest.SharedData(t, "pcap/peers/dicom-echo-store.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	next := vigiltest.SharedData(t, "pcap/peers/hl7-mllp-adt-a01.pcap")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"--db", db, "--json", "discover", "pcap", fifo, next, "--site", "main-clinic"}, strings.NewReader(""), &out, &errb)
	}()
	// Opening the pipe to write succeeds once the run has opened it to
	// read (until then it fails with ENXIO); a run that ended before that
	// is a failure.
	var w *os.File
	for w == nil {
		select {
		case code := <-done:
			t.Fatalf("the run ended (exit %d) before reading the pipe\n%s", code, errb.String())
		default:
		}
		if w, err = os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err != nil && !errors.Is(err, syscall.ENXIO) {
			t.Fatal(err)
		}
		runtime.Gosched()
	}
	cancel()
	w.Write(head[:min(len(head), 32<<10)]) // a pipe's buffer holds it whether or not it is read
	w.Close()
	if code := <-done; code != ExitFailure {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	var sum discoverSummary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("%v: %q", err, out.String())
	}
	if len(sum.Problems) != 0 || !strings.Contains(errb.String(), "vigil: interrupted after 1 of 2 file(s); everything read until then was kept.") {
		t.Fatalf("summary %+v\n%s", sum, errb.String())
	}
}

// TestSensorProgress checks the line a terminal gets from the sensor on
// a stream: that it waits for packets, the count as frames come, the
// store being written and the count again after it, cleared at the end.
func TestSensorProgress(t *testing.T) {
	isTerm := isTerminal
	isTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminal = isTerm })
	db := newPractice(t)
	capture, err := os.ReadFile(vigiltest.SharedData(t, "pcap/medical-devices/withings-bpm/2_6.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"--db", db, "sensor", "--read", "-", "--name", "eth1", "--site", "main-clinic"}, bytes.NewReader(capture), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	lines := strings.Split(errb.String(), "\r\x1b[K")
	if lines[0] != "" || lines[len(lines)-1] != "" {
		t.Fatalf("progress does not start and end with a cleared line: %q", errb.String())
	}
	lines = lines[1 : len(lines)-1]
	want := []string{
		"stdin: waiting for packets (Ctrl-C stops)",
		"stdin: 283 packets, ",         // the stream has ended
		"stdin: 283 packets, writing ", // the last batch
		"stdin: 283 packets, ",         // written
		"stdin: 283 packets, ",         // the run's last report
	}
	if len(lines) != len(want) {
		t.Fatalf("%d progress lines, want %d: %q", len(lines), len(want), lines)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, want[i]) || (i != 2 && strings.Contains(l, "writing")) {
			t.Fatalf("line %d is %q, want it to start %q", i, l, want[i])
		}
	}
	if !strings.Contains(out.String(), "Read 283 packets") {
		t.Fatalf("summary %q", out.String())
	}
}

// TestDiscoverPcapStdin checks "-" reads a capture from standard input,
// as the sensor's --read - does, and may be given once.
func TestDiscoverPcapStdin(t *testing.T) {
	db := newPractice(t)
	data, err := os.ReadFile(vigiltest.SharedData(t, "pcap/peers/dicom-echo-store.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"--db", db, "--json", "discover", "pcap", "-", "--site", "main-clinic"}, bytes.NewReader(data), &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	var sum discoverSummary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil || sum.Frames != 40 || sum.NewDevices != 1 || sum.Flows != 1 {
		t.Fatalf("summary %+v (%v)", sum, err)
	}
	r := run(t, db, "--json", "device", "show", "1").must(t)
	if !strings.Contains(r.stdout, "pcap:stdin") {
		t.Fatalf("the device does not name its source: %s", r.stdout)
	}
	if r := run(t, db, "discover", "pcap", "-", "x.pcap", "-"); r.code != ExitUsage || !strings.Contains(r.stderr, "standard input (-) can be read once") {
		t.Fatalf("- twice: exit %d, %s", r.code, r.stderr)
	}
}
