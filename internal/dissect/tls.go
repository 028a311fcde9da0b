package dissect

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"slices"

	"github.com/vigil-med/vigil/internal/domain"
)

// TLS record and handshake types read.
const (
	tlsHandshake   = 22
	hsClientHello  = 1
	hsServerHello  = 2
	hsCertificate  = 11
	maxTLSRecords  = 4 // records read per direction before giving up
	extServerName  = 0x0000
	extALPN        = 0x0010
	extSigAlgs     = 0x000d
	extSupportedVs = 0x002b
)

// tlsRecord reads one TLS record of a direction. A ClientHello yields the
// SNI and a JA4-style fingerprint; a Certificate message (TLS 1.2 and
// older, where it is in clear) yields the server certificate's subject.
func (d *Decoder) tlsRecord(dr *dir, b []byte) (int, uint32) {
	if len(b) < 5 {
		return 0, 0
	}
	typ := b[0]
	n := int(binary.BigEndian.Uint16(b[3:5]))
	if typ != tlsHandshake || b[1] != 3 || n > 1<<14+2048 {
		d.endDir(dr)
		return len(b), 0
	}
	if len(b) < 5+n {
		return 0, 0
	}
	dr.count++
	rec := b[5 : 5+n]
	for len(rec) >= 4 {
		ht := rec[0]
		hl := int(rec[1])<<16 | int(rec[2])<<8 | int(rec[3])
		body := rec[4:]
		if hl < len(body) {
			body = body[:hl]
		}
		switch ht {
		case hsClientHello:
			d.clientHello(body)
			d.endDir(dr)
			return 5 + n, 0
		case hsServerHello:
			if serverHelloTLS13(body) {
				d.endDir(dr) // the rest of the handshake is encrypted
				return 5 + n, 0
			}
		case hsCertificate:
			d.certificate(body)
			d.endDir(dr)
			return 5 + n, 0
		}
		if 4+hl > len(rec) {
			break
		}
		rec = rec[4+hl:]
	}
	if dr.count >= maxTLSRecords {
		d.endDir(dr)
	}
	return 5 + n, 0
}

// isGREASE reports the reserved 0x?a?a values (RFC 8701) that JA4 ignores.
func isGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// clientHello reads a ClientHello body for the SNI and JA4 fingerprint.
func (d *Decoder) clientHello(b []byte) {
	if len(b) < 38 {
		d.fail("tls", ErrTruncated)
		return
	}
	version := binary.BigEndian.Uint16(b[0:2])
	p := 34
	p += 1 + int(b[p]) // session id
	if p+2 > len(b) {
		d.fail("tls", ErrTruncated)
		return
	}
	cl := int(binary.BigEndian.Uint16(b[p:]))
	p += 2
	if p+cl > len(b) {
		d.fail("tls", ErrTruncated)
		return
	}
	var ciphers, exts, sigs []uint16
	var cbuf, ebuf, sbuf [128]uint16
	ciphers, exts, sigs = cbuf[:0], ebuf[:0], sbuf[:0]
	for i := 0; i+1 < cl; i += 2 {
		if c := binary.BigEndian.Uint16(b[p+i:]); !isGREASE(c) && len(ciphers) < cap(ciphers) {
			ciphers = append(ciphers, c)
		}
	}
	p += cl
	if p >= len(b) {
		d.fail("tls", ErrTruncated)
		return
	}
	p += 1 + int(b[p]) // compression methods
	var sni, alpn []byte
	extCount := 0
	if p+2 <= len(b) {
		el := int(binary.BigEndian.Uint16(b[p:]))
		p += 2
		e := b[p:min(len(b), p+el)]
		for len(e) >= 4 {
			et := binary.BigEndian.Uint16(e[0:2])
			ln := int(binary.BigEndian.Uint16(e[2:4]))
			if 4+ln > len(e) {
				break
			}
			v := e[4 : 4+ln]
			e = e[4+ln:]
			if isGREASE(et) {
				continue
			}
			extCount++
			switch et {
			case extServerName:
				// list length(2), type(1), name length(2), name
				if len(v) >= 5 && v[2] == 0 {
					nl := int(binary.BigEndian.Uint16(v[3:5]))
					if 5+nl <= len(v) {
						sni = v[5 : 5+nl]
					}
				}
			case extALPN:
				if len(v) >= 3 && int(v[2]) > 0 && 3+int(v[2]) <= len(v) {
					alpn = v[3 : 3+int(v[2])]
				}
			case extSigAlgs:
				if len(v) >= 2 {
					sl := min(int(binary.BigEndian.Uint16(v[0:2])), len(v)-2)
					for i := 0; i+1 < sl; i += 2 {
						if s := binary.BigEndian.Uint16(v[2+i:]); !isGREASE(s) && len(sigs) < cap(sigs) {
							sigs = append(sigs, s)
						}
					}
				}
			case extSupportedVs:
				if len(v) >= 1 {
					for i := 1; i+1 < len(v) && i < 1+int(v[0]); i += 2 {
						if s := binary.BigEndian.Uint16(v[i:]); !isGREASE(s) && s > version {
							version = s
						}
					}
				}
			}
			if et != extServerName && et != extALPN && len(exts) < cap(exts) {
				exts = append(exts, et)
			}
		}
	}
	src := d.srcHost()
	if len(sni) > 0 {
		d.observeB(src, domain.ObsTLSSNI, sni, "TLS ClientHello server_name")
	}
	fp := ja4(version, len(sni) > 0, ciphers, extCount, exts, sigs, alpn)
	d.observe(src, domain.ObsTLSFingerprint, fp, "TLS ClientHello JA4-style fingerprint")
}

