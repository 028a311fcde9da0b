package dissect

import (
	"bytes"

	"github.com/vigil-med/vigil/internal/domain"
)

// maxBannerLine bounds the greeting line waited for.
const maxBannerLine = 512

// sshBanner reads the SSH identification line ("SSH-2.0-OpenSSH_9.2p1")
// that each side sends first.
func (d *Decoder) sshBanner(dr *dir, b []byte) (int, uint32) {
	line, ok := firstLine(b)
	if !ok {
		if len(b) >= maxBannerLine {
			d.endDir(dr)
			return len(b), 0
		}
		return 0, 0
	}
	d.banner("ssh: ", line, "SSH identification string")
	d.endDir(dr)
	return len(b), 0
}

// serverBanner reads the first line an FTP or Telnet server sends. Telnet
// option negotiation (IAC sequences) before the text is skipped.
func (d *Decoder) serverBanner(dr *dir, b []byte) (int, uint32) {
	text := b
	for len(text) >= 3 && text[0] == 0xff { // IAC cmd opt
		if text[1] == 0xfa { // subnegotiation: up to IAC SE
			i := bytes.Index(text, []byte{0xff, 0xf0})
			if i < 0 {
				return 0, 0
			}
			text = text[i+2:]
			continue
		}
		text = text[3:]
	}
	for len(text) > 0 && (text[0] == '\r' || text[0] == '\n') {
		text = text[1:]
	}
	line, ok := firstLine(text)
	if !ok {
		if len(b) >= maxBannerLine {
			d.endDir(dr)
			return len(b), 0
		}
		return 0, 0
	}
	if d.p.SrcPort == 21 {
		d.banner("ftp: ", line, "FTP server greeting")
	} else {
		d.banner("telnet: ", line, "Telnet server greeting")
	}
	d.endDir(dr)
	return len(b), 0
}

func firstLine(b []byte) ([]byte, bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, false
	}
	return bytes.TrimSuffix(b[:i], []byte("\r")), true
}

// banner reports a greeting as "proto: text".
func (d *Decoder) banner(prefix string, line []byte, evidence string) {
	var buf [maxValue + 16]byte
	v := append(buf[:0], prefix...)
	v = cleanText(v, line)
	if len(v) > len(prefix) {
		d.observeRaw(d.srcHost(), domain.ObsBanner, v, evidence)
	}
}
