package dissect

import "github.com/vigil-med/vigil/internal/domain"

// Short names for the observation kinds used throughout the dissectors.
const (
	obsMAC      = domain.ObsMAC
	obsIP       = domain.ObsIP
	obsOpenPort = domain.ObsOpenPort
)

// Application names placed in Packet.App. They are constants so that a
// Packet never points into a frame or allocates.
const (
	AppDICOM   = "dicom"
	AppHL7     = "hl7"
	AppHTTP    = "http"
	AppTLS     = "tls"
	AppDNS     = "dns"
	AppMDNS    = "mdns"
	AppLLMNR   = "llmnr"
	AppNBNS    = "nbns"
	AppDHCP    = "dhcp"
	AppSSDP    = "ssdp"
	AppSNMP    = "snmp"
	AppSMB     = "smb"
	AppSSH     = "ssh"
	AppFTP     = "ftp"
	AppTelnet  = "telnet"
	AppLLDP    = "lldp"
	AppCDP     = "cdp"
	AppARP     = "arp"
	AppNTP     = "ntp"
	AppSyslog  = "syslog"
	AppRDP     = "rdp"
	AppVNC     = "vnc"
	AppModbus  = "modbus"
	AppBACnet  = "bacnet"
	AppNetBIOS = "netbios"
)

// portApp names the application of a transport conversation by its
// well-known port, the lower-numbered known port winning. Content-based
// detection (DICOM or HL7 on other ports) overrides it per TCP stream.
func portApp(proto uint8, a, b uint16) string {
	if s := oneApp(proto, a); s != "" {
		if t := oneApp(proto, b); t != "" && b < a {
			return t
		}
		return s
	}
	return oneApp(proto, b)
}

func oneApp(proto uint8, port uint16) string {
	if proto == protoTCP {
		switch port {
		case 104, 11112, 4242:
			return AppDICOM
		case 2575, 6661:
			return AppHL7
		case 80, 8080, 8000:
			return AppHTTP
		case 443, 8443:
			return AppTLS
		case 53:
			return AppDNS
		case 445:
			return AppSMB
		case 139:
			return AppNetBIOS
		case 22:
			return AppSSH
		case 21:
			return AppFTP
		case 23:
			return AppTelnet
		case 3389:
			return AppRDP
		case 5900:
			return AppVNC
		case 502:
			return AppModbus
		}
		return ""
	}
	if proto == protoUDP {
		switch port {
		case 53:
			return AppDNS
		case 5353:
			return AppMDNS
		case 5355:
			return AppLLMNR
		case 137:
			return AppNBNS
		case 138:
			return AppNetBIOS
		case 67, 68:
			return AppDHCP
		case 1900:
			return AppSSDP
		case 161, 162:
			return AppSNMP
		case 123:
			return AppNTP
		case 514:
			return AppSyslog
		case 47808:
			return AppBACnet
		}
	}
	return ""
}
