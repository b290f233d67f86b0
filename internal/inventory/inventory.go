// Package inventory turns the facts that dissectors emit and the flows the engine ends into
// devices and a topology, per site, with the evidence for every value.
//
// The inventory keeps observations per network endpoint (an IP address, or a MAC address for
// L2-only talkers such as GOOSE publishers) and assembles devices from them when asked:
//
//   - an IP seen behind a MAC on the local segment belongs to the device of that MAC, so DHCP
//     renewals and multi-homed hosts stay one device;
//   - a MAC that fronts many IPs (RouterIPs or more) is a router: the IPs behind it become
//     devices of their own, marked routed;
//   - devices that claim the same vendor and serial number (CIP, S7, BACnet identity…) merge.
//
// Assembly is lazy so that a router recognised late in a capture does not leave earlier
// remote hosts glued to it. Updating the inventory with a fact is a map lookup and a compare.
package inventory

import (
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/engine"
)

var _ engine.Observer = (*Inventory)(nil)

// Config tunes device assembly.
type Config struct {
	Site string
	// RouterIPs is how many distinct IPs behind one MAC make that MAC a router (4).
	RouterIPs int
	// MaxEndpoints bounds the endpoints tracked (200,000); past it new endpoints are counted
	// in Dropped and ignored.
	MaxEndpoints int
}

// Inventory is safe for concurrent use: the engine's workers share it.
type Inventory struct {
	mu      sync.Mutex
	cfg     Config
	eps     map[epKey]*Endpoint
	macIPs  map[[6]byte]*macInfo
	edges   map[EdgeKey]*Edge
	users   map[string]map[string]string // device id → attribute → value set by users
	Dropped uint64
}

type epKey struct {
	ip  netip.Addr
	mac [6]byte // only for L2-only endpoints (ip invalid)
}

// Endpoint is what was observed about one IP (or one MAC without IP).
type Endpoint struct {
	IP      netip.Addr
	MAC     [6]byte // for L2-only endpoints
	MACs    [][6]byte
	VLANs   []uint16
	First   int64
	Last    int64
	Packets uint64
	Bytes   uint64
	Attrs   map[string]*Attr
	Roles   map[string]bool
	Events  map[string]uint64   // event kind (as issuer) → count
	Peers   map[netip.Addr]bool `json:"-"`
	Claimed [][6]byte           `json:"claimed_macs,omitempty"` // MACs protocols name for it
	OwnMAC  [6]byte             `json:"own_mac,omitempty"`      // the MAC that claimed this IP (ARP)
}

type macInfo struct {
	ips   map[netip.Addr]int64 // ip → last seen
	first int64
	last  int64
}

// Attr is one attribute's current value with its provenance and history.
type Attr struct {
	Value      string   `json:"value"`
	Proto      string   `json:"source"`
	Field      string   `json:"field"`
	First      int64    `json:"first_seen"`
	Last       int64    `json:"last_seen"`
	Confidence float64  `json:"confidence"`
	Count      uint64   `json:"count"`
	History    []Change `json:"history,omitempty"`
}

// Change records a value replaced by another.
type Change struct {
	TS    int64  `json:"ts"`
	Old   string `json:"old"`
	New   string `json:"new"`
	Proto string `json:"source"`
}

const maxHistory = 16

// EdgeKey identifies a topology edge between two endpoints for one protocol and port.
type EdgeKey struct {
	Client, Server epKey
	Proto          string // service name or "tcp/<port>"
	Port           uint16
	Transport      uint8
}

// Edge aggregates the flows of one (client, server, protocol, port).
type Edge struct {
	Packets  uint64            `json:"packets"`
	Bytes    uint64            `json:"bytes"`
	First    int64             `json:"first"`
	Last     int64             `json:"last"`
	Flows    uint64            `json:"flows"`
	Commands map[string]uint64 `json:"commands,omitempty"`
	// periodicity of flow starts (polling that opens a connection per cycle)
	lastStart int64
	intervals uint64
	meanIv    float64
	m2Iv      float64
}

