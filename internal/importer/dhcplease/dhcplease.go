// Package dhcplease reads ISC DHCP server lease files (dhcpd.leases, see
// dhcpd.leases(5)): each lease yields observations of the address, the
// client's hardware address, client identifier, host name and vendor
// class.
package dhcplease

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// token is one lexical element of a lease file.
type token struct {
	text   string
	quoted bool
	line   int
}

// maxFile bounds the lease file read (lease files grow until dhcpd
// rewrites them; a few hundred MB is already unusual).
const maxFile = 1 << 30

// Detect reports whether head looks like a dhcpd.leases file.
func Detect(head []byte) bool {
	return leaseStart.Match(head) || bytes.Contains(head, []byte("dhcpd.leases(5)"))
}

var leaseStart = regexp.MustCompile(`(?m)^lease [0-9a-fA-F.:]+ \{`)

// lex splits a lease file into tokens, with the line of each.
func lex(name string, r io.Reader) ([]token, error) {
	br := bufio.NewReader(io.LimitReader(r, maxFile))
	var toks []token
	line := 1
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			toks = append(toks, token{text: word.String(), line: line})
			word.Reset()
		}
	}
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			flush()
			return toks, nil
		}
		if err != nil {
			return nil, err
		}
		switch {
		case c == '#':
			flush()
			if _, err := br.ReadString('\n'); err != nil && err != io.EOF {
				return nil, err
			}
			line++
		case c == '\n':
			flush()
			line++
		case c == ' ' || c == '\t' || c == '\r':
			flush()
		case c == '{' || c == '}' || c == ';':
			flush()
			toks = append(toks, token{text: string(c), line: line})
		case c == '"':
			flush()
			start := line
			var s strings.Builder
			for {
				c, err := br.ReadByte()
				if err != nil {
					return nil, located(name, start, "a quoted string is not closed")
				}
				if c == '"' {
					break
				}
				if c == '\n' {
					line++
				}
				if c == '\\' {
					n, err := br.ReadByte()
					if err != nil {
						return nil, located(name, start, "a quoted string is not closed")
					}
					if n >= '0' && n <= '7' {
						v := int(n - '0')
						for range 2 {
							d, err := br.ReadByte()
							if err != nil || d < '0' || d > '7' {
								return nil, located(name, line, "a bad octal escape in a quoted string")
							}
							v = v*8 + int(d-'0')
						}
						s.WriteByte(byte(v))
						continue
					}
					switch n {
					case 'n':
						n = '\n'
					case 't':
						n = '\t'
					}
					s.WriteByte(n)
					continue
				}
				s.WriteByte(c)
			}
			toks = append(toks, token{text: s.String(), quoted: true, line: start})
		default:
			word.WriteByte(c)
		}
	}
}

func located(name string, line int, msg string) error {
	loc := fmt.Sprintf("%s:%d", name, line)
	return &domain.Error{Code: domain.CodeInvalid, Message: loc + ": " + msg,
		Problems: []domain.Problem{{Location: loc, Message: msg}}}
}

// lease mirrors the statements of one lease block Vigil reads.
type lease struct {
	line        int
	ip          string
	starts      string // "4 2025/11/27 10:11:12" or "epoch 1764238272"
	cltt        string
	binding     string
	hardware    string // "ethernet 00:09:fb:3a:11:02"
	uid         string
	hostname    string
	vendorClass string
}

// parse groups the tokens into leases.
func parse(name string, toks []token) ([]*lease, error) {
	var out []*lease
	i := 0
	// stmt reads tokens up to ';' and returns them.
	stmt := func() ([]token, error) {
		start := i
		for i < len(toks) && toks[i].text != ";" || (i < len(toks) && toks[i].quoted) {
			if !toks[i].quoted && (toks[i].text == "{" || toks[i].text == "}") {
				return nil, located(name, toks[i].line, fmt.Sprintf("unexpected %q: a statement is missing its ';'", toks[i].text))
			}
			i++
		}
		if i >= len(toks) {
			return nil, located(name, toks[len(toks)-1].line, "the file ends inside a statement")
		}
		i++ // ';'
		return toks[start : i-1], nil
	}
	for i < len(toks) {
		t := toks[i]
		if t.quoted || t.text != "lease" {
			// Another top-level statement (server-duid, authoring-byte-order,
			// failover peer …): skip it, with its block if it has one.
			if err := skipStatement(name, toks, &i); err != nil {
				return nil, err
			}
			continue
		}
		if i+2 >= len(toks) || toks[i+2].text != "{" || toks[i+2].quoted {
			return nil, located(name, t.line, "want \"lease ADDRESS {\"")
		}
		l := &lease{line: t.line, ip: toks[i+1].text}
		i += 3
		for {
			if i >= len(toks) {
				return nil, located(name, t.line, "the lease is not closed with '}'")
			}
			if toks[i].text == "}" && !toks[i].quoted {
				i++
				break
			}
			s, err := stmt()
			if err != nil {
				return nil, err
			}
			l.apply(s)
		}
		out = append(out, l)
	}
	return out, nil
}

func skipStatement(name string, toks []token, i *int) error {
	depth := 0
	start := toks[*i].line
	for *i < len(toks) {
		t := toks[*i]
		*i++
		if t.quoted {
			continue
		}
		switch t.text {
		case "{":
			depth++
		case "}":
			depth--
			if depth < 0 {
				return located(name, t.line, "unexpected '}'")
			}
			if depth == 0 {
				return nil
			}
		case ";":
			if depth == 0 {
				return nil
			}
		}
	}
	return located(name, start, "the file ends inside a statement")
}

func (l *lease) apply(s []token) {
	if len(s) == 0 {
		return
	}
	words := func(from int) string {
		var p []string
		for _, t := range s[from:] {
			p = append(p, t.text)
		}
		return strings.Join(p, " ")
	}
	switch s[0].text {
	case "starts":
		l.starts = words(1)
	case "cltt":
		l.cltt = words(1)
	case "binding":
		if len(s) == 3 && s[1].text == "state" {
			l.binding = s[2].text
		}
	case "hardware":
		l.hardware = words(1)
	case "uid":
		if len(s) == 2 {
			if s[1].quoted {
				l.uid = fmt.Sprintf("%x", s[1].text)
			} else {
				l.uid = strings.ReplaceAll(strings.ToLower(s[1].text), ":", "")
			}
		}
	case "client-hostname":
		if len(s) == 2 {
			l.hostname = s[1].text
		}
	case "set":
		// set vendor-class-identifier = "MSFT 5.0";
		if len(s) == 4 && s[1].text == "vendor-class-identifier" && s[2].text == "=" {
			l.vendorClass = s[3].text
		}
	}
}
