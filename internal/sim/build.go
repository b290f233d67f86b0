package sim

import (
	"fmt"
	"net/netip"
	"strings"
)

// model is a device model in the simulated catalogue.
type model struct {
	kind     string // behaviour key
	vendor   string
	model    string
	firmware string
	typ      string
	purdue   int
	oui      [3]byte
	ttl      uint8
	announce []string
}

// Vendor OUIs (IEEE registry).
var (
	ouiSiemens   = [3]byte{0x00, 0x1b, 0x1b}
	ouiRockwell  = [3]byte{0x00, 0x00, 0xbc}
	ouiSchneider = [3]byte{0x00, 0x80, 0xf4}
	ouiSEL       = [3]byte{0x00, 0x30, 0xa7}
	ouiABB       = [3]byte{0x00, 0x02, 0xa3}
	ouiHirsch    = [3]byte{0x00, 0x80, 0x63}
	ouiCisco     = [3]byte{0x00, 0x00, 0x0c}
	ouiDell      = [3]byte{0x00, 0x14, 0x22}
	ouiJCI       = [3]byte{0x00, 0x10, 0x30}
	ouiHoneywell = [3]byte{0x00, 0x40, 0x84}
	ouiMoxa      = [3]byte{0x00, 0x90, 0xe8}
	ouiIntel     = [3]byte{0x00, 0x1b, 0x21}
)

var (
	mS71500  = model{"s7", "Siemens", "CPU 1516-3 PN/DP", "V2.9.4", "PLC", 1, ouiSiemens, 30, []string{"s7comm"}}
	mS7300   = model{"s7", "Siemens", "CPU 315-2 PN/DP", "V3.2.6", "PLC", 1, ouiSiemens, 30, []string{"s7comm"}}
	mS71200  = model{"s7", "Siemens", "CPU 1214C DC/DC/DC", "V4.5.2", "PLC", 1, ouiSiemens, 30, []string{"s7comm"}}
	mCLX     = model{"clx", "Rockwell Automation/Allen-Bradley", "1756-L83E/B", "33.11", "PLC", 1, ouiRockwell, 64, []string{"enip"}}
	mAENT    = model{"aent", "Rockwell Automation/Allen-Bradley", "1734-AENT/B Ethernet Adapter", "5.12", "remote I/O", 1, ouiRockwell, 64, []string{"enip"}}
	mM340    = model{"modbus", "Schneider Electric", "BMX P34 2020", "v3.20", "PLC", 1, ouiSchneider, 64, []string{"modbus"}}
	mPM5560  = model{"modbus", "Schneider Electric", "PM5560", "2.7.4", "power meter", 1, ouiSchneider, 64, []string{"modbus"}}
	mET200   = model{"pnio", "Siemens", "ET200SP", "", "remote I/O", 1, ouiSiemens, 64, []string{"pndcp"}}
	mRTUdnp  = model{"dnp3", "SEL", "SEL-3505 RTAC", "R150-V2", "RTU", 1, ouiSEL, 64, []string{"dnp3"}}
	mRTU104  = model{"iec104", "ABB", "RTU560 CMU", "13.2.1", "RTU", 1, ouiABB, 64, nil}
	mREF615  = model{"ied", "ABB", "REF615", "5.0 FP1", "IED", 1, ouiABB, 64, []string{"mms"}}
	mSEL487  = model{"ied", "SEL", "SEL-487E", "R320", "IED", 1, ouiSEL, 64, []string{"mms"}}
	mSIP5    = model{"ied", "Siemens", "SIPROTEC 5 7SJ85", "V09.40", "IED", 1, ouiSiemens, 64, []string{"mms"}}
	mNAE     = model{"bacnet", "Johnson Controls", "MS-NAE5510-3", "12.0.0", "building controller", 1, ouiJCI, 64, []string{"bacnet"}}
	mWEB8000 = model{"bacnet", "Honeywell", "WEB-8000", "4.10.1", "building controller", 1, ouiHoneywell, 64, []string{"bacnet"}}
)

var fieldModels = map[string][]model{
	"plant":      {mS71500, mCLX, mM340, mS7300, mET200, mPM5560, mAENT},
	"substation": {mRTUdnp, mREF615, mRTU104, mSEL487, mSIP5},
	"building":   {mNAE, mWEB8000},
}

// announced is what each kind of device tells about itself on the wire: S7 SZL 0x0011 and
// 0x001C, the CIP Identity object, Modbus FC 43/14, PROFINET DCP, DNP3 group 0, MMS identify,
// BACnet device properties, and the SNMP sysObjectID of switches.
var announced = map[string][]string{
	"s7":     {"vendor", "model", "firmware", "serial"},
	"clx":    {"vendor", "model", "firmware", "serial"},
	"aent":   {"vendor", "model", "firmware", "serial"},
	"modbus": {"vendor", "model", "firmware"},
	"pnio":   {"model"},
	"dnp3":   {"vendor", "model", "firmware", "serial"},
	"ied":    {"vendor", "model", "firmware"},
	"bacnet": {"vendor", "model", "firmware"},
}

