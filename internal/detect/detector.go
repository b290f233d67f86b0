// Package detect raises alerts: it learns a site's baseline, then runs Defender for IoT's five
// engines (policy, protocol violation, anomaly, malware, operational) over the facts, events,
// anomalies and finished flows the pipeline reports. Packet time is the clock.
package detect

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/engine"
)

// Config tunes detection.
type Config struct {
	Site   string
	Sensor string
	// LearningPeriod is how long (packet time, ns) a new site learns before detecting (1 h).
	LearningPeriod int64
	// DeviceLearning is the own learning window of a device found after learning (10 min).
	DeviceLearning int64
	// Learn keeps the whole run in learning mode (the CLI's --learn).
	Learn      bool
	Indicators *Indicators
	// Disabled rule ids.
	Disabled map[string]bool
	// EvidencePackets is how many packets of the triggering flow an alert keeps (32).
	EvidencePackets int
	// Exclusions suppress matching alerts (maintenance windows, devices, protocols, rules).
	Exclusions []*Exclusion
}

// Status of an alert.
const (
	StatusNew     = "New"
	StatusActive  = "Active"
	StatusClosed  = "Closed"
	StatusMuted   = "Muted"
	StatusLearned = "Learned"
)

// Alert is one (merged) alert.
type Alert struct {
	ID          string                   `json:"id"`
	Rule        string                   `json:"rule"`
	Title       string                   `json:"title"`
	Engine      Engine                   `json:"engine"`
	Severity    Severity                 `json:"severity"`
	Category    string                   `json:"category"`
	Techniques  []string                 `json:"mitre_attack_ics"`
	Remediation string                   `json:"remediation"`
	Message     string                   `json:"message"`
	Src         string                   `json:"src,omitempty"`
	Dst         string                   `json:"dst,omitempty"`
	Protocol    string                   `json:"protocol,omitempty"`
	Detail      string                   `json:"detail,omitempty"`
	First       int64                    `json:"first_seen"`
	Last        int64                    `json:"last_seen"`
	Count       uint64                   `json:"count"`
	Status      string                   `json:"status"`
	Site        string                   `json:"site"`
	Sensor      string                   `json:"sensor,omitempty"`
	FlowUID     string                   `json:"uid,omitempty"`
	Comments    []Comment                `json:"comments,omitempty"`
	Evidence    []dissect.EvidencePacket `json:"-"`
	// learn describes how to add the alert's cause to the baseline.
	LearnEdge  *BEdge `json:"learn_edge,omitempty"`
	LearnEvent string `json:"learn_event,omitempty"`
}

// Comment on an alert.
type Comment struct {
	TS   int64  `json:"ts"`
	User string `json:"user"`
	Text string `json:"text"`
}

// Detector implements engine.Observer and dissect.WeirdObserver. Safe for concurrent use.
type Detector struct {
	mu     sync.Mutex
	cfg    Config
	base   *Baseline
	alerts map[string]*Alert
	order  []*Alert
	now    int64 // latest packet time seen (run-level decisions)
	at     int64 // packet time of the event being judged (see tick)
	// rate windows and per-key sets for the anomaly engine
	windows  map[wkey]*window
	sets     map[wkey]*setWindow
	modes    map[string]string     // last operating mode seen per device, this run
	ipNames  map[netip.Addr]string // interned address strings (addrString)
	macNames map[string]string
	// Suppressed counts the alerts each exclusion suppressed (read after Finish).
	Suppressed map[string]uint64
	// OnAlert is called (under the detector's lock) when an alert is created (isNew) or
	// repeats. It must not call back into the detector.
	OnAlert func(a *Alert, isNew bool)
}

type window struct {
	start int64
	n     int
	fired bool
}

type setWindow struct {
	start int64
	items map[uint64]bool
	fired bool
}

// New returns a detector over base (a fresh baseline when nil).
func New(cfg Config, base *Baseline) *Detector {
	if cfg.LearningPeriod <= 0 {
		cfg.LearningPeriod = 3600e9
	}
	if cfg.DeviceLearning <= 0 {
		cfg.DeviceLearning = 600e9
	}
	if cfg.EvidencePackets <= 0 {
		cfg.EvidencePackets = 32
	}
	if base == nil {
		base = NewBaseline(cfg.Site)
	}
	return &Detector{cfg: cfg, base: base, alerts: map[string]*Alert{}, windows: map[wkey]*window{}, sets: map[wkey]*setWindow{}, modes: map[string]string{},
		ipNames: map[netip.Addr]string{}, macNames: map[string]string{}}
}

var _ engine.Observer = (*Detector)(nil)
var _ dissect.WeirdObserver = (*Detector)(nil)

// BaselineCopy returns a deep copy of the baseline taken under the detector's lock: what a
// running sensor saves or serves while detection goes on.
func (d *Detector) BaselineCopy() *Baseline {
	d.mu.Lock()
	data, err := d.base.MarshalIndent()
	d.mu.Unlock()
	if err != nil {
		panic("detect: baseline does not marshal: " + err.Error())
	}
	b, err := ParseBaseline(data)
	if err != nil {
		panic("detect: baseline does not parse back: " + err.Error())
	}
	return b
}

// Baseline returns the baseline itself, for use when no detection runs (after Finish, or
// before the pipeline starts); a running sensor uses BaselineCopy.
func (d *Detector) Baseline() *Baseline {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.base
}

// Alerts returns the alerts in creation order.
func (d *Detector) Alerts() []*Alert {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*Alert(nil), d.order...)
}

// AlertCopies returns copies of the alerts, taken under the detector's lock: safe to read while
// detection goes on (the API's live view).
func (d *Detector) AlertCopies() []*Alert {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]*Alert, len(d.order))
	for i, a := range d.order {
		c := *a
		c.Techniques = append([]string(nil), a.Techniques...)
		c.Comments = append([]Comment(nil), a.Comments...)
		c.Evidence = append([]dissect.EvidencePacket(nil), a.Evidence...)
		out[i] = &c
	}
	return out
}

// Prune forgets alerts last seen before ts (retention).
func (d *Detector) Prune(ts int64) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	keep := d.order[:0]
	for _, a := range d.order {
		if a.Last < ts {
			delete(d.alerts, a.ID)
			n++
			continue
		}
		keep = append(keep, a)
	}
	d.order = keep
	return n
}

// LoadAlerts adds previously stored alerts so repeats merge into them.
func (d *Detector) LoadAlerts(as []*Alert) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range as {
		if d.alerts[a.ID] == nil {
			d.alerts[a.ID] = a
			d.order = append(d.order, a)
		}
	}
}

// Finish ends a run: a --learn run, or one whose learning period elapsed, makes the site
// operational.
func (d *Detector) Finish() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cfg.Learn || (d.base.LearnUntil != 0 && d.now >= d.base.LearnUntil) {
		d.base.Operational = true
	}
}

