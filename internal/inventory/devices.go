package inventory

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/oui"
)

// Device is an assembled device: the view users, the API and detection see.
type Device struct {
	ID        string            `json:"id"` // "<site>/mac:aa:bb:cc:dd:ee:ff" or "<site>/ip:10.0.0.5"
	Site      string            `json:"site"`
	MACs      []string          `json:"macs,omitempty"`
	IPs       []string          `json:"ips,omitempty"`
	VLANs     []uint16          `json:"vlans,omitempty"`
	Routed    bool              `json:"routed"` // seen only behind a router: identified by IP
	Attrs     map[string]*Attr  `json:"attributes"`
	Roles     []string          `json:"roles,omitempty"`
	Protocols []string          `json:"protocols,omitempty"`
	Type      string            `json:"device_type"`
	Class     string            `json:"class"`
	Purdue    string            `json:"purdue_level"`
	Flags     []string          `json:"flags,omitempty"`
	First     int64             `json:"first_seen"`
	Last      int64             `json:"last_seen"`
	Packets   uint64            `json:"packets"`
	Bytes     uint64            `json:"bytes"`
	User      map[string]string `json:"user,omitempty"`
	Events    map[string]uint64 `json:"events,omitempty"`
	Aliases   []string          `json:"aliases,omitempty"` // ids merged into this one by identity
}

// Get returns an attribute's value, a user override first.
func (d *Device) Get(attr string) string {
	if v, ok := d.User[attr]; ok {
		return v
	}
	if a := d.Attrs[attr]; a != nil {
		return a.Value
	}
	return ""
}

// Connection is an assembled edge between two devices.
type Connection struct {
	Client     string            `json:"client"`
	Server     string            `json:"server"`
	ClientAddr string            `json:"client_addr"`
	ServerAddr string            `json:"server_addr"`
	Proto      string            `json:"protocol"`
	Transport  string            `json:"transport"`
	Port       uint16            `json:"port"`
	Packets    uint64            `json:"packets"`
	Bytes      uint64            `json:"bytes"`
	Flows      uint64            `json:"flows"`
	First      int64             `json:"first_seen"`
	Last       int64             `json:"last_seen"`
	Commands   map[string]uint64 `json:"commands,omitempty"`
	PeriodS    float64           `json:"period_s,omitempty"` // mean interval between flow starts
	JitterS    float64           `json:"jitter_s,omitempty"` // its standard deviation
}

// Snapshot is the assembled inventory of one site.
type Snapshot struct {
	Site        string        `json:"site"`
	Devices     []*Device     `json:"devices"`
	Connections []*Connection `json:"connections"`
	Conflicts   []Conflict    `json:"conflicts,omitempty"`
}

// Conflict is one IP claimed by several MACs on the local segment.
type Conflict struct {
	IP   string   `json:"ip"`
	MACs []string `json:"macs"`
}