var defaultDevices = map[string]int{"plant": 10, "substation": 8, "building": 6, "mixed": 24}

func (s *sim) zone(name string, vlan uint16, prefix string, purdue int) *zone {
	z := &zone{name: name, vlan: vlan, prefix: netip.MustParsePrefix(prefix), purdue: purdue}
	s.vlans = append(s.vlans, z)
	return z
}

func (s *sim) macFor(oui [3]byte) MAC {
	for {
		m := MAC{oui[0], oui[1], oui[2], byte(s.rng.IntN(256)), byte(s.rng.IntN(256)), byte(s.rng.IntN(256))}
		dup := false
		for _, h := range s.hosts {
			dup = dup || h.mac == m
		}
		if !dup {
			return m
		}
	}
}

func (s *sim) serial(prefix string, n int) string {
	const digits = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
	b := []byte(prefix)
	for i := 0; i < n; i++ {
		b = append(b, digits[s.rng.IntN(10+23*btoi(len(prefix) > 0))])
	}
	return string(b)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// addHost creates a device with one interface in z.
func (s *sim) addHost(z *zone, name string, m model, role string) *host {
	z.next++
	for z.next == 249 || z.next == 253 { // the zone switch's and the router's addresses
		z.next++
	}
	h := &host{name: name, z: z, ip: z.addr(z.next), mac: s.macFor(m.oui), ttl: m.ttl, kind: m.kind, fw: m.firmware,
		state: map[string]int{}, eph: uint16(49152 + s.rng.IntN(8000))}
	if h.ttl == 0 {
		h.ttl = 64
	}
	d := &Device{Name: name, Vendor: m.vendor, Model: m.model, Firmware: m.firmware, Type: m.typ, Purdue: m.purdue,
		IPs: []string{h.ip.String()}, MACs: []string{h.mac.String()}, VLAN: z.vlan, Announces: m.announce}
	d.Announced = announced[m.kind]
	if m.kind == "switch" && len(m.announce) > 1 {
		d.Announced = []string{"vendor"}
	}
	h.dev = d
	s.hosts = append(s.hosts, h)
	s.byRole[role] = append(s.byRole[role], h)
	return h
}

func pc(vendor, mdl, typ string, purdue int, oui [3]byte) model {
	return model{kind: "pc", vendor: vendor, model: mdl, typ: typ, purdue: purdue, oui: oui, ttl: 128}
}

// build lays out the network and schedules every device's normal behaviour.
func (s *sim) build() {
	p := s.cfg.Profile
	l3 := s.zone("operations", 100, "10.1.0.0/16", 3)
	it := &zone{name: "enterprise", vlan: 0, prefix: netip.MustParsePrefix("172.16.0.0/16"), purdue: 4}
	s.itZone = it
	r := &host{name: "core-rtr", mac: s.macFor(ouiCisco), ttl: 255, z: l3, ip: netip.MustParseAddr("10.1.0.254"), state: map[string]int{}}
	s.router = r
	r.dev = &Device{Name: "core-rtr", Vendor: "Cisco", Model: "IE-4010-16S12P", Firmware: "15.2(7)E8", Type: "router", Purdue: 3,
		MACs: []string{r.mac.String()}, VLAN: 100, Announces: []string{"lldp", "snmp"}, Announced: []string{"vendor"}}
	s.hosts = append(s.hosts, r)

	var zones []*zone
	add := func(name string) {
		switch name {
		case "plant":
			zones = append(zones, s.zone("plant", 10, "10.10.0.0/16", 1))
		case "substation":
			zones = append(zones, s.zone("substation", 20, "10.20.0.0/16", 1))
		case "building":
			zones = append(zones, s.zone("building", 30, "10.30.0.0/16", 1))
		}
	}
	if p == "mixed" {
		add("plant")
		add("substation")
		add("building")
	} else {
		add(p)
	}
	for _, z := range s.vlans {
		ip := z.addr(253)
		if z == l3 {
			continue
		}
		r.dev.IPs = append(r.dev.IPs, ip.String())
	}
	r.dev.IPs = append([]string{"10.1.0.254"}, r.dev.IPs...)

	// Level 3: operations network.
	dc := s.addHost(l3, "dc01", pc("Dell", "PowerEdge R650", "Windows host", 3, ouiDell), "dc")
	dc.dev.Hostname = "DC01"
	s.addHost(l3, "historian", pc("Dell", "PowerEdge R450", "historian", 3, ouiDell), "historian")
	opc := s.addHost(l3, "opc01", pc("Dell", "PowerEdge R350", "OPC server", 3, ouiDell), "opc")
	opc.dev.Model, opc.dev.Vendor = "KEPServerEX 6", "PTC"
	opc.dev.Announces = []string{"opcua"}
	ews := s.addHost(l3, "ews01", pc("Dell", "Precision 3660", "engineering workstation", 3, ouiDell), "ews")
	ews.dev.Hostname = "EWS01"
	s.addHost(l3, "nms01", pc("Dell", "OptiPlex 7010", "Windows host", 3, ouiDell), "nms")
	for i := 1; i <= 2; i++ {
		w := s.addHost(l3, fmt.Sprintf("ws%02d", i), pc("Dell", "OptiPlex 7010", "Windows host", 3, ouiDell), "ws")
		w.dev.Hostname = fmt.Sprintf("OPS-WS%02d", i)
		w.dev.Announces = []string{"dhcp"}
	}
	sw := s.addHost(l3, "sw-ops", model{kind: "switch", vendor: "Cisco", model: "IE-3300-8T2S", firmware: "17.9.4", typ: "switch", purdue: 3, oui: ouiCisco, ttl: 255, announce: []string{"lldp", "snmp"}}, "switch")
	sw.ip = l3.addr(249)
	sw.dev.IPs = []string{sw.ip.String()}

	// Field zones.
	n := s.cfg.Devices
	if n == 0 {
		n = defaultDevices[p]
	}
	per := n
	if p == "mixed" {
		per = (n + 2) / 3
	}
	for _, z := range zones {
		s.buildZone(z, per)
	}
	s.behave()
	s.scenarios()
}

func (s *sim) buildZone(z *zone, count int) {
	var swm model
	switch z.name {
	case "plant":
		swm = model{kind: "switch", vendor: "Siemens", model: "SCALANCE XC208", firmware: "V4.5", typ: "switch", purdue: 2, oui: ouiSiemens, ttl: 64, announce: []string{"lldp", "snmp"}}
	case "substation":
		swm = model{kind: "switch", vendor: "Hirschmann", model: "RSP35", firmware: "09.4.04", typ: "switch", purdue: 2, oui: ouiHirsch, ttl: 64, announce: []string{"lldp", "snmp"}}
	default:
		swm = model{kind: "switch", vendor: "Moxa", model: "EDS-510E", firmware: "5.3", typ: "switch", purdue: 2, oui: ouiMoxa, ttl: 64, announce: []string{"lldp"}}
	}
	sw := s.addHost(z, "sw-"+z.name, swm, "switch")
	sw.ip = z.addr(249)
	sw.dev.IPs = []string{sw.ip.String()}
	z.next--

	models := fieldModels[z.name]
	var clients []*host
	newClient := func() *host {
		var h *host
		switch z.name {
		case "plant":
			h = s.addHost(z, fmt.Sprintf("hmi%02d", len(s.byRole["hmi"])+1), model{kind: "pc", vendor: "Siemens", model: "SIMATIC IPC477E", typ: "HMI", purdue: 2, oui: ouiSiemens, ttl: 128}, "hmi")
		case "substation":
			h = s.addHost(z, fmt.Sprintf("scada%02d", len(s.byRole["scada"])+1), model{kind: "pc", vendor: "SEL", model: "SEL-3555 RTAC", typ: "SCADA server", purdue: 2, oui: ouiSEL, ttl: 64}, "scada")
		default:
			h = s.addHost(z, fmt.Sprintf("bms%02d", len(s.byRole["bms"])+1), pc("Dell", "OptiPlex 7010", "HMI", 2, ouiDell), "bms")
		}
		clients = append(clients, h)
		return h
	}
	newClient()
	for i := 0; i < count; i++ {
		if i > 0 && i%8 == 0 {
			newClient()
		}
		m := models[i%len(models)]
		name := fmt.Sprintf("%s-%s%02d", z.name[:2], strings.ToLower(strings.Fields(strings.ReplaceAll(m.model, "-", " "))[0]), i+1)
		h := s.addHost(z, name, m, "field")
		h.state["client"] = len(clients) - 1
		s.fieldClient[h] = clients[len(clients)-1]
		d := h.dev
		switch m.kind {
		case "s7":
			d.Serial = "S C-" + s.serial("", 4) + s.serial("X", 8)[1:]
		case "clx", "aent":
			d.Serial = fmt.Sprintf("0x%08x", s.rng.Uint32()|0x00100000)
		case "dnp3":
			d.Serial = s.serial("", 10)
		case "pnio":
			d.Firmware = ""
		}
	}
	// A Rockwell I/O adapter needs a scanner: attach each to the zone's first ControlLogix.
}