// tick sets the clock for one event. Rules judge the event at its own packet time (d.at):
// with several workers, events reach the detector slightly out of time order, and a shared
// "latest time seen" would let one worker's clock close another's windows. d.now, the latest
// time seen, only decides run-level things (the end of the learning period at Finish).
func (d *Detector) tick(ts int64) {
	d.at = ts
	if ts > d.now {
		d.now = ts
	}
	if d.base.Started == 0 && ts > 0 {
		d.base.Started = ts
		d.base.LearnUntil = ts + d.cfg.LearningPeriod
	}
}

// learning reports whether the site (or the device at addr) is still learning.
func (d *Detector) learning(addrs ...string) bool { return d.learningAt(d.at, addrs...) }

// learningAt is learning at packet time ts: a flow that started while learning is learned,
// even if it ends after the period.
func (d *Detector) learningAt(ts int64, addrs ...string) bool {
	if d.cfg.Learn {
		return true
	}
	if !d.base.Operational && ts < d.base.LearnUntil {
		return true
	}
	for _, a := range addrs {
		if dev := d.base.Devices[a]; dev != nil && dev.LearnUntil > ts {
			return true
		}
	}
	return false
}

// addrString names an endpoint by its IP address, or its MAC without one. The strings are
// interned (a plant has a few thousand addresses, and every flow end and event names two).
func (d *Detector) addrString(ep dissect.Endpoint) string {
	if ep.IP.IsValid() {
		if s, ok := d.ipNames[ep.IP]; ok {
			return s
		}
		s := ep.IP.String()
		if len(d.ipNames) < 100_000 {
			d.ipNames[ep.IP] = s
		}
		return s
	}
	var buf [17]byte
	m := dissect.AppendMAC(buf[:0], ep.MAC)
	if s, ok := d.macNames[string(m)]; ok {
		return s
	}
	s := string(m)
	if len(d.macNames) < 100_000 {
		d.macNames[s] = s
	}
	return s
}

func (d *Detector) sides(fl *dissect.FlowInfo, src dissect.Dir) (string, string) {
	a, b := d.addrString(fl.Orig), d.addrString(fl.Resp)
	if src == dissect.Resp {
		return b, a
	}
	return a, b
}

// raise creates or merges an alert. key distinguishes alerts of one rule beyond src/dst.
func (d *Detector) raise(rule string, fl *dissect.FlowInfo, src, dst, proto, key, msg string) *Alert {
	rl := byID[rule]
	if rl == nil {
		panic("detect: unknown rule " + rule)
	}
	if d.cfg.Disabled[rule] {
		return nil
	}
	for _, x := range d.cfg.Exclusions {
		if x.matches(rl, src, dst, proto, d.at) {
			if d.Suppressed == nil {
				d.Suppressed = map[string]uint64{}
			}
			d.Suppressed[x.Name]++
			return nil
		}
	}
	h := sha1.Sum([]byte(d.cfg.Site + "\x00" + rule + "\x00" + src + "\x00" + dst + "\x00" + proto + "\x00" + key))
	id := "A" + hex.EncodeToString(h[:6])
	if a := d.alerts[id]; a != nil {
		a.Count++
		if d.at > a.Last {
			a.Last = d.at
		}
		if a.Status == StatusClosed {
			a.Status = StatusNew
		}
		if d.OnAlert != nil && a.Status != StatusMuted && a.Status != StatusLearned {
			d.OnAlert(a, false)
		}
		return a
	}
	a := &Alert{ID: id, Rule: rule, Title: rl.Title, Engine: rl.Engine, Severity: rl.Severity, Category: rl.Category,
		Techniques: rl.Techniques, Remediation: rl.Remediation, Message: msg, Src: src, Dst: dst, Protocol: proto,
		Detail: key, First: d.at, Last: d.at, Count: 1, Status: StatusNew, Site: d.cfg.Site, Sensor: d.cfg.Sensor}
	if fl != nil {
		a.FlowUID = fl.UID
		if fl.Evidence != nil {
			a.Evidence = fl.Evidence.Packets(fl, d.cfg.EvidencePackets)
		}
	}
	d.alerts[id] = a
	d.order = append(d.order, a)
	if d.OnAlert != nil {
		d.OnAlert(a, true)
	}
	return a
}

// wkey names a rate window or a distinct-set window: a rule and up to two parties. A struct
// key costs no string building per call.
type wkey struct {
	rule string
	a, b string
	n    uint64 // a numeric party (address_scan's /16)
	p    string // a protocol (write_rate)
}

// count adds one to a rate window and reports true once when it reaches the rule's threshold.
func (d *Detector) count(rule, a, b string) bool {
	rl := byID[rule]
	k := wkey{rule: rule, a: a, b: b}
	w := d.windows[k]
	if w == nil || d.at-w.start > rl.Window*1e9 {
		if w == nil {
			if len(d.windows) > 200_000 {
				d.windows = map[wkey]*window{}
			}
			w = &window{}
			d.windows[k] = w
		}
		*w = window{start: d.at}
	}
	w.n++
	if w.n >= rl.Threshold && !w.fired {
		w.fired = true
		return true
	}
	return false
}

// distinct adds item to a per-key set window and reports true once when the set reaches the
// rule's threshold.
func (d *Detector) distinct(rule, a, b string, item uint64) (bool, int) {
	return d.distinctKey(wkey{rule: rule, a: a, b: b}, item)
}

func (d *Detector) distinctKey(k wkey, item uint64) (bool, int) {
	rl := byID[k.rule]
	s := d.sets[k]
	if s == nil || d.at-s.start > rl.Window*1e9 {
		if s == nil {
			if len(d.sets) > 100_000 {
				d.sets = map[wkey]*setWindow{}
			}
			s = &setWindow{}
			d.sets[k] = s
		}
		items := s.items
		if items == nil {
			items = map[uint64]bool{}
		}
		clear(items)
		*s = setWindow{start: d.at, items: items}
	}
	if len(s.items) < 4*rl.Threshold+16 {
		s.items[item] = true
	}
	if len(s.items) >= rl.Threshold && !s.fired {
		s.fired = true
		return true, len(s.items)
	}
	return false, len(s.items)
}

