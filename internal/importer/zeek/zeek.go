// Package zeek reads Zeek logs — conn.log, dhcp.log, dns.log and http.log
// — in either of Zeek's writers' forms: tab-separated with #fields
// headers, or JSON lines. conn.log yields flows; the others yield
// observations about the hosts (addresses, MACs, host names, DNS queries,
// HTTP user agents and hosts).
package zeek

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// Detect reports whether head is a Zeek log in either form.
func Detect(head []byte) bool {
	if bytes.HasPrefix(head, []byte("#separator")) {
		return true
	}
	line, _, _ := bytes.Cut(bytes.TrimSpace(head), []byte("\n"))
	if !bytes.HasPrefix(line, []byte("{")) {
		return false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(line, &m) != nil {
		return false
	}
	_, ts := m["ts"]
	_, uid := m["uid"]
	_, uids := m["uids"]
	return ts && (uid || uids)
}

// record is one log line as field → text value, with its line number.
type record struct {
	line   int
	fields map[string]string
}

func (r record) get(k string) string {
	v := r.fields[k]
	if v == "-" || v == "(empty)" {
		return ""
	}
	return v
}

// maxLine bounds one log line.
const maxLine = 1 << 20

// Parse reads one log. name is the source ("zeek:NAME") and the file in
// error locations (NAME:line).
func Parse(name string, r io.Reader) (*domain.DiscoveryRecords, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	source := domain.DiscoverySourceName("zeek", name)
	out := &domain.DiscoveryRecords{}
	var fields []string
	sep := "\t"
	path := ""
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		var rec record
		switch {
		case strings.HasPrefix(text, "#separator"):
			s := strings.TrimSpace(strings.TrimPrefix(text, "#separator"))
			if u, err := strconv.Unquote(`"` + s + `"`); err == nil && u != "" {
				sep = u
			}
			continue
		case strings.HasPrefix(text, "#"):
			key, val, _ := strings.Cut(text[1:], sep)
			switch key {
			case "path":
				path = val
			case "fields":
				fields = strings.Split(val, sep)
			}
			continue
		case strings.HasPrefix(text, "{"):
			m := map[string]any{}
			dec := json.NewDecoder(strings.NewReader(text))
			dec.UseNumber()
			if err := dec.Decode(&m); err != nil {
				return nil, located(name, line, "not a JSON object: "+err.Error())
			}
			rec = record{line: line, fields: map[string]string{}}
			for k, v := range m {
				rec.fields[k] = jsonText(v)
			}
		default:
			if fields == nil {
				return nil, located(name, line, "a data line before the #fields header")
			}
			vals := strings.Split(text, sep)
			if len(vals) != len(fields) {
				return nil, located(name, line, fmt.Sprintf("%d fields, the #fields header names %d", len(vals), len(fields)))
			}
			rec = record{line: line, fields: make(map[string]string, len(fields))}
			for i, f := range fields {
				rec.fields[f] = vals[i]
			}
		}
		kind := path
		if kind == "" {
			kind = guessPath(rec)
		}
		if err := adapt(name, source, kind, rec, out); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, located(name, line+1, err.Error())
	}
	return out, nil
}

// guessPath tells the log a JSON line belongs to by its fields.
func guessPath(r record) string {
	has := func(k string) bool { _, ok := r.fields[k]; return ok }
	switch {
	case has("conn_state") || has("orig_pkts"):
		return "conn"
	case has("msg_types") || has("assigned_addr"):
		return "dhcp"
	case has("query") && (has("qtype_name") || has("rcode")):
		return "dns"
	case has("user_agent") || has("method"):
		return "http"
	}
	return ""
}

func jsonText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jsonText(e)
		}
		return strings.Join(parts, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func located(name string, line int, msg string) error {
	loc := fmt.Sprintf("%s:%d", name, line)
	return &domain.Error{Code: domain.CodeInvalid, Message: loc + ": " + msg,
		Problems: []domain.Problem{{Location: loc, Message: msg}}}
}