// Snapshot assembles devices and connections.
func (inv *Inventory) Snapshot() *Snapshot {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	site := inv.cfg.Site
	routers := map[[6]byte]bool{}
	for mac, mi := range inv.macIPs {
		if len(mi.ips) >= inv.cfg.RouterIPs {
			routers[mac] = true
		}
	}
	byID := map[string]*Device{}
	epDev := map[epKey]*Device{}
	var conflicts []Conflict
	get := func(id string) *Device {
		d := byID[id]
		if d == nil {
			d = &Device{ID: id, Site: site, Attrs: map[string]*Attr{}}
			byID[id] = d
		}
		return d
	}
	keys := make([]epKey, 0, len(inv.eps))
	for k := range inv.eps {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].ip != keys[j].ip {
			return keys[i].ip.Less(keys[j].ip)
		}
		return string(keys[i].mac[:]) < string(keys[j].mac[:])
	})
	for _, k := range keys {
		e := inv.eps[k]
		var d *Device
		switch {
		case !e.IP.IsValid():
			d = get(site + "/mac:" + macString(e.MAC))
			addStr(&d.MACs, macString(e.MAC))
		default:
			var local [][6]byte
			for _, m := range e.MACs {
				if !routers[m] {
					local = append(local, m)
				}
			}
			if len(local) > 1 {
				c := Conflict{IP: e.IP.String()}
				for _, m := range local {
					c.MACs = append(c.MACs, macString(m))
				}
				conflicts = append(conflicts, c)
			}
			if e.OwnMAC != ([6]byte{}) {
				// The MAC claimed the IP itself (ARP): its device, router or not.
				d = get(site + "/mac:" + macString(e.OwnMAC))
				addStr(&d.MACs, macString(e.OwnMAC))
			} else if len(local) > 0 {
				// The most recently bound MAC owns the IP.
				best := local[0]
				var bestTS int64
				for _, m := range local {
					if mi := inv.macIPs[m]; mi != nil && mi.ips[e.IP] > bestTS {
						best, bestTS = m, mi.ips[e.IP]
					}
				}
				d = get(site + "/mac:" + macString(best))
				addStr(&d.MACs, macString(best))
			} else {
				d = get(site + "/ip:" + e.IP.String())
				d.Routed = len(e.MACs) > 0
			}
			addStr(&d.IPs, e.IP.String())
		}
		epDev[k] = d
		for _, m := range e.Claimed {
			addStr(&d.MACs, macString(m))
		}
		mergeEndpoint(d, e)
	}
	// Routers: a MAC fronting many IPs is a device of its own even if it never spoke L2-only.
	for mac := range routers {
		d := get(site + "/mac:" + macString(mac))
		addStr(&d.MACs, macString(mac))
		if d.Attrs[dissect.AttrDeviceType] == nil {
			setAttr(d.Attrs, dissect.AttrDeviceType, "router", "topology", "mac_fronts_many_ips", inv.macIPs[mac].first, 0.4)
		}
	}
	// Merge devices that claim the same vendor and serial number.
	bySerial := map[string]*Device{}
	ids := sortedKeys(byID)
	for _, id := range ids {
		d := byID[id]
		s, v := d.Get(dissect.AttrSerial), d.Get(dissect.AttrVendor)
		if s == "" {
			continue
		}
		k := strings.ToLower(v + "|" + s)
		if into, ok := bySerial[k]; ok {
			mergeDevice(into, d)
			delete(byID, id)
			for ek, ed := range epDev {
				if ed == d {
					epDev[ek] = into
				}
			}
			continue
		}
		bySerial[k] = d
	}
	snap := &Snapshot{Site: site, Conflicts: conflicts}
	for _, id := range sortedKeys(byID) {
		d := byID[id]
		if u := inv.users[id]; len(u) > 0 {
			d.User = map[string]string{}
			for k, v := range u {
				d.User[k] = v
			}
		}
		finish(d)
		snap.Devices = append(snap.Devices, d)
	}
	for k, ed := range inv.edges {
		c, s := epDev[k.Client], epDev[k.Server]
		if c == nil || s == nil {
			continue
		}
		conn := &Connection{Client: c.ID, Server: s.ID, ClientAddr: addrOf(k.Client), ServerAddr: addrOf(k.Server),
			Proto: k.Proto, Transport: transportName(k.Transport), Port: k.Port,
			Packets: ed.Packets, Bytes: ed.Bytes, Flows: ed.Flows, First: ed.First, Last: ed.Last}
		if len(ed.Commands) > 0 {
			conn.Commands = map[string]uint64{}
			for n, v := range ed.Commands {
				conn.Commands[n] = v
			}
		}
		if ed.intervals >= 2 {
			conn.PeriodS = round3(ed.meanIv)
			conn.JitterS = round3(sqrt(ed.m2Iv / float64(ed.intervals)))
		}
		snap.Connections = append(snap.Connections, conn)
	}
	sort.Slice(snap.Connections, func(i, j int) bool {
		a, b := snap.Connections[i], snap.Connections[j]
		if a.Client != b.Client {
			return a.Client < b.Client
		}
		if a.Server != b.Server {
			return a.Server < b.Server
		}
		if a.Proto != b.Proto {
			return a.Proto < b.Proto
		}
		return a.Port < b.Port
	})
	return snap
}