// itemOf hashes a string item for distinct (FNV-1a).
func itemOf(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func isPrivate(a netip.Addr) bool {
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() ||
		(a.Is4() && a.As4()[0] == 100 && a.As4()[1]&0xc0 == 64) || (a.Is4() && a.As4()[3] == 255)
}

func groupAddr(a netip.Addr) bool {
	return a.IsMulticast() || (a.Is4() && (a.As4()[3] == 255 || a == netip.AddrFrom4([4]byte{255, 255, 255, 255})))
}

// FlowEnd runs the flow-based rules and, while learning, records devices and edges.
func (d *Detector) FlowEnd(f *engine.FlowSummary) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tick(f.Last)
	fl := f.Info
	client, server := d.addrString(fl.Orig), d.addrString(fl.Resp)
	proto := f.Service
	if proto == "" {
		proto = transport(fl.Proto)
	}
	port := fl.Resp.Port
	attempt := f.State == "S0" || f.State == "REJ" || f.State == "RSTOS0" || f.State == "SH" || f.State == "OTH" && f.RespPkts == 0

	// Malware: indicators of compromise.
	for _, ep := range []netip.Addr{fl.Orig.IP, fl.Resp.IP} {
		if src, ok := d.cfg.Indicators.MatchIP(ep); ok {
			d.raise("ioc_ip", fl, client, server, proto, ep.String(),
				fmt.Sprintf("%s talked to %s (%s), listed by %s", client, server, proto, src))
		}
	}
	if fl.Proto == 17 && (fl.Resp.Port == 1502 || fl.Orig.Port == 1502) {
		d.raise("triton", fl, client, server, "tristation", "", fmt.Sprintf("TriStation (UDP 1502) traffic from %s to %s", client, server))
	}
	// Protocol violation: port 0.
	if (fl.Proto == 6 || fl.Proto == 17) && (fl.Orig.Port == 0 || fl.Resp.Port == 0) {
		d.raise("port0", fl, client, server, transport(fl.Proto), "", fmt.Sprintf("%s connection from %s:%d to %s:%d uses port 0", transport(fl.Proto), client, fl.Orig.Port, server, fl.Resp.Port))
	}

	// Anomaly: scans, floods, sessions.
	if fl.Orig.IP.IsValid() && !groupAddr(fl.Resp.IP) {
		if fl.Proto == 6 || fl.Proto == 17 {
			if fired, n := d.distinct("port_scan", client, server, uint64(fl.Proto)<<16|uint64(port)); fired {
				d.raise("port_scan", fl, client, server, "", "", fmt.Sprintf("%s probed %d ports on %s within 2 minutes", client, n, server))
			}
			b := fl.Resp.IP.As16()
			v6 := fl.Resp.IP.Is6() && !fl.Resp.IP.Is4In6()
			net := 1<<32 | uint64(b[12])<<8 | uint64(b[13]) // the /16, as a number: no string per flow
			if v6 {
				net = 2<<32 | uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
			}
			if fired, n := d.distinctKey(wkey{rule: "address_scan", a: client, n: net}, itemOf(server)); fired {
				net16 := fmt.Sprintf("%d.%d", b[12], b[13])
				if v6 {
					b6 := b // sliced for Sprintf: a copy on the heap only when the rule fires
					net16 = fmt.Sprintf("%x:%x", b6[0:2], b6[2:4])
				}
				d.raise("address_scan", fl, client, "", "", net16, fmt.Sprintf("%s contacted %d addresses in %s.0.0/16 within 2 minutes", client, n, net16))
			}
		}
		if d.count("excessive_sessions", client, server) {
			d.raise("excessive_sessions", fl, client, server, proto, "", fmt.Sprintf("%s opened %d sessions to %s within a minute", client, byID["excessive_sessions"].Threshold, server))
		}
		if attempt && d.count("dos", server, "") {
			d.raise("dos", fl, "", server, proto, "", fmt.Sprintf("%d connection attempts to %s within a minute", byID["dos"].Threshold, server))
		}
		if (fl.Proto == 1 || fl.Proto == 58) && f.OrigPkts >= 1 {
			for i := uint64(0); i < f.OrigPkts; i++ {
				if d.count("icmp_flood", client, server) {
					d.raise("icmp_flood", fl, client, server, "icmp", "", fmt.Sprintf("%s sent more than %d ICMP packets to %s within a minute", client, byID["icmp_flood"].Threshold, server))
				}
			}
		}
		if attempt && d.base.Devices[server] != nil && f.OrigPkts > 0 && d.count("unresponsive", server, "") {
			d.raise("unresponsive", fl, "", server, proto, "", fmt.Sprintf("%s did not answer %d connection attempts within 5 minutes", server, byID["unresponsive"].Threshold))
		}
	}

	// Policy: learning or detection against the baseline.
	if groupAddr(fl.Resp.IP) || (!fl.Resp.IP.IsValid() && fl.Resp.MAC[0]&1 == 1) {
		// Broadcast/multicast traffic: the sender is a device, the group is not.
		d.policyDevice(fl, client, f.First)
		return
	}
	if f.RespPkts == 0 && attempt {
		// An unanswered attempt is not a connection; the sender still is a device.
		d.policyDevice(fl, client, f.First)
		return
	}
	d.policyDevice(fl, client, f.First)
	d.policyDevice(fl, server, f.First)
	d.learnMAC(fl.Orig, f.OrigMACSeen, f.First)
	d.learnMAC(fl.Resp, f.RespMACSeen, f.First)
	var kb [96]byte
	ekb := appendEdgeKey(kb[:0], client, server, proto, port)
	e := d.base.Edges[string(ekb)] // a lookup by string(bytes) does not allocate
	if e == nil {
		ek := string(ekb)
		e = &BEdge{Client: client, Server: server, Proto: proto, Port: port}
		if !d.learningAt(f.First) {
			// A device found after learning learns its own connections for a window; the
			// rules about risky connections (remote access, internet, databases) do not wait.
			d.newEdge(fl, e, f, d.learningAt(f.First, client, server))
		}
		d.base.Edges[ek] = e
	}
	d.period(fl, e, f.First)
	var known []string // the commands learned before this flow, copied before the first is added
	copied := false
	for _, c := range f.Commands {
		if proto == "dnp3" {
			switch c.Name {
			case "INITIALIZE_DATA":
				d.raise("dnp3_obsolete_init", fl, client, server, proto, "", fmt.Sprintf("%s sent the obsolete DNP3 INITIALIZE_DATA to %s", client, server))
			case "SAVE_CONFIG":
				d.raise("dnp3_obsolete_save", fl, client, server, proto, "", fmt.Sprintf("%s sent the obsolete DNP3 SAVE_CONFIG to %s", client, server))
			}
		}
		if e.hasCommand(c.Name) {
			continue
		}
		first := c.First
		if first == 0 {
			first = f.First
		}
		// A new edge was alerted (or learned) as a whole; commands matter on known edges of the
		// industrial protocols, whose function codes and services carry the risk.
		if !copied {
			known, copied = append([]string(nil), e.Commands...), true
		}
		if commandRules[e.Proto] != "" && !d.learningAt(first) {
			d.newCommand(fl, e, c.Name, known)
		}
		e.Commands = addSorted(e.Commands, c.Name)
	}
}

