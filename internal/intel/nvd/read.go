// Package nvd reads CVE records in the three forms the NVD and CVE
// programme publish: NVD JSON 1.1 year feeds (CVE_Items), NVD CVE API 2.0
// response pages (vulnerabilities) and single API 2.0 records, and CVE
// JSON 5 records (CNA and ADP containers, such as CISA's vulnrichment).
// Each becomes a domain.CVE: description, dates, CWEs, CVSS scores, the
// vulnerable CPE matches of its configurations flattened, references, and
// for CVE JSON 5 the affected products.
//
// Read detects the format by content, gunzips when needed, and streams:
// feeds and pages are walked token by token and each record is handed to
// a callback as soon as it is read, so a year feed is never held in
// memory. The package does no I/O of its own.
package nvd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// Format names one of the record formats Read understands.
type Format string

// The formats Read detects.
const (
	FormatFeed11   Format = "nvd-json-1.1" // NVD JSON 1.1 year or modified feed
	FormatAPI20    Format = "nvd-api-2.0"  // NVD CVE API 2.0 response page
	FormatRecord20 Format = "nvd-cve-2.0"  // one NVD CVE API 2.0 record
	FormatCVE5     Format = "cve-json-5"   // one CVE JSON 5.x record
)

// MaxRecordSize is the largest single record (not feed) Read accepts.
const MaxRecordSize = 16 << 20

// sniffSize is how much of the (uncompressed) input Sniff looks at.
const sniffSize = 16 << 10

var (
	cveIDRe    = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)
	cweRe      = regexp.MustCompile(`^CWE-[0-9]+$`)
	recordIDRe = regexp.MustCompile(`"id"\s*:\s*"CVE-`)
)

// Sniff returns the format of an uncompressed input from its first bytes,
// or "" when it is none of them.
func Sniff(head []byte) Format {
	h := feed.Head(head)
	if len(h) == 0 || h[0] != '{' || bytes.Contains(h, []byte(`"csaf_version"`)) {
		return ""
	}
	switch {
	case bytes.Contains(h, []byte(`"CVE_Items"`)) || bytes.Contains(h, []byte(`"CVE_data_type"`)):
		return FormatFeed11
	case bytes.Contains(h, []byte(`"NVD_CVE"`)) || bytes.Contains(h, []byte(`"resultsPerPage"`)):
		return FormatAPI20
	case bytes.Contains(h, []byte(`"cveMetadata"`)) || bytes.Contains(h, []byte(`"CVE_RECORD"`)):
		return FormatCVE5
	case recordIDRe.Match(h) && (bytes.Contains(h, []byte(`"sourceIdentifier"`)) || bytes.Contains(h, []byte(`"lastModified"`))):
		return FormatRecord20
	}
	return ""
}

// Detect reports whether head, the first bytes of an uncompressed file,
// is one of the formats of Sniff. NVD feeds are published gzipped: pass
// the head of feed.Decompress's output.
func Detect(head []byte) bool { return Sniff(head) != "" }

// Read reads the CVE records of one input named name (gzipped or not),
// calling fn for each in file order, and returns how many it passed. It
// stops at the first malformed record, with an error located by file and
// JSON path ("nvdcve-1.1-2018.json.gz: $.CVE_Items[12].cve.CVE_data_meta.ID:
// missing"), or at the first error fn returns, which it returns unchanged.
// Records already passed to fn stay passed: a caller that wants all or
// nothing collects them and commits only when Read returns nil. A
// REJECTED CVE JSON 5 record is skipped.
func Read(name string, r io.Reader, fn func(domain.CVE) error) (int, error) {
	dr, err := feed.Decompress(r)
	if err != nil {
		return 0, feed.Errorf(name, "byte 0", "gzip: %v", err)
	}
	br := bufio.NewReaderSize(dr, 64<<10)
	head, _ := br.Peek(sniffSize)
	s := &stream{name: name, fn: fn}
	switch Sniff(head) {
	case FormatFeed11:
		return s.n, s.array(br, "CVE_Items", func(dec *json.Decoder, path string) error {
			var it item11
			if err := dec.Decode(&it); err != nil {
				return s.decodeError(dec, path, err)
			}
			return s.emit(convert11(&it, s.problems(path)))
		})
	case FormatAPI20:
		return s.n, s.array(br, "vulnerabilities", func(dec *json.Decoder, path string) error {
			var it item20
			if err := dec.Decode(&it); err != nil {
				return s.decodeError(dec, path, err)
			}
			if it.CVE == nil {
				return feed.Errorf(name, path+".cve", "missing")
			}
			return s.emit(convert20(it.CVE, s.problems(path+".cve")))
		})
	case FormatRecord20, FormatCVE5:
		data, err := feed.ReadAll(name, br, MaxRecordSize)
		if err != nil {
			return 0, err
		}
		return s.n, s.record(data)
	}
	return 0, feed.Errorf(name, "byte 0", "not an NVD JSON 1.1 feed, an NVD API 2.0 page or record, or a CVE JSON 5 record")
}

