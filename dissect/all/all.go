// Package all links every dissector into the binary. Import it for its side effects.
// One line per dissector package. The engine offers a flow to the port-hinted factories first,
// then to the rest, each group in name order: where two share a port (mms and s7comm on 102) the
// probes themselves must tell their protocols apart.
package all

import (
	_ "github.com/quietwire/quietwire/dissect/ads"
	_ "github.com/quietwire/quietwire/dissect/arp"
	_ "github.com/quietwire/quietwire/dissect/bacnet"
	_ "github.com/quietwire/quietwire/dissect/cdp"
	_ "github.com/quietwire/quietwire/dissect/dhcp"
	_ "github.com/quietwire/quietwire/dissect/dnp3"
	_ "github.com/quietwire/quietwire/dissect/dns"
	_ "github.com/quietwire/quietwire/dissect/enip"
	_ "github.com/quietwire/quietwire/dissect/fins"
	_ "github.com/quietwire/quietwire/dissect/ftp"
	_ "github.com/quietwire/quietwire/dissect/goose"
	_ "github.com/quietwire/quietwire/dissect/guess"
	_ "github.com/quietwire/quietwire/dissect/hartip"
	_ "github.com/quietwire/quietwire/dissect/http"
	_ "github.com/quietwire/quietwire/dissect/iec104"
	_ "github.com/quietwire/quietwire/dissect/lldp"
	_ "github.com/quietwire/quietwire/dissect/mms"
	_ "github.com/quietwire/quietwire/dissect/modbus"
	_ "github.com/quietwire/quietwire/dissect/mqtt"
	_ "github.com/quietwire/quietwire/dissect/ntp"
	_ "github.com/quietwire/quietwire/dissect/opcua"
	_ "github.com/quietwire/quietwire/dissect/pndcp"
	_ "github.com/quietwire/quietwire/dissect/profinet"
	_ "github.com/quietwire/quietwire/dissect/rdp"
	_ "github.com/quietwire/quietwire/dissect/remoteaccess"
	_ "github.com/quietwire/quietwire/dissect/s7comm"
	_ "github.com/quietwire/quietwire/dissect/slmp"
	_ "github.com/quietwire/quietwire/dissect/smb"
	_ "github.com/quietwire/quietwire/dissect/snmp"
	_ "github.com/quietwire/quietwire/dissect/srtp"
	_ "github.com/quietwire/quietwire/dissect/ssdp"
	_ "github.com/quietwire/quietwire/dissect/ssh"
	_ "github.com/quietwire/quietwire/dissect/sv"
	_ "github.com/quietwire/quietwire/dissect/telnet"
	_ "github.com/quietwire/quietwire/dissect/tls"
	_ "github.com/quietwire/quietwire/dissect/vnc"
)
