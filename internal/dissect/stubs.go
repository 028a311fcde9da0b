package dissect

// Dissectors not yet written; each is replaced by its own file.

func (d *Decoder) lldp(b []byte) {}
func (d *Decoder) llc(b []byte)  {}
func (d *Decoder) ssdp(b []byte) {}
func (d *Decoder) snmp(b []byte) {}
