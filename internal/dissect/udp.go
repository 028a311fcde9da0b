package dissect

// udpApp hands a UDP datagram to the dissector of its well-known port.
func (d *Decoder) udpApp(b []byte) {
	p := d.p
	switch {
	case p.SrcPort == 67 || p.DstPort == 67 || p.SrcPort == 68 || p.DstPort == 68:
		d.dhcp(b)
	case p.SrcPort == 5353 || p.DstPort == 5353:
		d.dns(b, dnsMDNS)
	case p.SrcPort == 5355 || p.DstPort == 5355:
		d.dns(b, dnsLLMNR)
	case p.SrcPort == 137 || p.DstPort == 137:
		d.dns(b, dnsNBNS)
	case p.SrcPort == 53 || p.DstPort == 53:
		d.dns(b, dnsUnicast)
	case p.SrcPort == 1900 || p.DstPort == 1900:
		d.ssdp(b)
	case p.SrcPort == 161 || p.DstPort == 161 || p.SrcPort == 162:
		d.snmp(b)
	}
}