// period learns the interval between connections of an edge (a master that connects once per
// polling cycle) and, once operational, flags a cycle far from it: more than half the period
// early or late, after at least five learned intervals.
func (d *Detector) period(fl *dissect.FlowInfo, e *BEdge, start int64) {
	last := e.runStart
	e.runStart = start
	if last == 0 || start <= last {
		return
	}
	iv := float64(start-last) / 1e9
	if d.learningAt(start) {
		e.PeriodN++
		delta := iv - e.PeriodS
		e.PeriodS += delta / float64(e.PeriodN)
		e.PeriodM2 += delta * (iv - e.PeriodS)
		return
	}
	// Only a channel that was periodic while learning (jitter under a fifth of the cycle) can
	// break its period; DNS lookups and operator sessions never had one.
	periodic := e.PeriodN >= 5 && e.PeriodS > 0 && sqrt(e.PeriodM2/float64(e.PeriodN)) < e.PeriodS/5
	if periodic && (iv < e.PeriodS/2 || iv > e.PeriodS*1.5) {
		d.raise("periodicity", fl, e.Client, e.Server, e.Proto, "",
			fmt.Sprintf("%s → %s %s: connection after %.1f s, the learned cycle is %.1f s", e.Client, e.Server, e.Proto, iv, e.PeriodS))
	}
}

// learnMAC remembers the MACs of devices on the local segment, so that a frame from a MAC no
// known device uses (an ARP spoofer, a new L2 talker) is a new asset.
func (d *Detector) learnMAC(ep dissect.Endpoint, seen bool, ts int64) {
	if !seen || ep.MAC == ([6]byte{}) || ep.MAC[0]&1 == 1 {
		return
	}
	var buf [17]byte
	m := dissect.AppendMAC(buf[:0], ep.MAC)
	if d.base.MACs[string(m)] { // a lookup by string(bytes) does not allocate
		return
	}
	if d.base.MACs == nil {
		d.base.MACs = map[string]bool{}
	}
	if len(d.base.MACs) < 200_000 {
		d.base.MACs[string(m)] = true
	}
}

func transport(p uint8) string {
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

func (d *Detector) policyDevice(fl *dissect.FlowInfo, addr string, start int64) {
	if addr == "" || d.base.Devices[addr] != nil {
		return
	}
	dev := &BDevice{First: start}
	if !d.learningAt(start) {
		dev.LearnUntil = d.at + d.cfg.DeviceLearning
		d.raise("new_asset", fl, addr, "", "", "", fmt.Sprintf("New device %s appeared after learning", addr))
	}
	d.base.Devices[addr] = dev
}

var remoteAccess = map[string]string{"ssh": "ssh", "rdp": "rdp", "vnc": "vnc", "remoteaccess": "remote_tool"}

func (d *Detector) newEdge(fl *dissect.FlowInfo, e *BEdge, f *engine.FlowSummary, deviceLearning bool) {
	msg := fmt.Sprintf("%s → %s %s/%d: not in the baseline", e.Client, e.Server, e.Proto, e.Port)
	a := func(rule string) {
		if al := d.raise(rule, fl, e.Client, e.Server, e.Proto, fmt.Sprint(e.Port), msg); al != nil {
			c := *e
			al.LearnEdge = &c
		}
	}
	// Access means a session: both sides sent application data. A probe (SYN, SYN-ACK, RST)
	// is a new port at most; the scan rules see it.
	session := f.OrigPayload > 0 && f.RespPayload > 0
	if r, ok := remoteAccess[e.Proto]; ok && session {
		a(r)
		return
	}
	switch port := fl.Resp.Port; {
	case !session:
	case port == 22:
		a("ssh")
		return
	case port == 3389:
		a("rdp")
		return
	case port == 5900 || port == 5901:
		a("vnc")
		return
	case port == 5938 || port == 7070:
		a("remote_tool")
		return
	case port == 1433 || port == 1521 || port == 3306 || port == 5432 || port == 27017:
		a("database")
		return
	}
	switch {
	case fl.Orig.IP.IsValid() && fl.Resp.IP.IsValid() && isPrivate(fl.Orig.IP) != isPrivate(fl.Resp.IP):
		a("internet")
	case deviceLearning:
		// a new device's ordinary connections are learned in its window
	case e.Proto == "snmp":
		a("snmp")
	case e.Proto == "smb" && session:
		a("smb_login")
	case e.Proto == "http":
		a("http")
	default:
		known := false
		for _, x := range d.base.Edges {
			if x.Server == e.Server && x.Port == e.Port {
				known = true
				break
			}
		}
		if !known {
			a("new_port")
			return
		}
		for _, x := range d.base.Edges {
			if x.Client == e.Client && x.Server == e.Server && x.Port == e.Port {
				a("new_protocol")
				return
			}
		}
		a("new_connection")
	}
}

// otProtocols are the industrial protocols whose configuration and programming events are
// about controllers (a DNS dynamic update is not a PLC configuration write).
var otProtocols = map[string]bool{
	"modbus": true, "dnp3": true, "s7comm": true, "enip": true, "iec104": true, "mms": true, "bacnet": true,
	"opcua": true, "profinet": true, "pndcp": true, "goose": true, "sv": true,
}

// writeRate learns each edge's busiest minute of writes, and once operational flags a minute
// with more than twice that (and at least the rule's threshold): HMIs that write tags
// cyclically are normal, a write storm from a host that seldom writes is not.
func (d *Detector) writeRate(fl *dissect.FlowInfo, src, dst, proto string) {
	if fl == nil {
		return
	}
	client, server := d.addrString(fl.Orig), d.addrString(fl.Resp)
	var kb [96]byte
	ekb := appendEdgeKey(kb[:0], client, server, proto, fl.Resp.Port)
	e := d.base.Edges[string(ekb)]
	if e == nil && d.learning(client, server) {
		e = &BEdge{Client: client, Server: server, Proto: proto, Port: fl.Resp.Port}
		d.base.Edges[string(ekb)] = e
	}
	k := wkey{rule: "write_rate", a: src, b: dst, p: proto}
	w := d.windows[k]
	if w == nil || d.at-w.start > 60e9 {
		if w != nil && e != nil && d.learning(client, server) && w.n > e.MaxWritesPerMin {
			e.MaxWritesPerMin = w.n
		}
		if w == nil {
			w = &window{}
			d.windows[k] = w
		}
		*w = window{start: d.at}
	}
	w.n++
	if d.learning(client, server) {
		if e != nil && w.n > e.MaxWritesPerMin {
			e.MaxWritesPerMin = w.n
		}
		return
	}
	limit := byID["write_storm"].Threshold
	if e != nil && 2*e.MaxWritesPerMin > limit {
		limit = 2 * e.MaxWritesPerMin
	}
	if w.n > limit && !w.fired {
		w.fired = true
		d.raise("write_storm", fl, src, dst, proto, "", fmt.Sprintf("%s wrote to %s %d times within a minute; the baseline's busiest minute had %d", src, dst, w.n, maxInt(e)))
	}
}

func maxInt(e *BEdge) int {
	if e == nil {
		return 0
	}
	return e.MaxWritesPerMin
}

var commandRules = map[string]string{
	"modbus": "modbus_fc", "dnp3": "dnp3_fc", "iec104": "iec104_asdu", "enip": "cip_service",
	"s7comm": "s7_function", "mms": "mms_service", "opcua": "opcua_service", "bacnet": "bacnet_service",
}

func (d *Detector) newCommand(fl *dissect.FlowInfo, e *BEdge, cmd string, known []string) {
	rule := commandRules[e.Proto]
	if rule == "" {
		rule = "new_protocol"
	}
	if al := d.raise(rule, fl, e.Client, e.Server, e.Proto, cmd,
		fmt.Sprintf("%s sent %s %s to %s: the baseline of this connection has %s", e.Client, e.Proto, cmd, e.Server, listOrNone(known))); al != nil {
		c := *e
		c.Commands = []string{cmd}
		al.LearnEdge = &c
	}
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "no commands"
	}
	if len(s) > 8 {
		return strings.Join(s[:8], ", ") + fmt.Sprintf(" and %d more", len(s)-8)
	}
	return strings.Join(s, ", ")
}

