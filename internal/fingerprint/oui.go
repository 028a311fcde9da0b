package fingerprint

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run ./gen -dir ../../../shared/data/oui -out data/oui.bin.gz

// ouiData is the IEEE MA-L, MA-M and MA-S registries reduced by
// EncodeOUI (see gen/). Regenerate with go generate; a test checks it
// matches the shared registry files.
//
//go:embed data/oui.bin.gz
var ouiData []byte

const ouiMagic = "VOUI1\n"

// ouiEntry is one assignment: the first bits of a MAC address.
type ouiEntry struct {
	bits   uint8  // 24 (MA-L), 28 (MA-M) or 36 (MA-S)
	prefix uint64 // the assigned bits, right-aligned
	org    uint32 // index into the organisation names
}

// EncodeOUI reads IEEE registry CSV files (Registry,Assignment,
// Organization Name,Organization Address) and returns the compact table
// embedded in the binary: a gzip stream of the organisation names and the
// assignments sorted by length and prefix. The output depends only on the
// input, so a test can check the committed file is current.
func EncodeOUI(files map[string]io.Reader) ([]byte, error) {
	orgIdx := map[string]uint32{}
	var orgs []string
	var entries []ouiEntry
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		r := csv.NewReader(files[name])
		r.FieldsPerRecord = -1
		line := 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			line++
			if err != nil {
				return nil, fmt.Errorf("fingerprint: %s: %w", name, err)
			}
			if line == 1 || len(rec) < 3 {
				continue
			}
			bits := map[string]uint8{"MA-L": 24, "MA-M": 28, "MA-S": 36, "IAB": 36}[rec[0]]
			if bits == 0 {
				continue
			}
			p, err := strconv.ParseUint(rec[1], 16, 64)
			if err != nil || len(rec[1])*4 != int(bits) {
				return nil, fmt.Errorf("fingerprint: %s:%d: assignment %q is not %d hex bits", name, line, rec[1], bits)
			}
			org := strings.Join(strings.Fields(rec[2]), " ")
			if org == "" || strings.EqualFold(org, "private") {
				continue
			}
			i, ok := orgIdx[org]
			if !ok {
				i = uint32(len(orgs))
				orgIdx[org] = i
				orgs = append(orgs, org)
			}
			entries = append(entries, ouiEntry{bits: bits, prefix: p, org: i})
		}
	}
	slices.SortFunc(entries, func(a, b ouiEntry) int {
		if a.bits != b.bits {
			return int(a.bits) - int(b.bits)
		}
		if a.prefix != b.prefix {
			if a.prefix < b.prefix {
				return -1
			}
			return 1
		}
		return int(a.org) - int(b.org)
	})
	entries = slices.CompactFunc(entries, func(a, b ouiEntry) bool { return a.bits == b.bits && a.prefix == b.prefix })
	var raw bytes.Buffer
	raw.WriteString(ouiMagic)
	raw.Write(binary.AppendUvarint(nil, uint64(len(orgs))))
	for _, o := range orgs {
		raw.Write(binary.AppendUvarint(nil, uint64(len(o))))
		raw.WriteString(o)
	}
	raw.Write(binary.AppendUvarint(nil, uint64(len(entries))))
	for _, e := range entries {
		raw.WriteByte(e.bits)
		raw.Write(binary.AppendUvarint(nil, e.prefix))
		raw.Write(binary.AppendUvarint(nil, uint64(e.org)))
	}
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	zw.Write(raw.Bytes())
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// ouiTable is the decoded registry.
type ouiTable struct {
	orgs    []string
	entries []ouiEntry // sorted by bits then prefix
}

var (
	ouiOnce  sync.Once
	ouiTab   *ouiTable
	ouiError error
)

func decodeOUI(data []byte) (*ouiTable, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(zr)
	magic := make([]byte, len(ouiMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != ouiMagic {
		return nil, errors.New("fingerprint: embedded OUI table has a bad header")
	}
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return nil, err
	}
	t := &ouiTable{orgs: make([]string, n)}
	for i := range t.orgs {
		l, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, err
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, err
		}
		t.orgs[i] = string(b)
	}
	if n, err = binary.ReadUvarint(br); err != nil {
		return nil, err
	}
	t.entries = make([]ouiEntry, n)
	for i := range t.entries {
		bits, err := br.ReadByte()
		if err != nil {
			return nil, err
		}
		p, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, err
		}
		o, err := binary.ReadUvarint(br)
		if err != nil || o >= uint64(len(t.orgs)) {
			return nil, errors.New("fingerprint: embedded OUI table is corrupt")
		}
		t.entries[i] = ouiEntry{bits: bits, prefix: p, org: uint32(o)}
	}
	return t, nil
}

// macSeparators strips the separators a MAC address is written with.
var macSeparators = strings.NewReplacer(":", "", "-", "", ".", "")

// LookupOUI returns the organisation the IEEE registered the MAC address's
// prefix to, trying the longest assignments (MA-S, MA-M) first, with the
// prefix as printed in the registry ("00:09:FB").
func LookupOUI(mac string) (org, prefix string, ok bool) {
	ouiOnce.Do(func() { ouiTab, ouiError = decodeOUI(ouiData) })
	if ouiError != nil {
		return "", "", false
	}
	hex := macSeparators.Replace(mac)
	if len(hex) != 12 {
		return "", "", false
	}
	v, err := strconv.ParseUint(hex, 16, 64)
	if err != nil {
		return "", "", false
	}
	for _, bits := range []uint8{36, 28, 24} {
		p := v >> (48 - uint(bits))
		es := ouiTab.entries
		i, found := slices.BinarySearchFunc(es, ouiEntry{bits: bits, prefix: p}, func(a, b ouiEntry) int {
			if a.bits != b.bits {
				return int(a.bits) - int(b.bits)
			}
			switch {
			case a.prefix < b.prefix:
				return -1
			case a.prefix > b.prefix:
				return 1
			}
			return 0
		})
		if found {
			return ouiTab.orgs[es[i].org], formatPrefix(hex, bits), true
		}
	}
	return "", "", false
}

func formatPrefix(hex string, bits uint8) string {
	n := int(bits) / 4
	h := strings.ToUpper(hex[:n])
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i:min(i+2, len(h))])
	}
	if bits%8 != 0 {
		return b.String() + "/" + strconv.Itoa(int(bits))
	}
	return b.String()
}

// OUIFiles are the registry files EncodeOUI is built from.
var OUIFiles = []string{"oui.csv", "mam.csv", "oui36.csv", "iab.csv"}