// stream carries one Read call's state.
type stream struct {
	name string
	fn   func(domain.CVE) error
	n    int
}

func (s *stream) problems(path string) *recordProblems {
	return &recordProblems{p: feed.Problems{File: s.name}, path: path}
}

// emit validates a converted record and hands it to fn.
func (s *stream) emit(c domain.CVE, rp *recordProblems) error {
	if err := rp.p.Err(); err != nil {
		return err
	}
	if c.Source == "" {
		c.Source = s.name
	}
	s.n++
	return s.fn(c)
}

// record reads a single NVD 2.0 or CVE JSON 5 record.
func (s *stream) record(data []byte) error {
	if Sniff(data[:min(len(data), sniffSize)]) == FormatCVE5 {
		var rec record5
		if err := json.Unmarshal(data, &rec); err != nil {
			return feed.JSONError(s.name, data, err)
		}
		if rec.Meta.State == "REJECTED" {
			return nil
		}
		c, rp := convert5(&rec, s.problems("$"))
		return s.emit(c, rp)
	}
	var rec cve20
	if err := json.Unmarshal(data, &rec); err != nil {
		return feed.JSONError(s.name, data, err)
	}
	c, rp := convert20(&rec, s.problems("$"))
	return s.emit(c, rp)
}

// array walks the top-level object's members, streaming the elements of
// the one named key through each and skipping the others.
func (s *stream) array(r io.Reader, key string, each func(dec *json.Decoder, path string) error) error {
	dec := json.NewDecoder(r)
	if err := s.delim(dec, "$", '{'); err != nil {
		return err
	}
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return s.decodeError(dec, "$", err)
		}
		k, _ := tok.(string)
		if k != key {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return s.decodeError(dec, "$."+k, err)
			}
			continue
		}
		found = true
		path := "$." + key
		if err := s.delim(dec, path, '['); err != nil {
			return err
		}
		for i := 0; dec.More(); i++ {
			if err := each(dec, feed.Index(path, i)); err != nil {
				return err
			}
		}
		if err := s.delim(dec, path, ']'); err != nil {
			return err
		}
	}
	if err := s.delim(dec, "$", '}'); err != nil {
		return err
	}
	if !found {
		return feed.Errorf(s.name, "$."+key, "missing (no records in this file)")
	}
	if _, err := dec.Token(); err != io.EOF {
		return feed.Errorf(s.name, fmt.Sprintf("byte %d", dec.InputOffset()), "unexpected data after the closing }")
	}
	return nil
}

func (s *stream) delim(dec *json.Decoder, path string, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return s.decodeError(dec, path, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return feed.Errorf(s.name, path, "expected %q, found %v (byte %d)", string(want), tok, dec.InputOffset())
	}
	return nil
}

// decodeError locates a decoder error inside the value at path.
func (s *stream) decodeError(dec *json.Decoder, path string, err error) error {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		if te.Field != "" {
			path += "." + te.Field
		}
		return feed.Errorf(s.name, path, "expected %s, found a JSON %s", feed.DescribeType(te.Type.String()), te.Value)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return feed.Errorf(s.name, path, "the file ends before the JSON does (is it cut short?)")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return feed.Errorf(s.name, path, "%v (near byte %d of the uncompressed data)", se, dec.InputOffset())
	}
	return feed.Errorf(s.name, path, "%v", err)
}

// recordProblems collects the problems of one record under its path.
type recordProblems struct {
	p    feed.Problems
	path string
}

func (rp *recordProblems) add(rel, format string, args ...any) {
	rp.p.Add(rp.path+rel, format, args...)
}

// parseTime reads the timestamps of the three formats: RFC 3339, NVD
// 2.0's zone-less "2023-10-12T19:15:11.747" and 1.1's "2018-01-10T22:29Z"
// (zone-less times are UTC).
func parseTime(rp *recordProblems, rel, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04Z", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	rp.add(rel, "%q is not a date-time", s)
	return time.Time{}
}

// english returns the English value of a description list, else the first.
func english(list []langValue) string {
	for _, d := range list {
		if strings.HasPrefix(d.Lang, "en") {
			return d.Value
		}
	}
	if len(list) > 0 {
		return list[0].Value
	}
	return ""
}

// appendUnique appends s to list unless empty or present.
func appendUnique(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
