package domain

import (
	"net/netip"
	"time"
)

// ObservationKind names what one observation says about a host.
type ObservationKind string

// Observation kinds. Dissectors and the importers of other tools' results
// (Nmap, Zeek, DHCP leases, switch exports) produce them; identity
// resolution and the fingerprint classifier consume them.
const (
	ObsMAC             ObservationKind = "mac"               // the host's own hardware address
	ObsIP              ObservationKind = "ip"                // an address the host used
	ObsHostname        ObservationKind = "hostname"          // DHCP option 12/81, NBNS, LLMNR, mDNS, DNS PTR
	ObsDHCPClientID    ObservationKind = "dhcp_client_id"    // DHCP option 61, hex
	ObsDHCPFingerprint ObservationKind = "dhcp_fingerprint"  // DHCP option 55 as "1,3,6,15"
	ObsDHCPVendorClass ObservationKind = "dhcp_vendor_class" // DHCP option 60
	ObsDNSQuery        ObservationKind = "dns_query"         // a name the host looked up
	ObsService         ObservationKind = "service"           // mDNS/SSDP service type the host offers
	ObsSSDPServer      ObservationKind = "ssdp_server"       // SSDP SERVER header
	ObsUPnPLocation    ObservationKind = "upnp_location"     // SSDP LOCATION (device description URL)
	ObsLLDPSysName     ObservationKind = "lldp_sysname"
	ObsLLDPSysDesc     ObservationKind = "lldp_sysdesc"
	ObsCDPPlatform     ObservationKind = "cdp_platform"
	ObsCDPDeviceID     ObservationKind = "cdp_device_id"
	ObsCDPSoftware     ObservationKind = "cdp_software"
	ObsHTTPUserAgent   ObservationKind = "http_user_agent"
	ObsHTTPServer      ObservationKind = "http_server"
	ObsHTTPHost        ObservationKind = "http_host" // the Host a client asked for
	ObsTLSSNI          ObservationKind = "tls_sni"
	ObsTLSFingerprint  ObservationKind = "tls_fingerprint" // JA4-style ClientHello fingerprint
	ObsTLSCertSubject  ObservationKind = "tls_cert_subject"
	ObsSNMPSysDescr    ObservationKind = "snmp_sysdescr"
	ObsSNMPSysName     ObservationKind = "snmp_sysname"
	ObsSMBDialect      ObservationKind = "smb_dialect" // "SMB1", "2.1", "3.1.1"…
	ObsBanner          ObservationKind = "banner"      // Telnet/FTP/SSH banner, Value "ssh: SSH-2.0-…"
	ObsDICOMAETitle    ObservationKind = "dicom_ae_title"
	ObsDICOMImplUID    ObservationKind = "dicom_impl_class_uid"
	ObsDICOMImplVer    ObservationKind = "dicom_impl_version"
	ObsDICOMAbstract   ObservationKind = "dicom_abstract_syntax" // a SOP class the host proposed/accepted
	ObsDICOMCommand    ObservationKind = "dicom_command"         // C-ECHO, C-STORE, C-FIND, C-MOVE
	ObsHL7Application  ObservationKind = "hl7_application"       // MSH-3 (sending) or MSH-5 (receiving)
	ObsHL7Facility     ObservationKind = "hl7_facility"          // MSH-4 / MSH-6
	ObsHL7Message      ObservationKind = "hl7_message"           // MSH-9 and MSH-12, "ORU^R01 2.5"
	ObsOpenPort        ObservationKind = "open_port"             // "tcp/104 dicom" (Nmap, or a SYN-ACK seen)
	ObsOS              ObservationKind = "os"                    // an OS guess (Nmap osmatch, banner)
	ObsVendor          ObservationKind = "vendor"                // a manufacturer named by a tool
	ObsRouter          ObservationKind = "router"                // the MAC forwards for many IPs: not a device
	ObsVLAN            ObservationKind = "vlan"                  // the 802.1Q VLAN the host was seen on
)

// Observation is one fact learned about one host from traffic or from
// another tool's results. The host is named by whatever identity the
// source saw: a MAC, an IP, or both.
type Observation struct {
	At         time.Time       `json:"at"`
	MAC        string          `json:"mac,omitempty"` // normalised aa:bb:cc:dd:ee:ff
	IP         netip.Addr      `json:"ip,omitzero"`
	Kind       ObservationKind `json:"kind"`
	Value      string          `json:"value"`
	Source     string          `json:"source"`               // "pcap:ward3.pcap", "sensor:eth1", "nmap:scan.xml"
	Evidence   string          `json:"evidence,omitempty"`   // "DHCP option 60, frame 12"
	Confidence float64         `json:"confidence,omitempty"` // 0..1; 0 means certain for identities
}

// Flow is aggregated communication of one device with one peer over one
// transport port and application protocol. It is the baseline that
// segmentation and monitoring build on.
type Flow struct {
	ID        int64     `json:"id"`
	TenantID  int64     `json:"tenant_id"`
	DeviceID  int64     `json:"device_id"`
	LocalIP   string    `json:"local_ip"`
	PeerIP    string    `json:"peer_ip"`
	PeerMAC   string    `json:"peer_mac,omitempty"`
	PeerID    int64     `json:"peer_device_id,omitempty"` // when the peer is also an inventory device
	Transport string    `json:"transport"`                // tcp, udp, icmp, other
	Port      int       `json:"port"`                     // the server-side port (0 when none)
	Outbound  bool      `json:"outbound"`                 // the device opened the conversation
	App       string    `json:"app,omitempty"`            // dicom, hl7, http, tls, dns…
	Bytes     int64     `json:"bytes"`
	Packets   int64     `json:"packets"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Hours     [24]int64 `json:"hours"` // packets per hour of day (UTC) over the flow's life
}