func addrOf(k epKey) string {
	if k.ip.IsValid() {
		return k.ip.String()
	}
	return macString(k.mac)
}

func sqrt(x float64) float64 {
	if x <= 0 {
		return 0
	}
	z := x
	for i := 0; i < 30; i++ {
		z = (z + x/z) / 2
	}
	return z
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

func addStr(s *[]string, v string) {
	for _, x := range *s {
		if x == v {
			return
		}
	}
	*s = append(*s, v)
}

func mergeEndpoint(d *Device, e *Endpoint) {
	if d.First == 0 || e.First < d.First {
		d.First = e.First
	}
	d.Last = max(d.Last, e.Last)
	d.Packets += e.Packets
	d.Bytes += e.Bytes
	for _, v := range e.VLANs {
		if !hasU16(d.VLANs, v) {
			d.VLANs = append(d.VLANs, v)
		}
	}
	for name, a := range e.Attrs {
		mergeAttr(d.Attrs, name, a)
	}
	for r := range e.Roles {
		addStr(&d.Roles, r)
	}
	for k, v := range e.Events {
		if d.Events == nil {
			d.Events = map[string]uint64{}
		}
		d.Events[k] += v
	}
	if e.Peers != nil {
		for p := range e.Peers {
			if isPublic(p) {
				if d.Events == nil {
					d.Events = map[string]uint64{}
				}
				d.Events["_public_peer"]++
			}
		}
		if d.Events == nil {
			d.Events = map[string]uint64{}
		}
		d.Events["_peers"] += uint64(len(e.Peers))
	}
	if e.IP.IsValid() && isPublic(e.IP) {
		if d.Events == nil {
			d.Events = map[string]uint64{}
		}
		d.Events["_public_ip"]++
	}
}

func mergeAttr(m map[string]*Attr, name string, a *Attr) {
	cur := m[name]
	if cur == nil || a.Confidence > cur.Confidence || (a.Confidence == cur.Confidence && a.Last > cur.Last) {
		c := *a
		if cur != nil {
			c.History = append(append([]Change(nil), cur.History...), a.History...)
		} else {
			c.History = slices.Clone(a.History) // the snapshot must not share the live history
		}
		m[name] = &c
	}
}

func mergeDevice(into, d *Device) {
	into.Aliases = append(into.Aliases, d.ID)
	for _, v := range d.MACs {
		addStr(&into.MACs, v)
	}
	for _, v := range d.IPs {
		addStr(&into.IPs, v)
	}
	for name, a := range d.Attrs {
		mergeAttr(into.Attrs, name, a)
	}
	for _, r := range d.Roles {
		addStr(&into.Roles, r)
	}
	into.First = min(into.First, d.First)
	into.Last = max(into.Last, d.Last)
	into.Packets += d.Packets
	into.Bytes += d.Bytes
	for k, v := range d.Events {
		if into.Events == nil {
			into.Events = map[string]uint64{}
		}
		into.Events[k] += v
	}
}

// finish fills vendor from the OUI, protocols, type, class, Purdue level and flags.
func finish(d *Device) {
	sort.Strings(d.MACs)
	sort.Strings(d.Roles)
	if d.Attrs[dissect.AttrVendor] == nil {
		for _, m := range d.MACs {
			var mac [6]byte
			if _, err := fmt.Sscanf(m, "%02x:%02x:%02x:%02x:%02x:%02x", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]); err == nil {
				if v := oui.Vendor(mac); v != "" {
					setAttr(d.Attrs, dissect.AttrVendor, v, "oui", "ieee_ma_l", d.First, 0.3)
					break
				}
			}
		}
	}
	protos := map[string]bool{}
	for _, r := range d.Roles {
		if i := strings.LastIndexByte(r, '_'); i > 0 {
			protos[r[:i]] = true
		}
	}
	for p := range protos {
		d.Protocols = append(d.Protocols, p)
	}
	sort.Strings(d.Protocols)
	d.Type, d.Class, d.Purdue = classify(d)
	if v := d.User["device_type"]; v != "" {
		d.Type = v
	}
	if v := d.User["purdue_level"]; v != "" {
		d.Purdue = v
	}
	d.Flags = flags(d)
	delete(d.Events, "_peers")
	delete(d.Events, "_public_peer")
	delete(d.Events, "_public_ip")
	delete(d.Events, "_cleartext_login")
	if len(d.Events) == 0 {
		d.Events = nil
	}
}