// Fact runs the rules on device facts: firmware and operating mode changes, LLDP announcements.
func (d *Detector) Fact(f *dissect.Fact) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tick(f.TS)
	addr, peer := d.sides(f.Flow, f.Side)
	dev := d.base.Devices[addr]
	if f.Proto == "arp" && f.Attr == dissect.AttrIP {
		// An ARP sender: known by its MAC (from flows) or, while learning, learned now.
		mac := d.addrString(dissect.Endpoint{MAC: f.Flow.Orig.MAC})
		switch {
		case d.base.MACs[mac]:
		case d.learning():
			d.learnMAC(f.Flow.Orig, true, f.TS)
		default:
			d.learnMAC(f.Flow.Orig, true, f.TS)
			d.raise("new_asset", f.Flow, mac, "", "arp", "", fmt.Sprintf("New device %s (claims %s over ARP) appeared after learning", mac, f.Value))
		}
	}
	switch f.Attr {
	case dissect.AttrFirmware:
		if dev == nil {
			dev = &BDevice{First: d.at}
			if !d.learning() {
				dev.LearnUntil = d.at + d.cfg.DeviceLearning
			}
			d.base.Devices[addr] = dev
		}
		if dev.Firmware != "" && dev.Firmware != f.Value && !d.learning(addr) {
			d.raise("firmware_changed", f.Flow, addr, "", f.Proto, f.Value,
				fmt.Sprintf("%s reports firmware %s (%s), the baseline has %s", addr, f.Value, f.Field, dev.Firmware))
		}
		if dev.Firmware == "" || d.learning(addr) {
			dev.Firmware = f.Value
		}
	case dissect.AttrPLCMode:
		// The mode is a run-time observation, not part of the baseline: a mode seen in an
		// earlier capture says nothing about the first one of this capture.
		if prev := d.modes[addr]; prev != "" && prev != f.Value {
			d.raise("mode_changed", f.Flow, peer, addr, f.Proto, prev+"->"+f.Value,
				fmt.Sprintf("%s operating mode changed from %s to %s", addr, prev, f.Value))
		}
		if len(d.modes) < 100_000 {
			d.modes[addr] = f.Value
		}
	case dissect.AttrHostname, dissect.AttrSoftware:
		if f.Proto == "lldp" || f.Proto == "cdp" {
			if dev == nil {
				dev = &BDevice{First: d.at}
				d.base.Devices[addr] = dev
			}
			sig := f.Attr + "=" + f.Value
			if !strings.Contains(dev.LLDP, sig) {
				if dev.LLDP != "" && !d.learning(addr) {
					d.raise("new_lldp", f.Flow, addr, "", f.Proto, sig, fmt.Sprintf("%s announced %s over %s", addr, sig, f.Proto))
				}
				if len(dev.LLDP) < 1024 {
					dev.LLDP += sig + ";"
				}
			}
		}
	}
}

// programming events and the policy rule each raises when the edge never carried it.
var programRules = map[string]string{
	dissect.EvProgramDownload: "plc_programming",
	dissect.EvProgramDelete:   "plc_programming",
	dissect.EvProgramUpload:   "plc_upload",
	dissect.EvConfigWrite:     "plc_config_write",
}