// ja4 builds a JA4-style fingerprint: t<version><d|i><ciphers><exts><alpn>
// _<sha256 of sorted ciphers, 12 hex>_<sha256 of sorted extensions without
// SNI and ALPN, then the signature algorithms in order, 12 hex>.
func ja4(version uint16, hasSNI bool, ciphers []uint16, extCount int, exts, sigs []uint16, alpn []byte) string {
	out := make([]byte, 0, 40)
	out = append(out, 't')
	switch version {
	case 0x0304:
		out = append(out, "13"...)
	case 0x0303:
		out = append(out, "12"...)
	case 0x0302:
		out = append(out, "11"...)
	case 0x0301:
		out = append(out, "10"...)
	case 0x0300:
		out = append(out, "s3"...)
	default:
		out = append(out, "00"...)
	}
	if hasSNI {
		out = append(out, 'd')
	} else {
		out = append(out, 'i')
	}
	out = append(out, byte('0'+min(len(ciphers), 99)/10), byte('0'+min(len(ciphers), 99)%10))
	out = append(out, byte('0'+min(extCount, 99)/10), byte('0'+min(extCount, 99)%10))
	if len(alpn) == 0 {
		out = append(out, "00"...)
	} else if f, l := alpn[0], alpn[len(alpn)-1]; isAlnum(f) && isAlnum(l) {
		out = append(out, f, l)
	} else {
		out = append(out, hexdigits[f>>4], hexdigits[l&0xf])
	}
	out = append(out, '_')
	slices.Sort(ciphers)
	out = appendHash12(out, hexList(ciphers, nil))
	out = append(out, '_')
	slices.Sort(exts)
	in := hexList(exts, nil)
	if len(sigs) > 0 {
		in = append(in, '_')
		in = hexList(sigs, in)
	}
	if len(exts) == 0 {
		out = append(out, "000000000000"...)
	} else {
		out = appendHash12(out, in)
	}
	return string(out)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func hexList(v []uint16, dst []byte) []byte {
	for i, x := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, hexdigits[x>>12], hexdigits[x>>8&0xf], hexdigits[x>>4&0xf], hexdigits[x&0xf])
	}
	return dst
}

func appendHash12(dst, in []byte) []byte {
	if len(in) == 0 {
		return append(dst, "000000000000"...)
	}
	h := sha256.Sum256(in)
	return appendHex(dst, h[:6])
}

// serverHelloTLS13 reports whether a ServerHello selects TLS 1.3.
func serverHelloTLS13(b []byte) bool {
	if len(b) < 38 {
		return false
	}
	p := 34
	p += 1 + int(b[p])
	p += 3 // cipher suite, compression
	if p+2 > len(b) {
		return false
	}
	el := int(binary.BigEndian.Uint16(b[p:]))
	e := b[p+2 : min(len(b), p+2+el)]
	for len(e) >= 4 {
		et := binary.BigEndian.Uint16(e[0:2])
		ln := int(binary.BigEndian.Uint16(e[2:4]))
		if 4+ln > len(e) {
			return false
		}
		if et == extSupportedVs && ln == 2 && binary.BigEndian.Uint16(e[4:6]) == 0x0304 {
			return true
		}
		e = e[4+ln:]
	}
	return false
}

// certificate reads the first (the server's own) certificate of a TLS 1.2
// Certificate message and reports its subject.
func (d *Decoder) certificate(b []byte) {
	if len(b) < 6 {
		d.fail("tls", ErrTruncated)
		return
	}
	n := int(b[3])<<16 | int(b[4])<<8 | int(b[5])
	if 6+n > len(b) {
		return // the certificate continues in a later record: not read
	}
	cert, err := x509.ParseCertificate(b[6 : 6+n])
	if err != nil {
		d.fail("x509", ErrMalformed)
		return
	}
	d.observe(d.srcHost(), domain.ObsTLSCertSubject, cleanString(cert.Subject.String()), "TLS server Certificate subject")
}