// New returns an empty inventory.
func New(cfg Config) *Inventory {
	if cfg.RouterIPs <= 0 {
		cfg.RouterIPs = 4
	}
	if cfg.MaxEndpoints <= 0 {
		cfg.MaxEndpoints = 200_000
	}
	return &Inventory{cfg: cfg, eps: map[epKey]*Endpoint{}, macIPs: map[[6]byte]*macInfo{},
		edges: map[EdgeKey]*Edge{}, users: map[string]map[string]string{}}
}

// Site returns the site this inventory covers.
func (inv *Inventory) Site() string { return inv.cfg.Site }

// confidence ranks sources: protocol identity beats names, which beat the MAC OUI.
func confidence(proto, attr string) float64 {
	switch proto {
	case "user":
		return 1
	case "oui":
		return 0.3
	case "enip", "s7comm", "modbus", "bacnet", "mms", "dnp3", "profinet", "pndcp", "opcua", "snmp", "lldp", "cdp", "iec104":
		return 0.9
	case "dhcp", "dns", "ssdp", "smb", "http", "tls", "ssh", "arp":
		return 0.6
	}
	return 0.5
}

func (inv *Inventory) endpoint(fl *dissect.FlowInfo, side dissect.Dir, ts int64) *Endpoint {
	ep := fl.Orig
	if side == dissect.Resp {
		ep = fl.Resp
	}
	if ep.IP.IsValid() && ep.IP.IsUnspecified() && unicastMAC(ep.MAC) {
		// A host without an address yet (DHCP discover from 0.0.0.0): it is its MAC.
		ep.IP = netip.Addr{}
	}
	if groupAddr(ep.IP) || (!ep.IP.IsValid() && !unicastMAC(ep.MAC)) {
		return nil // broadcast and multicast destinations are not devices
	}
	var k epKey
	if ep.IP.IsValid() {
		k.ip = ep.IP
	} else {
		k.mac = ep.MAC
	}
	e := inv.eps[k]
	if e == nil {
		if len(inv.eps) >= inv.cfg.MaxEndpoints {
			inv.Dropped++
			return nil
		}
		e = &Endpoint{IP: k.ip, MAC: k.mac, First: ts, Last: ts, Attrs: map[string]*Attr{}}
		inv.eps[k] = e
	}
	if ts > e.Last {
		e.Last = ts
	}
	if ts < e.First {
		e.First = ts
	}
	return e
}

// Fact records a fact. Role facts accumulate; other attributes keep one current value,
// replaced by a different value of at least the same confidence (history keeps the old one).
func (inv *Inventory) Fact(f *dissect.Fact) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	e := inv.endpoint(f.Flow, f.Side, f.TS)
	if e == nil {
		return
	}
	if f.Attr == dissect.AttrMAC {
		// A MAC the protocol names for the device (DHCP chaddr, LLDP chassis): through a relay
		// it differs from the frame's source.
		if m, err := net.ParseMAC(f.Value); err == nil && len(m) == 6 {
			var mac [6]byte
			copy(mac[:], m)
			if unicastMAC(mac) && !hasMAC(e.Claimed, mac) && len(e.Claimed) < 4 {
				e.Claimed = append(e.Claimed, mac)
			}
		}
	}
	if f.Attr == dissect.AttrIP && !e.IP.IsValid() && unicastMAC(e.MAC) {
		// An L2 talker names its IP (ARP, LLDP management address): the MAC owns that IP,
		// so the MAC-only endpoint and the IP's endpoint assemble into one device.
		if ip, err := netip.ParseAddr(f.Value); err == nil && ip.IsGlobalUnicast() && !groupAddr(ip) {
			ipe := inv.eps[epKey{ip: ip}]
			if ipe == nil && len(inv.eps) < inv.cfg.MaxEndpoints {
				ipe = &Endpoint{IP: ip, First: f.TS, Last: f.TS, Attrs: map[string]*Attr{}}
				inv.eps[epKey{ip: ip}] = ipe
			}
			if ipe != nil {
				inv.bindMAC(ipe, e.MAC, ip, f.TS)
				if ipe.OwnMAC == ([6]byte{}) {
					// The first MAC to claim the IP itself owns it, even a router's; a later
					// claimant (an ARP spoofer) does not take it over: that is a conflict.
					ipe.OwnMAC = e.MAC
				}
			}
		}
	}
	if f.Attr == dissect.AttrRole {
		if e.Roles == nil {
			e.Roles = map[string]bool{}
		}
		e.Roles[f.Value] = true
		return
	}
	setAttr(e.Attrs, f.Attr, f.Value, f.Proto, f.Field, f.TS, confidence(f.Proto, f.Attr))
}