func has(d *Device, roles ...string) bool {
	for _, r := range roles {
		for _, x := range d.Roles {
			if x == r {
				return true
			}
		}
	}
	return false
}

// classify infers type, class and Purdue level from roles and declared identity. Declared
// device types (CIP, LLDP) win over role heuristics.
func classify(d *Device) (typ, class, purdue string) {
	declared := strings.ToLower(d.Get(dissect.AttrDeviceType))
	switch {
	case strings.Contains(declared, "programmable logic controller") || strings.Contains(declared, "plc"):
		return "PLC", "OT", "1"
	case strings.Contains(declared, "router"):
		return "router", "network", "network"
	case strings.Contains(declared, "switch") || strings.Contains(declared, "bridge"):
		return "switch", "network", "network"
	case strings.Contains(declared, "firewall"):
		return "firewall", "network", "network"
	}
	programs := d.Events[dissect.EvProgramDownload]+d.Events[dissect.EvProgramUpload] > 0
	switch {
	case has(d, "s7_server"):
		return "PLC", "OT", "1"
	case has(d, "mms_server", "goose_publisher", "sv_publisher"):
		return "IED", "OT", "1"
	case has(d, "dnp3_outstation", "iec104_controlled"):
		return "RTU", "OT", "1"
	case has(d, "enip_server", "cip_io_producer", "modbus_server"):
		return "PLC", "OT", "1"
	case has(d, "bacnet_server"):
		return "building controller", "OT", "1"
	case has(d, "profinet_io_device"):
		return "I/O device", "OT", "0"
	case programs:
		return "engineering workstation", "OT", "2"
	case has(d, "opcua_server"):
		return "OPC server", "OT", "3"
	case has(d, "s7_client", "enip_client", "modbus_client", "dnp3_master", "iec104_controlling", "mms_client", "bacnet_client", "opcua_client", "profinet_io_controller"):
		return "HMI", "OT", "2"
	case has(d, "smb_server", "rdp_server"):
		return "Windows host", "IT", "3"
	case has(d, "ssh_server"):
		return "Linux host", "IT", "3"
	case has(d, "dhcp_server", "dns_server", "ntp_server"):
		return "server", "IT", "3"
	}
	if d.Events["_public_ip"] > 0 {
		return "internet host", "external", "5"
	}
	return "unclassified", "unknown", ""
}

func flags(d *Device) []string {
	var f []string
	if d.Events[dissect.EvProgramDownload]+d.Events[dissect.EvProgramUpload]+d.Events[dissect.EvProgramDelete] > 0 {
		f = append(f, "programming_device")
	}
	if d.Events[dissect.EvScan] > 0 || d.Events["_peers"] >= 50 {
		f = append(f, "scanner")
	}
	if has(d, "rdp_server", "rdp_client", "vnc_server", "vnc_client", "remote_access_endpoint", "ssh_server") {
		f = append(f, "remote_access_endpoint")
	}
	if d.Events["_public_peer"] > 0 && d.Events["_public_ip"] == 0 {
		f = append(f, "internet_facing")
	}
	if d.Events["_cleartext_login"] > 0 {
		f = append(f, "cleartext_credentials")
	}
	if d.User["authorized"] == "true" {
		f = append(f, "authorized")
	}
	return f
}

// ParseDeviceAddr turns "10.0.0.5" or "aa:bb:…" into the endpoint key form used in ids.
func ParseDeviceAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	return a, err == nil
}