// Event runs the operational, policy and anomaly rules on operational events.
func (d *Detector) Event(ev *dissect.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tick(ev.TS)
	src, dst := d.sides(ev.Flow, ev.Src)
	fl := ev.Flow
	p := ev.Proto
	det := ev.Detail
	var lowerS string // det in lower case, made on first use: most events never need it
	lowered := false
	lower := func() string {
		if !lowered {
			lowerS, lowered = strings.ToLower(det), true
		}
		return lowerS
	}
	switch ev.Kind {
	case dissect.EvPLCStop:
		if p == "s7comm" {
			d.raise("s7_stop", fl, src, dst, p, "", fmt.Sprintf("%s sent an S7 PLC Stop to %s", src, dst))
		} else {
			d.raise("controller_stop", fl, src, dst, p, "", fmt.Sprintf("%s stopped %s (%s %s)", src, dst, p, det))
		}
	case dissect.EvPLCStart:
		d.raise("controller_start", fl, src, dst, p, "", fmt.Sprintf("%s started %s (%s %s)", src, dst, p, det))
	case dissect.EvRestart:
		switch {
		case p == "dnp3" && strings.Contains(lower(), "cold"):
			d.raise("outstation_cold", fl, src, dst, p, "", fmt.Sprintf("%s sent a DNP3 cold restart to %s", src, dst))
		case p == "dnp3" && strings.Contains(lower(), "warm"):
			d.raise("outstation_warm", fl, src, dst, p, "", fmt.Sprintf("%s sent a DNP3 warm restart to %s", src, dst))
		default:
			d.raise("controller_reset", fl, src, dst, p, "", fmt.Sprintf("%s reset %s (%s %s)", src, dst, p, det))
		}
		if d.count("restart_rate", dst, "") {
			d.raise("restart_rate", fl, "", dst, p, "", fmt.Sprintf("%s was restarted %d times within an hour", dst, byID["restart_rate"].Threshold))
		}
		if p == "dnp3" && d.count("outstation_frequent", dst, "") {
			d.raise("outstation_frequent", fl, "", dst, p, "", fmt.Sprintf("%s restarted twice within 10 minutes", dst))
		}
	case dissect.EvDeviceFlag:
		switch {
		case strings.Contains(lower(), "overflow"):
			d.raise("event_overflow", fl, src, dst, p, "", fmt.Sprintf("%s reports an event buffer overflow (%s)", src, det))
		case strings.Contains(lower(), "corrupt"):
			d.raise("config_corrupt", fl, src, dst, p, "", fmt.Sprintf("%s reports a corrupt configuration (%s)", src, det))
		}
	case dissect.EvModeChange:
		d.raise("mode_changed", fl, src, dst, p, det, fmt.Sprintf("%s changed the operating mode of %s: %s", src, dst, det))
	case dissect.EvFirmwareUpdate:
		d.raise("firmware_update", fl, src, dst, p, "", fmt.Sprintf("%s transferred firmware to %s (%s)", src, dst, det))
	case dissect.EvConfigWrite:
		switch {
		case p == "pndcp" && strings.Contains(lower(), "factory"):
			d.raise("pn_factory_reset", fl, src, dst, p, "", fmt.Sprintf("%s sent a PROFINET factory reset to %s", src, dst))
		case p == "goose":
			d.raise("goose_dataset", fl, src, dst, p, "", fmt.Sprintf("GOOSE publisher %s changed its dataset configuration (%s)", src, det))
		case p == "sv":
			d.raise("sv_dataset", fl, src, dst, p, "", fmt.Sprintf("SV publisher %s changed its dataset configuration (%s)", src, det))
		case otProtocols[p]:
			d.raise("config_change", fl, src, dst, p, "", fmt.Sprintf("%s changed the configuration of %s (%s %s)", src, dst, p, det))
		}
	case dissect.EvScan:
		if p == "arp" {
			if fired, n := d.distinct("arp_scan", src, "", itemOf(det)); fired {
				d.raise("arp_scan", fl, src, "", p, "", fmt.Sprintf("%s asked ARP for %d addresses within 6 minutes", src, n))
			}
			break
		}
		if p == "modbus" && strings.HasPrefix(det, "modbus unit scan") {
			d.raise("modbus_unit_scan", fl, src, dst, p, "", fmt.Sprintf("%s → %s: %s", src, dst, det))
			break
		}
		// Defender counts scans, not targets: ten identification requests within two minutes
		// (a broadcast ListIdentity reaches every controller at once).
		if d.count("plc_scan", src, "") {
			d.raise("plc_scan", fl, src, "", p, "", fmt.Sprintf("%s sent %d or more identification requests (%s, …) within 2 minutes", src, byID["plc_scan"].Threshold, p))
		}
	case dissect.EvLogin, dissect.EvPassword:
		failed := strings.Contains(lower(), "fail") || strings.Contains(lower(), "denied") || strings.Contains(lower(), "invalid")
		if d.count("excessive_logins", src, dst) {
			d.raise("excessive_logins", fl, src, dst, p, "", fmt.Sprintf("%s attempted %d logins to %s within a minute", src, byID["excessive_logins"].Threshold, dst))
		}
		if failed && d.count("password_guessing", src, dst) {
			d.raise("password_guessing", fl, src, dst, p, "", fmt.Sprintf("%s failed %d logins to %s within a minute", src, byID["password_guessing"].Threshold, dst))
		}
		if failed && p == "ftp" && !d.learning(src, dst) {
			d.raise("ftp_login_failed", fl, src, dst, p, "", fmt.Sprintf("FTP login from %s to %s failed (%s)", src, dst, det))
		}
		if p == "smb" && d.count("smb_logins", src, dst) {
			d.raise("smb_logins", fl, src, dst, p, "", fmt.Sprintf("%s attempted %d SMB logins to %s within 10 minutes", src, byID["smb_logins"].Threshold, dst))
		}
	case dissect.EvWrite:
		d.writeRate(fl, src, dst, p)
	case dissect.EvCommand:
		if p == "smb" && strings.HasPrefix(det, "svcctl.") && svcctlChanges[det[len("svcctl."):]] {
			d.raise("remote_svc", fl, src, dst, p, "", fmt.Sprintf("%s called %s on %s over SMB (remote service management)", src, det, dst))
		}
		if p == "iec104" {
			if fired, n := d.distinct("industroyer", src, dst, itemOf(det)); fired {
				d.raise("industroyer", fl, src, dst, p, "", fmt.Sprintf("%s sent %d distinct IEC 104 commands to %s within a minute", src, n, dst))
			}
		}
	case dissect.EvFileTransfer:
		if p == "smb" {
			d.smbWrite(fl, src, dst, det)
		}
	case dissect.EvNameError:
		// The server's answer: dst is the host that asked. Distinct names, so that a resolver
		// retrying one missing name is not a generated list of them.
		if fired, n := d.distinct("name_queries", dst, "", itemOf(lower())); fired {
			d.raise("name_queries", fl, dst, src, p, "", fmt.Sprintf("%s asked %s for %d names that do not exist within a minute (%s, …): the lookups of a domain generation algorithm", dst, src, n, det))
		}
	case dissect.EvNameQuery:
		if fam, name, ok := familyDomain(det); ok && fam == "WannaCry" {
			d.raise("wannacry", fl, src, dst, p, name, fmt.Sprintf("%s looked up %s, WannaCry's kill-switch domain: the host runs WannaCry or a variant of it", src, det))
		}
		if s, ok := d.cfg.Indicators.MatchDomain(det); ok {
			d.raise("ioc_domain", fl, src, dst, p, strings.ToLower(det), fmt.Sprintf("%s asked for %s, listed by %s", src, det, s))
		}
	}
	// Policy: programming and configuration writes on edges that never carried them.
	if rule, ok := programRules[ev.Kind]; ok && otProtocols[p] && fl != nil && fl.Orig.IP.IsValid() {
		proto := p
		client, server := d.addrString(fl.Orig), d.addrString(fl.Resp)
		ek := edgeKey(client, server, proto, fl.Resp.Port)
		e := d.base.Edges[ek]
		if e == nil {
			e = &BEdge{Client: client, Server: server, Proto: proto, Port: fl.Resp.Port}
			d.base.Edges[ek] = e
		}
		if !e.hasEvent(ev.Kind) {
			if !d.learning() {
				if al := d.raise(rule, fl, src, dst, p, ev.Kind, fmt.Sprintf("%s: %s %s on %s, never seen from this station during learning (%s)", byID[rule].Title, src, ev.Kind, dst, det)); al != nil {
					c := *e
					c.Commands, c.Events = nil, []string{ev.Kind}
					al.LearnEdge, al.LearnEvent = &c, ev.Kind
				}
			} else {
				e.Events = addSorted(e.Events, ev.Kind)
			}
		}
	}
}

