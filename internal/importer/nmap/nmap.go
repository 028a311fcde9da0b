// Package nmap reads Nmap's XML output (-oX): each host that is up yields
// observations of its addresses (with the MAC vendor Nmap names), host
// names, open ports and services, and its best OS match.
package nmap

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Wire structs mirror the nmap.dtd elements Vigil reads.
type nmapRun struct {
	XMLName xml.Name   `xml:"nmaprun"`
	Start   int64      `xml:"start,attr"`
	Hosts   []nmapHost `xml:"host"`
}

type nmapHost struct {
	StartTime int64 `xml:"starttime,attr"`
	Status    struct {
		State string `xml:"state,attr"`
	} `xml:"status"`
	Addresses []nmapAddress `xml:"address"`
	Hostnames []struct {
		Name string `xml:"name,attr"`
		Type string `xml:"type,attr"`
	} `xml:"hostnames>hostname"`
	Ports []nmapPort `xml:"ports>port"`
	OS    []struct {
		Name     string `xml:"name,attr"`
		Accuracy int    `xml:"accuracy,attr"`
	} `xml:"os>osmatch"`
	line int
}

type nmapAddress struct {
	Addr     string `xml:"addr,attr"`
	AddrType string `xml:"addrtype,attr"` // ipv4, ipv6, mac
	Vendor   string `xml:"vendor,attr"`
}

type nmapPort struct {
	Protocol string `xml:"protocol,attr"`
	PortID   int    `xml:"portid,attr"`
	State    struct {
		State string `xml:"state,attr"`
	} `xml:"state"`
	Service struct {
		Name      string `xml:"name,attr"`
		Product   string `xml:"product,attr"`
		Version   string `xml:"version,attr"`
		ExtraInfo string `xml:"extrainfo,attr"`
		OSType    string `xml:"ostype,attr"`
		Method    string `xml:"method,attr"`
	} `xml:"service"`
}

// Detect reports whether head (the start of a file) is Nmap XML.
func Detect(head []byte) bool { return strings.Contains(string(head), "<nmaprun") }

// Parse reads an Nmap XML document. name is used as the source
// ("nmap:NAME") and in error locations (NAME:line:column).
func Parse(name string, r io.Reader) (*domain.DiscoveryRecords, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	source := domain.DiscoverySourceName("nmap", name)
	out := &domain.DiscoveryRecords{}
	var runStart time.Time
	seenRun := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, locate(name, dec, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "nmaprun":
			seenRun = true
			for _, a := range se.Attr {
				if a.Name.Local == "start" {
					if s, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
						runStart = time.Unix(s, 0).UTC()
					}
				}
			}
		case "host":
			if !seenRun {
				return nil, locate(name, dec, errors.New("a <host> outside <nmaprun>"))
			}
			line, _ := dec.InputPos()
			var h nmapHost
			if err := dec.DecodeElement(&h, &se); err != nil {
				return nil, locate(name, dec, err)
			}
			h.line = line
			obs, err := h.observations(name, source, runStart)
			if err != nil {
				return nil, err
			}
			if obs != nil {
				out.Records++
				out.Observations = append(out.Observations, obs...)
			}
		}
	}
	if !seenRun {
		return nil, domain.Errorf(domain.CodeInvalid, "%s: not Nmap XML (no <nmaprun> element)", name)
	}
	return out, nil
}

func locate(name string, dec *xml.Decoder, err error) error {
	line, col := dec.InputPos()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		err = errors.New(se.Msg)
	}
	loc := fmt.Sprintf("%s:%d:%d", name, line, col)
	return &domain.Error{Code: domain.CodeInvalid, Message: fmt.Sprintf("%s: %v", loc, err),
		Problems: []domain.Problem{{Location: loc, Message: err.Error()}}, Err: err}
}
