package dissect

// Dissectors not yet written; each is replaced by its own file.

func (d *Decoder) lldp(b []byte)                 {}
func (d *Decoder) llc(b []byte)                  {}
func (d *Decoder) ssdp(b []byte)                 {}
func (d *Decoder) snmp(b []byte)                 {}
func isHTTPRequest(b []byte) bool                { return false }
func isSMBStart(b []byte) bool                   { return false }


func (d *Decoder) tlsRecord(dr *dir, b []byte) (int, uint32)    { dr.kind = cNone; return len(b), 0 }
func (d *Decoder) httpHeader(dr *dir, b []byte) (int, uint32)   { dr.kind = cNone; return len(b), 0 }
func (d *Decoder) sshBanner(dr *dir, b []byte) (int, uint32)    { dr.kind = cNone; return len(b), 0 }
func (d *Decoder) serverBanner(dr *dir, b []byte) (int, uint32) { dr.kind = cNone; return len(b), 0 }
func (d *Decoder) smbMessage(dr *dir, b []byte) (int, uint32)   { dr.kind = cNone; return len(b), 0 }
