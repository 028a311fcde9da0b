package dissect

import (
	"bytes"

	"github.com/vigil-med/vigil/internal/domain"
)

// ssdp reads an SSDP (UPnP discovery) message on udp/1900. A device's
// NOTIFY announcements and its answers to M-SEARCH carry its SERVER string,
// the LOCATION of its device description and the device or service type
// (NT or ST); a control point's M-SEARCH carries nothing about the sender
// worth keeping.
func (d *Decoder) ssdp(b []byte) {
	notify := hasPrefix(b, "NOTIFY ")
	response := hasPrefix(b, "HTTP/1.")
	if !notify && !response {
		if !hasPrefix(b, "M-SEARCH ") {
			d.fail("ssdp", ErrMalformed)
		}
		return
	}
	src := d.srcHost()
	lines := b
	for len(lines) > 0 {
		var line []byte
		if i := bytes.IndexByte(lines, '\n'); i >= 0 {
			line, lines = lines[:i], lines[i+1:]
		} else {
			line, lines = lines, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name, value := line[:colon], line[colon+1:]
		switch {
		case headerIs(name, "server"):
			d.observeB(src, domain.ObsSSDPServer, value, "SSDP SERVER header")
		case headerIs(name, "location"):
			d.observeB(src, domain.ObsUPnPLocation, value, "SSDP LOCATION header")
		case notify && headerIs(name, "nt"), response && headerIs(name, "st"):
			v := bytes.TrimSpace(value)
			if hasPrefix(v, "urn:") {
				d.observeB(src, domain.ObsService, v, "SSDP "+string(bytes.ToUpper(name))+" header")
			}
		}
	}
}
