package dissect

import (
	"bytes"

	"github.com/vigil-med/vigil/internal/domain"
)

// HTTP limits: header bytes waited for, and messages read per direction.
const (
	maxHTTPHeader   = 8 << 10
	maxHTTPMessages = 4
)

var httpMethods = []string{"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "}

// isHTTPRequest recognises an HTTP/1 request line.
func isHTTPRequest(b []byte) bool {
	for _, m := range httpMethods {
		if hasPrefix(b, m) {
			return true
		}
	}
	return false
}

// httpHeader reads one HTTP/1 message header: Host and User-Agent from
// requests (facts about the client), Server from responses (about the
// server). Bodies with a Content-Length are skipped; a chunked or
// unbounded body ends the direction.
func (d *Decoder) httpHeader(dr *dir, b []byte) (int, uint32) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	sep := 4
	if end < 0 {
		if end = bytes.Index(b, []byte("\n\n")); end >= 0 {
			sep = 2
		}
	}
	if end < 0 {
		if len(b) >= maxHTTPHeader {
			d.endDir(dr)
			return len(b), 0
		}
		return 0, 0
	}
	head := b[:end]
	request := dr.kind == cHTTPRequest
	if request && !isHTTPRequest(head) || !request && !hasPrefix(head, "HTTP/1.") {
		d.endDir(dr)
		return len(b), 0
	}
	src := d.srcHost()
	var length int64 = -1
	chunked := false
	lines := head
	for len(lines) > 0 {
		var line []byte
		if i := bytes.IndexByte(lines, '\n'); i >= 0 {
			line, lines = lines[:i], lines[i+1:]
		} else {
			line, lines = lines, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name, value := line[:colon], line[colon+1:]
		switch {
		case request && headerIs(name, "host"):
			d.observeB(src, domain.ObsHTTPHost, value, "HTTP request Host header")
		case request && headerIs(name, "user-agent"):
			d.observeB(src, domain.ObsHTTPUserAgent, value, "HTTP request User-Agent header")
		case !request && headerIs(name, "server"):
			d.observeB(src, domain.ObsHTTPServer, value, "HTTP response Server header")
		case headerIs(name, "content-length"):
			length = parseDecimal(bytes.TrimSpace(value))
		case headerIs(name, "transfer-encoding"):
			chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
		}
	}
	dr.count++
	used := end + sep
	switch {
	case chunked || dr.count >= maxHTTPMessages:
		d.endDir(dr)
		return len(b), 0
	case length > 0 && length < 1<<31:
		return used, uint32(length)
	case length < 0 && !request:
		d.endDir(dr) // a response without a length runs to the connection's end
		return len(b), 0
	}
	return used, 0
}

// headerIs compares an HTTP header name case-insensitively with a
// lower-case name.
func headerIs(name []byte, lower string) bool {
	name = bytes.TrimSpace(name)
	if len(name) != len(lower) {
		return false
	}
	for i := range name {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// parseDecimal reads a non-negative decimal number, -1 if it is not one.
func parseDecimal(b []byte) int64 {
	if len(b) == 0 || len(b) > 18 {
		return -1
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int64(c-'0')
	}
	return n
}