func setAttr(m map[string]*Attr, attr, value, proto, field string, ts int64, conf float64) {
	a := m[attr]
	if a == nil {
		m[attr] = &Attr{Value: value, Proto: proto, Field: field, First: ts, Last: ts, Confidence: conf, Count: 1}
		return
	}
	if a.Value == value {
		a.Count++
		if ts > a.Last {
			a.Last = ts
		}
		if conf > a.Confidence {
			a.Confidence, a.Proto, a.Field = conf, proto, field
		}
		return
	}
	if conf < a.Confidence {
		return
	}
	if len(a.History) == maxHistory {
		copy(a.History, a.History[1:])
		a.History = a.History[:maxHistory-1]
	}
	a.History = append(a.History, Change{TS: ts, Old: a.Value, New: value, Proto: proto})
	a.Value, a.Proto, a.Field, a.First, a.Last, a.Confidence, a.Count = value, proto, field, ts, ts, conf, 1
}

// Event counts an operational event against its issuer (flags such as "programming device").
func (inv *Inventory) Event(ev *dissect.Event) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	e := inv.endpoint(ev.Flow, ev.Src, ev.TS)
	if e == nil {
		return
	}
	if e.Events == nil {
		e.Events = map[string]uint64{}
	}
	e.Events[ev.Kind]++
	if ev.Kind == dissect.EvLogin && cleartextLogins[ev.Proto] {
		e.Events["_cleartext_login"]++
	}
}

// cleartextLogins are the protocols whose logins cross the wire readable (an OPC UA or SMB
// login is not: its secret is encrypted or hashed).
var cleartextLogins = map[string]bool{"ftp": true, "telnet": true, "http": true, "mqtt": true, "snmp": true}

// FlowEnd adds a finished flow to the endpoints and the topology.
func (inv *Inventory) FlowEnd(fl *engine.FlowSummary) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	o := inv.endpoint(fl.Info, dissect.Orig, fl.First)
	r := inv.endpoint(fl.Info, dissect.Resp, fl.First)
	if o == nil && r == nil {
		return
	}
	if o == nil || r == nil {
		// One side is a group address: count the traffic on the other, no edge.
		e, pk, by := o, fl.OrigPkts, fl.OrigBytes
		if e == nil {
			e, pk, by = r, fl.RespPkts, fl.RespBytes
		}
		e.Packets += pk
		e.Bytes += by
		if e == o && fl.OrigMACSeen && fl.Info.Orig.IP.IsValid() && unicastMAC(fl.Info.Orig.MAC) {
			inv.bindMAC(e, fl.Info.Orig.MAC, fl.Info.Orig.IP, fl.Last)
		}
		return
	}
	for _, x := range []struct {
		e    *Endpoint
		ep   dissect.Endpoint
		seen bool
		pk   uint64
		by   uint64
	}{{o, fl.Info.Orig, fl.OrigMACSeen, fl.OrigPkts, fl.OrigBytes}, {r, fl.Info.Resp, fl.RespMACSeen, fl.RespPkts, fl.RespBytes}} {
		x.e.Packets += x.pk
		x.e.Bytes += x.by
		if fl.Last > x.e.Last {
			x.e.Last = fl.Last
		}
		if fl.Info.VLAN != 0 && !hasU16(x.e.VLANs, fl.Info.VLAN) && len(x.e.VLANs) < 8 {
			x.e.VLANs = append(x.e.VLANs, fl.Info.VLAN)
		}
		if x.ep.IP.IsValid() && x.seen && x.ep.MAC != ([6]byte{}) && x.pk > 0 && unicastMAC(x.ep.MAC) {
			inv.bindMAC(x.e, x.ep.MAC, x.ep.IP, fl.Last)
		}
	}
	if fl.Info.Orig.IP.IsValid() {
		if o.Peers == nil {
			o.Peers = map[netip.Addr]bool{}
		}
		if len(o.Peers) < 1024 {
			o.Peers[fl.Info.Resp.IP] = true
		}
	}
	proto := fl.Service
	if proto == "" {
		proto = transportName(fl.Info.Proto)
	}
	k := EdgeKey{Client: keyOf(o), Server: keyOf(r), Proto: proto, Port: fl.Info.Resp.Port, Transport: fl.Info.Proto}
	ed := inv.edges[k]
	if ed == nil {
		ed = &Edge{First: fl.First, Last: fl.Last, Commands: map[string]uint64{}}
		inv.edges[k] = ed
	} else if fl.First > ed.lastStart && ed.lastStart != 0 {
		iv := float64(fl.First-ed.lastStart) / 1e9
		ed.intervals++
		d := iv - ed.meanIv
		ed.meanIv += d / float64(ed.intervals)
		ed.m2Iv += d * (iv - ed.meanIv)
	}
	ed.lastStart = fl.First
	ed.Flows++
	ed.Packets += fl.OrigPkts + fl.RespPkts
	ed.Bytes += fl.OrigBytes + fl.RespBytes
	if fl.First < ed.First {
		ed.First = fl.First
	}
	if fl.Last > ed.Last {
		ed.Last = fl.Last
	}
	for _, c := range fl.Commands {
		if _, ok := ed.Commands[c.Name]; ok || len(ed.Commands) < 256 {
			ed.Commands[c.Name] += c.N
		}
	}
}