// familyDomains are domains that one malware family looks up and nothing else does: WannaCry's
// kill switches (the first one registered by a researcher on 12 May 2017, stopping that
// wave; the others in the variants that followed). Built in, unlike indicator lists.
var familyDomains = map[string]string{
	"iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com": "WannaCry",
	"ifferfsodp9ifjaposdfjhgosurijfaewrwergwea.com": "WannaCry",
	"ayylmaotjhsstasdfasdfasdfasdfasdfasdfasdf.com": "WannaCry",
}

// familyDomain looks a queried name (or its parent domains) up in familyDomains.
func familyDomain(q string) (family, domain string, ok bool) {
	n := strings.ToLower(strings.TrimSuffix(q, "."))
	for {
		if f, ok := familyDomains[n]; ok {
			return f, n, true
		}
		i := strings.IndexByte(n, '.')
		if i < 0 {
			return "", "", false
		}
		n = n[i+1:]
	}
}

// svcctlChanges are the Service Control Manager operations that create, change, start, stop
// or delete a service (the ones the SMB dissector reports as commands); opening the manager
// and querying it are left alone.
var svcctlChanges = map[string]bool{
	"CreateServiceW": true, "CreateServiceA": true, "CreateServiceWOW64A": true, "CreateServiceWOW64W": true,
	"StartServiceW": true, "StartServiceA": true, "ChangeServiceConfigW": true, "ChangeServiceConfigA": true,
	"DeleteService": true, "ControlService": true,
}

// psexecServices are the base names (lower case, without extension) of the service programs
// that PsExec and its clones copy to the target before starting them.
var psexecServices = []string{"psexesvc", "paexec", "remcomsvc", "csexecsvc"}

// executableExts are file types that run code when opened or started on Windows.
var executableExts = map[string]bool{
	".exe": true, ".dll": true, ".sys": true, ".scr": true, ".com": true, ".cpl": true, ".msi": true,
	".ps1": true, ".bat": true, ".cmd": true, ".vbs": true, ".vbe": true, ".js": true, ".jse": true,
	".wsf": true, ".hta": true,
}

// smbWrite judges a file written over SMB (det is "write NAME"): a PsExec-style service
// program, or any executable or script copied to the server.
func (d *Detector) smbWrite(fl *dissect.FlowInfo, src, dst, det string) {
	name, ok := strings.CutPrefix(det, "write ")
	if !ok {
		return
	}
	base := strings.ToLower(name[strings.LastIndexAny(name, `\/`)+1:])
	ext := ""
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		ext = base[i:]
	}
	if !executableExts[ext] {
		return
	}
	for _, svc := range psexecServices {
		if strings.HasPrefix(base, svc) {
			d.raise("psexec", fl, src, dst, "smb", "", fmt.Sprintf("%s copied %s to %s over SMB: the service program of PsExec or a clone, which runs commands on the target", src, name, dst))
			return
		}
	}
	d.raise("exe_transfer", fl, src, dst, "smb", base, fmt.Sprintf("%s wrote the executable file %s to %s over SMB", src, name, dst))
}

// weirdRules maps anomaly names (exact, then by protocol prefix) to protocol-violation rules.
var weirdRules = map[string]string{
	"smb1_trans2_session_setup":           "doublepulsar",
	"smb1_doublepulsar_reply":             "doublepulsar",
	"dce_rpc_path_canonicalize_traversal": "conficker",
	"http_eicar_test_file":                "eicar",
	"smb_eicar_test_file":                 "eicar",
	"modbus_unknown_function":             "reserved_fc",
	"dnp3_unknown_function_code":          "reserved_fc",
	"modbus_exception_in_request":         "modbus_exc_master",
	"modbus_exception_response":           "modbus_exception",
	"modbus_invalid_length":               "modbus_malformed",
	"modbus_invalid_protocol_id":          "modbus_malformed",
	"modbus_malformed_pdu":                "modbus_malformed",
	"modbus_quantity_out_of_range":        "modbus_malformed",
	"modbus_invalid_coil_value":           "modbus_malformed",
	"modbus_function_mismatch":            "modbus_malformed",
	"dnp3_unknown_object":                 "dnp3_unknown_object",
	"dnp3_unknown_object_group":           "dnp3_unknown_object",
	"iec104_unknown_type_id":              "iec104_asdu_illegal",
	"iec104_unknown_cot":                  "iec104_asdu_illegal",
	"iec104_invalid_common_address":       "iec104_ca",
	"iec104_asdu_length_mismatch":         "iec104_malformed",
	"iec104_asdu_truncated":               "iec104_malformed",
	"iec104_bad_start_byte":               "iec104_malformed",
	"iec104_invalid_length":               "iec104_malformed",
	"iec104_invalid_u_function":           "iec104_malformed",
	"cip_error_status":                    "cip_failed",
	"enip_error_status":                   "enip_failed",
	"opcua_error_message":                 "opcua_failed",
	"pndcp_set_error":                     "pndcp_failed",
	"goose_st_num_regression":             "goose_state",
	"goose_st_num_jump":                   "goose_state",
	"goose_sq_num_reset":                  "goose_state",
	"goose_simulation":                    "goose_state",
	"goose_simulate_bit":                  "goose_state",
	"opcua_security_none":                 "opcua_insecure",
	"snmp_unknown_version":                "protocol_version",
	"profinet_unknown_rpc_version":        "protocol_version",
	"arp_gratuitous_binding_change":       "arp_spoofing",
	"arp_sender_mac_mismatch":             "arp_spoofing",
	"arp_reply_storm":                     "arp_spoofing",
	"arp_ip_conflict":                     "illegal_ip",
	"http_basic_auth_cleartext":           "cleartext_login",
	"opcua_cleartext_password":            "cleartext_login",
	"smb1_plaintext_password":             "cleartext_login",
	"ftp_cleartext_login":                 "cleartext_login",
	"telnet_cleartext_session":            "cleartext_login",
	"mqtt_cleartext_password":             "cleartext_login",
	"snmp_cleartext_community":            "snmp_community",
}

// prefixRules catch the malformed-traffic anomalies of each OT protocol.
var prefixRules = []struct{ prefix, rule string }{
	{"dnp3_", "dnp3_illegal"}, {"bacnet_", "bacnet_illegal"}, {"enip_", "enip_illegal"}, {"cip_", "enip_illegal"},
	{"s7comm_", "s7_illegal"}, {"goose_", "goose_illegal"},
}

