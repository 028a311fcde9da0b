// Package epss reads FIRST's Exploit Prediction Scoring System scores in
// the two forms found in the wild: FIRST's daily CSV (an optional comment
// line "#model_version:…,score_date:…", a header "cve,epss,percentile",
// then one row per CVE) and the semicolon-separated, header-less
// "cve;epss;percentile" files of some mirrors. Either may be gzipped (the
// gzip magic bytes decide). Rows are streamed to a callback; a bad row is
// an error located by file and line. The package does no I/O of its own.
package epss

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// MaxLine is the longest line Read accepts.
const MaxLine = 4096

var (
	rowRe  = regexp.MustCompile(`^(?i:cve)-[0-9]{4}-[0-9]{4,}[;,]\s*[0-9.eE+-]+`)
	cveRe  = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)
	dateRe = regexp.MustCompile(`score_date:\s*([0-9]{4}-[0-9]{2}-[0-9]{2})`)
)

// Detect reports whether head, the first bytes of an uncompressed file,
// looks like EPSS scores: the FIRST comment line, the header, or a first
// row "CVE-…;0.00043;0.0871".
func Detect(head []byte) bool {
	h := feed.Head(head)
	lower := bytes.ToLower(h[:min(len(h), 32)])
	return bytes.HasPrefix(lower, []byte("#model_version")) ||
		bytes.HasPrefix(lower, []byte("cve,epss")) || bytes.HasPrefix(lower, []byte("cve;epss")) ||
		rowRe.Match(h[:min(len(h), 64)])
}

// Read reads the scores of one input named name, calling fn for each row
// in file order, and returns how many it passed. The date of the comment
// line's score_date, when present, is set on every score. It stops at the
// first bad line ("CVE_2023_EPSS.csv: line 12: …") or at the first error
// fn returns, which it returns unchanged; a caller that wants all or
// nothing keeps what it received until Read returns nil.
func Read(name string, r io.Reader, fn func(domain.EPSSScore) error) (int, error) {
	dr, err := feed.Decompress(r)
	if err != nil {
		return 0, feed.Errorf(name, "byte 0", "gzip: %v", err)
	}
	br := bufio.NewReaderSize(dr, 64<<10)
	var (
		sep       byte // ',' or ';', decided by the header or the first row
		cols      = [3]int{0, 1, 2}
		date      domain.Date
		n, lineNo int
		sawHeader bool
	)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || len(line) > MaxLine {
			return n, feed.Errorf(name, "line "+strconv.Itoa(lineNo+1), "the line is longer than %d bytes; is this an EPSS file?", MaxLine)
		}
		if len(line) == 0 && err != nil {
			if err == io.EOF {
				if n == 0 && !sawHeader {
					return 0, feed.Errorf(name, "line 1", "no EPSS rows found")
				}
				return n, nil
			}
			return n, feed.Errorf(name, "line "+strconv.Itoa(lineNo+1), "read: %v", err)
		}
		lineNo++
		where := "line " + strconv.Itoa(lineNo)
		s := strings.TrimRight(string(line), "\r\n")
		if lineNo == 1 {
			s = strings.TrimPrefix(s, "\uFEFF")
		}
		switch {
		case strings.TrimSpace(s) == "":
		case strings.HasPrefix(s, "#"):
			if m := dateRe.FindStringSubmatch(s); m != nil {
				if date, err = domain.ParseDate(m[1], domain.MonthFirst); err != nil {
					return n, feed.Errorf(name, where, "score_date %q is not a date", m[1])
				}
			}
		case !sawHeader && n == 0 && strings.HasPrefix(strings.ToLower(s), "cve") && !strings.HasPrefix(strings.ToUpper(s), "CVE-"):
			sep, cols, err = header(s)
			if err != nil {
				return n, feed.Errorf(name, where, "%v", err)
			}
			sawHeader = true
		default:
			if sep == 0 {
				sep = ','
				if strings.IndexByte(s, ';') >= 0 {
					sep = ';'
				}
			}
			sc, err := row(s, sep, cols)
			if err != nil {
				return n, feed.Errorf(name, where, "%v", err)
			}
			sc.Date = date
			n++
			if err := fn(sc); err != nil {
				return n, err
			}
		}
	}
}

// header reads "cve,epss,percentile" (any order, either separator).
func header(s string) (byte, [3]int, error) {
	sep := byte(',')
	if strings.IndexByte(s, ';') >= 0 {
		sep = ';'
	}
	cols := [3]int{-1, -1, -1}
	for i, f := range strings.Split(s, string(sep)) {
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "cve":
			cols[0] = i
		case "epss":
			cols[1] = i
		case "percentile":
			cols[2] = i
		}
	}
	if cols[0] < 0 || cols[1] < 0 || cols[2] < 0 {
		return 0, cols, errors.New("the header must name the columns cve, epss and percentile")
	}
	return sep, cols, nil
}

// row reads one data row.
func row(s string, sep byte, cols [3]int) (domain.EPSSScore, error) {
	f := strings.Split(s, string(sep))
	if len(f) < 3 || max(cols[0], cols[1], cols[2]) >= len(f) {
		return domain.EPSSScore{}, errors.New("expected 3 fields cve" + string(sep) + "epss" + string(sep) + "percentile, found " + strconv.Itoa(len(f)))
	}
	id := strings.ToUpper(strings.TrimSpace(f[cols[0]]))
	if !cveRe.MatchString(id) {
		return domain.EPSSScore{}, errors.New(strconv.Quote(f[cols[0]]) + " is not a CVE id (CVE-YYYY-NNNN)")
	}
	p, err := probability(f[cols[1]], "epss")
	if err != nil {
		return domain.EPSSScore{}, err
	}
	pc, err := probability(f[cols[2]], "percentile")
	if err != nil {
		return domain.EPSSScore{}, err
	}
	return domain.EPSSScore{CVE: id, Probability: p, Percentile: pc}, nil
}

func probability(s, what string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || v > 1 || v != v {
		return 0, errors.New(what + " " + strconv.Quote(s) + " is not a number between 0 and 1")
	}
	return v, nil
}