func transportName(p uint8) string {
	switch p {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 1, 58:
		return "icmp"
	}
	return "ip"
}

func keyOf(e *Endpoint) epKey { return epKey{ip: e.IP, mac: e.MAC} }

func hasU16(s []uint16, v uint16) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// groupAddr reports broadcast and multicast addresses: multicast, 255.255.255.255, 0.0.0.0,
// and, as a heuristic, IPv4 addresses ending in .255 (the broadcast of a /24 or wider).
func groupAddr(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	if a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	if a.Is4() {
		b := a.As4()
		return b[3] == 255
	}
	return false
}

func hasMAC(s [][6]byte, m [6]byte) bool {
	for _, x := range s {
		if x == m {
			return true
		}
	}
	return false
}

func unicastMAC(m [6]byte) bool { return m[0]&1 == 0 && m != ([6]byte{}) }

func (inv *Inventory) bindMAC(e *Endpoint, mac [6]byte, ip netip.Addr, ts int64) {
	found := false
	for _, m := range e.MACs {
		if m == mac {
			found = true
			break
		}
	}
	if !found && len(e.MACs) < 8 {
		e.MACs = append(e.MACs, mac)
	}
	mi := inv.macIPs[mac]
	if mi == nil {
		mi = &macInfo{ips: map[netip.Addr]int64{}, first: ts}
		inv.macIPs[mac] = mi
	}
	if len(mi.ips) < 256 {
		mi.ips[ip] = ts
	}
	mi.last = max(mi.last, ts)
}

// SetUser sets a user-owned attribute of a device (name, zone, purdue_level, authorized,
// notes, tags, device_type…). User values override inferred ones and are never overwritten.
func (inv *Inventory) SetUser(deviceID, attr, value string) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	m := inv.users[deviceID]
	if m == nil {
		m = map[string]string{}
		inv.users[deviceID] = m
	}
	if value == "" {
		delete(m, attr)
		return
	}
	m[attr] = value
}

// Counts returns how many endpoints and edges the inventory holds.
func (inv *Inventory) Counts() (endpoints, edges int) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return len(inv.eps), len(inv.edges)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func macString(m [6]byte) string { return string(dissect.AppendMAC(nil, m)) }

func isPublic(a netip.Addr) bool {
	return a.IsGlobalUnicast() && !a.IsPrivate() && !strings.HasPrefix(a.String(), "169.254.")
}