// notMalformed are anomalies that describe behaviour, not broken packets.
var notMalformed = map[string]bool{
	"dnp3_unmatched_response": true, "dnp3_unsolicited_without_enable": true, "s7comm_error_response": true,
	"s7comm_unmatched_pdu_ref": true, "s7comm_pending_flood": true, "s7comm_resync": true, "enip_pending_flood": true,
	"enip_io_flood": true, "cip_unmatched_response": true, "bacnet_unsolicited_response": true, "goose_nds_com": true,
	"goose_ttl_zero": true, "goose_stream_table_full": true, "goose_missing_required_field": true, "s7comm_userdata_error": true,
	"enip_unparsed_datagram": true,
}

// Weird maps dissector anomalies to protocol-violation and operational rules.
func (d *Detector) Weird(w *dissect.WeirdEvent) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tick(w.TS)
	fl := w.Flow
	if fl == nil {
		return
	}
	// Who sent it is not known for every anomaly: report the flow's originator → responder.
	src, dst := d.addrString(fl.Orig), d.addrString(fl.Resp)
	if strings.HasPrefix(w.Name, "arp_") {
		// ARP anomalies name the address at stake first: report it as the destination.
		if ip, _, ok := strings.Cut(w.Addl, " "); ok {
			if a, err := netip.ParseAddr(ip); err == nil {
				dst = a.String()
			}
		}
	}
	rule := weirdRules[w.Name]
	if rule == "modbus_exception" || rule == "reserved_fc" && strings.HasPrefix(w.Name, "modbus") {
		if strings.HasSuffix(w.Addl, "-0") {
			rule = "modbus_fc_zero"
		}
	}
	malformed := false
	if rule == "" && !notMalformed[w.Name] {
		for _, p := range prefixRules {
			if strings.HasPrefix(w.Name, p.prefix) {
				rule = p.rule
				malformed = true
				break
			}
		}
	}
	if strings.HasSuffix(w.Name, "_parser_panic") {
		malformed = true
	}
	switch rule {
	case "":
	case "snmp_community":
		if w.Addl == "public" || w.Addl == "private" {
			d.raise(rule, fl, src, dst, w.Proto, w.Addl, fmt.Sprintf("SNMP community %q in clear between %s and %s", w.Addl, src, dst))
		}
	case "doublepulsar":
		what := "sent an SMB1 TRANS2_SESSION_SETUP request (DoublePulsar's ping or payload) to"
		if w.Name == "smb1_doublepulsar_reply" {
			what = "got DoublePulsar's answer (STATUS_NOT_IMPLEMENTED, multiplex id 0x51/0x52: the implant is installed) from"
		}
		d.raise(rule, fl, src, dst, w.Proto, "", fmt.Sprintf("%s %s %s", src, what, dst))
	case "conficker":
		d.raise(rule, fl, src, dst, w.Proto, "", fmt.Sprintf("%s called NetprPathCanonicalize on %s's Server service (srvsvc) with a path climbing out of its root: the MS08-067 exploit used by Conficker", src, dst))
	case "eicar":
		what := ""
		if w.Addl != "" {
			what = " (" + w.Addl + ")"
		}
		d.raise(rule, fl, src, dst, w.Proto, "", fmt.Sprintf("The EICAR anti-virus test file%s went over %s between %s and %s", what, w.Proto, src, dst))
	case "modbus_exception":
		d.raise(rule, fl, dst, src, w.Proto, w.Addl, fmt.Sprintf("%s answered %s with exception %s", dst, src, w.Addl))
		if d.count("exception_pattern", dst, "") {
			d.raise("exception_pattern", fl, dst, src, w.Proto, "", fmt.Sprintf("%s raised %d exceptions within an hour", dst, byID["exception_pattern"].Threshold))
		}
	default:
		d.raise(rule, fl, src, dst, w.Proto, w.Name, fmt.Sprintf("%s between %s and %s: %s %s", byID[rule].Title, src, dst, w.Name, w.Addl))
		if rule == "modbus_malformed" || rule == "reserved_fc" || rule == "iec104_malformed" {
			malformed = true
		}
	}
	if malformed && d.count("malformed_session", fl.UID, "") {
		d.raise("malformed_session", fl, src, dst, w.Proto, "", fmt.Sprintf("Several malformed %s packets in one session between %s and %s", w.Proto, src, dst))
	}
}

// Learn adds an alert's cause to the baseline and marks it Learned.
func (d *Detector) Learn(id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.alerts[id]
	if a == nil {
		return fmt.Errorf("alert %s not found", id)
	}
	switch {
	case a.LearnEdge != nil:
		e := a.LearnEdge
		k := edgeKey(e.Client, e.Server, e.Proto, e.Port)
		cur := d.base.Edges[k]
		if cur == nil {
			cur = &BEdge{Client: e.Client, Server: e.Server, Proto: e.Proto, Port: e.Port}
			d.base.Edges[k] = cur
		}
		for _, c := range e.Commands {
			cur.Commands = addSorted(cur.Commands, c)
		}
		for _, c := range e.Events {
			cur.Events = addSorted(cur.Events, c)
		}
	case a.Rule == "new_asset":
		if dev := d.base.Devices[a.Src]; dev != nil {
			dev.LearnUntil = 0
		} else {
			d.base.Devices[a.Src] = &BDevice{First: a.First}
		}
	case a.Rule == "firmware_changed":
		if dev := d.base.Devices[a.Src]; dev != nil {
			dev.Firmware = a.Detail
		}
	default:
		return fmt.Errorf("alert %s (%s) has nothing to learn: mute it instead", id, a.Title)
	}
	a.Status = StatusLearned
	return nil
}

// SetStatus changes an alert's status and optionally adds a comment.
func (d *Detector) SetStatus(id, status, user, comment string, now int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.alerts[id]
	if a == nil {
		return fmt.Errorf("alert %s not found", id)
	}
	switch status {
	case StatusNew, StatusActive, StatusClosed, StatusMuted:
	case StatusLearned:
		return fmt.Errorf("use learn to mark an alert learned")
	case "":
	default:
		return fmt.Errorf("unknown status %q (New, Active, Closed, Muted)", status)
	}
	if status != "" {
		a.Status = status
	}
	if comment != "" {
		a.Comments = append(a.Comments, Comment{TS: now, User: user, Text: comment})
	}
	return nil
}

// SortAlerts orders alerts by severity then time.
func SortAlerts(as []*Alert) {
	rank := map[Severity]int{Critical: 0, Major: 1, Minor: 2, Warning: 3}
	sort.SliceStable(as, func(i, j int) bool {
		if rank[as[i].Severity] != rank[as[j].Severity] {
			return rank[as[i].Severity] < rank[as[j].Severity]
		}
		return as[i].First < as[j].First
	})
}

func sqrt(x float64) float64 {
	if x <= 0 {
		return 0
	}
	z := x
	for i := 0; i < 40; i++ {
		z = (z + x/z) / 2
	}
	return z
}
