package capture

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ParseBPF reads a classic BPF program in the decimal text form that
// `tcpdump -ddd EXPRESSION` prints: the instruction count on the first
// line, then one "code jt jf k" line per instruction.
//
// Vigil does not compile filter expressions itself: no pure-Go compiler of
// the pcap filter language is maintained, and running tcpdump at capture
// time would add a runtime dependency. An operator compiles the expression
// once, on any machine with tcpdump (`tcpdump -ddd -y EN10MB 'not port 22'`),
// and passes the program; the kernel verifies it when it is attached.
func ParseBPF(text string) ([]unix.SockFilter, error) {
	lines := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == ';' })
	var clean []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			clean = append(clean, l)
		}
	}
	if len(clean) == 0 {
		return nil, fmt.Errorf("empty BPF program")
	}
	n, err := strconv.Atoi(clean[0])
	if err != nil || n <= 0 || n > 4096 || n != len(clean)-1 {
		return nil, fmt.Errorf("BPF program: first line must be the instruction count (%d instructions follow)", len(clean)-1)
	}
	prog := make([]unix.SockFilter, 0, n)
	for i, l := range clean[1:] {
		f := strings.Fields(l)
		if len(f) != 4 {
			return nil, fmt.Errorf("BPF instruction %d: want \"code jt jf k\", got %q", i+1, l)
		}
		var v [4]uint64
		for j, s := range f {
			bits := []int{16, 8, 8, 32}[j]
			if v[j], err = strconv.ParseUint(s, 10, bits); err != nil {
				return nil, fmt.Errorf("BPF instruction %d: %v", i+1, err)
			}
		}
		prog = append(prog, unix.SockFilter{Code: uint16(v[0]), Jt: uint8(v[1]), Jf: uint8(v[2]), K: uint32(v[3])})
	}
	return prog, nil
}
