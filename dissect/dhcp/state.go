package dhcp

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"sync"

	"github.com/quietwire/quietwire/dissect"
)

// txn is one DHCP transaction being aggregated across flows by xid (Zeek's DHCP::Info in its
// join_data table). Its buffers are reused from a free list.
type txn struct {
	xid       uint32
	ts, last  int64
	nextCheck int64
	uids      []string
	clientAddr, serverAddr,
	requested, assigned netip.Addr
	mac                          [6]byte
	hasMAC, hasChaddr            bool
	chaddr                       [6]byte
	hostName, clientFQDN, domain []byte
	hasHost, hasFQDN, hasDomain  bool
	clientMsg, serverMsg         []byte
	hasClientMsg, hasServerMsg   bool
	lease                        uint32
	hasLease                     bool
	msgTypes                     []uint8
	lru                          uint64
}

// table is the run's transaction table (Env.Shared): DHCP's broadcasts put one transaction's
// messages on several flows, so the flows' parsers share it. It is bounded (maxTxns, least
// recently used logged first) and expires on packet time as Zeek does; every parser's Close
// expires what is due and the last open parser's Close logs the rest.
type table struct {
	mu      sync.Mutex
	m       map[uint32]*txn
	free    []*txn
	open    int
	tick    uint64
	servers [16]netip.Addr
	nserv   int
	minNext int64
	scratch []byte
	due     []*txn // expire's reused list of transactions to log
}

func newTable() *table { return &table{m: map[uint32]*txn{}} }

// parser is one flow's DHCP state.
type parser struct {
	env    *dissect.Env
	tab    *table
	v6     bool
	msg    message
	m6     v6Message
	facts  [32]uint64
	nfacts int
	buf    []byte
	closed bool
}

func newParser(env *dissect.Env) dissect.Parser {
	return newParserTable(env, env.Shared("dhcp.transactions", func() any { return newTable() }).(*table))
}

func newParserTable(env *dissect.Env, tab *table) *parser {
	f := env.Flow
	p := &parser{env: env, tab: tab, buf: make([]byte, 0, 256)}
	p.v6 = f.Orig.Port == portV6Client || f.Orig.Port == portV6Server || f.Resp.Port == portV6Client || f.Resp.Port == portV6Server
	tab.mu.Lock()
	tab.open++
	tab.mu.Unlock()
	return p
}

// Parse handles one datagram.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	if p.v6 || (len(b) < bootpLen+4 && len(b) >= 4 && b[0] > 2) {
		p.parseV6(dir, b)
		return len(b), nil
	}
	m := &p.msg
	switch parseV4(b, m) {
	case probShort:
		p.env.Weird("dhcp_truncated", "")
		return len(b), nil
	case probCookie:
		p.env.PDU()
		p.env.Weird("dhcp_bad_magic_cookie", "")
		return len(b), nil
	}
	p.env.PDU()
	if m.overrun {
		p.env.Weird("dhcp_option_overrun", "")
	}
	if m.msgType == 0 {
		return len(b), nil // plain BOOTP: not a DHCP transaction
	}
	isClient := p.isClient(dir)
	p.facts4(dir, m, isClient)
	t := p.tab
	t.mu.Lock()
	t.expire(p.env, p.env.TS, false)
	t.aggregate(p.env, dir, m, isClient)
	t.mu.Unlock()
	return len(b), nil
}

// isClient is Zeek's test: a message from the originator that comes from 0.0.0.0 or port 68,
// or goes to port 67.
func (p *parser) isClient(dir dissect.Dir) bool {
	f := p.env.Flow
	return dir == dissect.Orig && (f.Orig.IP == netip.IPv4Unspecified() || f.Orig.Port == portClient || f.Resp.Port == portServer)
}

// Gap is never called for UDP.
func (p *parser) Gap(dir dissect.Dir, lost int) {}

// Close expires the transactions that are due and, when it closes the last open DHCP flow,
// logs all the others (Zeek logs them at zeek_done).
func (p *parser) Close() {
	if p.closed {
		return
	}
	p.closed = true
	t := p.tab
	t.mu.Lock()
	t.open--
	t.expire(p.env, p.env.TS, t.open <= 0)
	t.mu.Unlock()
}

// aggregate merges one message into its transaction (Zeek's DHCP::aggregate_msgs).
func (t *table) aggregate(env *dissect.Env, dir dissect.Dir, m *message, isClient bool) {
	now := env.TS
	x := t.m[m.xid]
	if x == nil {
		x = t.alloc(env, m.xid, now)
	}
	t.tick++
	x.lru = t.tick
	x.last = now
	uid := env.Flow.UID
	seen := false
	for _, u := range x.uids {
		if u == uid {
			seen = true
			break
		}
	}
	if !seen {
		x.uids = append(x.uids, uid)
	}
	x.msgTypes = append(x.msgTypes, m.msgType)
	if m.message != nil {
		if isClient {
			x.clientMsg, x.hasClientMsg = appendMax(x.clientMsg[:0], m.message), true
		} else {
			x.serverMsg, x.hasServerMsg = appendMax(x.serverMsg[:0], m.message), true
		}
	}
	f := env.Flow
	if isClient {
		if f.Orig.IP.IsValid() && f.Orig.IP != netip.IPv4Unspecified() && f.Orig.IP != netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			x.clientAddr = f.Orig.IP
		}
		if m.hostName != nil {
			x.hostName, x.hasHost = appendMax(x.hostName[:0], m.hostName), true
		}
		if m.clientFQDN != nil {
			x.clientFQDN, x.hasFQDN = appendMax(x.clientFQDN[:0], m.clientFQDN), true
		} else if m.clientFQDNWire != nil {
			x.clientFQDN, x.hasFQDN = appendWireName(x.clientFQDN[:0], m.clientFQDNWire), true
		}
		if len(m.clientID) == 7 && m.clientID[0] == 1 {
			copy(x.mac[:], m.clientID[1:])
			x.hasMAC = true
		} else if len(m.chaddr) >= 6 {
			copy(x.chaddr[:], m.chaddr)
			x.hasChaddr = true
		}
		if m.requested.IsValid() {
			x.requested = m.requested
		}
	} else {
		if m.yiaddr != netip.IPv4Unspecified() {
			if dir == dissect.Orig {
				x.serverAddr = f.Orig.IP
			} else {
				x.serverAddr = f.Resp.IP
			}
			x.assigned = m.yiaddr
		}
		if len(m.chaddr) >= 6 && !x.hasMAC {
			copy(x.mac[:], m.chaddr)
			x.hasMAC = true
		}
		if !x.clientAddr.IsValid() && x.assigned.IsValid() {
			x.clientAddr = x.assigned
		}
		if m.domain != nil {
			x.domain, x.hasDomain = appendMax(x.domain[:0], m.domain), true
		}
		if m.hasLease {
			x.lease, x.hasLease = m.lease, true
		}
	}
	if len(x.uids) >= maxUIDs || len(x.msgTypes) >= maxMsgTypes {
		t.write(env, x)
		t.drop(x)
	}
}

func appendMax(dst, v []byte) []byte {
	if len(v) > maxStr {
		v = v[:maxStr]
	}
	return append(dst, v...)
}

func (t *table) alloc(env *dissect.Env, xid uint32, now int64) *txn {
	if len(t.m) >= maxTxns {
		var old *txn
		for _, x := range t.m {
			if old == nil || x.lru < old.lru {
				old = x
			}
		}
		t.write(env, old)
		t.drop(old)
	}
	var x *txn
	if n := len(t.free); n > 0 {
		x = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		x = &txn{}
	}
	*x = txn{xid: xid, ts: now, nextCheck: now + firstCheck, uids: x.uids[:0], hostName: x.hostName[:0],
		clientFQDN: x.clientFQDN[:0], domain: x.domain[:0], clientMsg: x.clientMsg[:0],
		serverMsg: x.serverMsg[:0], msgTypes: x.msgTypes[:0]}
	t.m[xid] = x
	if t.minNext == 0 || x.nextCheck < t.minNext {
		t.minNext = x.nextCheck
	}
	return x
}

func (t *table) drop(x *txn) {
	delete(t.m, x.xid)
	t.free = append(t.free, x)
}

// expire runs the expiry checks Zeek's join_data table would have run up to now: every
// transaction is checked 10 s after it began and then every 5 s, and logged at the first check
// that finds it silent for more than 5 s or older than 30 s. all logs everything.
func (t *table) expire(env *dissect.Env, now int64, all bool) {
	if !all && (t.minNext == 0 || now < t.minNext) {
		return
	}
	t.minNext = 0
	due := t.due[:0]
	for _, x := range t.m {
		done := all
		for !done && x.nextCheck <= now {
			if x.nextCheck-x.last > idleTime || x.nextCheck-x.ts > watchTime {
				done = true
				break
			}
			x.nextCheck += checkPeriod
		}
		if done {
			due = append(due, x)
			continue
		}
		if t.minNext == 0 || x.nextCheck < t.minNext {
			t.minNext = x.nextCheck
		}
	}
	// Logged in the order the transactions began, not map order: the same capture always
	// gives the same dhcp.log.
	slices.SortFunc(due, func(a, b *txn) int {
		if c := cmp.Compare(a.ts, b.ts); c != 0 {
			return c
		}
		return cmp.Compare(a.xid, b.xid)
	})
	for _, x := range due {
		t.write(env, x)
		t.drop(x)
	}
	clear(due)
	t.due = due[:0]
}

// write emits x as one dhcp.log record with Zeek's fields.
func (t *table) write(env *dissect.Env, x *txn) {
	if !x.hasMAC && x.hasChaddr {
		x.mac, x.hasMAC = x.chaddr, true
	}
	ts := env.TS
	env.TS = x.ts
	r := env.LogBare(logDHCP)
	env.TS = ts
	r.Array("uids")
	for _, u := range x.uids {
		r.ElemStr(u)
	}
	r.End()
	if x.clientAddr.IsValid() {
		r.Addr("client_addr", x.clientAddr)
	}
	if x.serverAddr.IsValid() {
		r.Addr("server_addr", x.serverAddr)
	}
	if x.hasMAC {
		r.MAC("mac", x.mac)
	}
	if x.hasHost {
		r.Bytes("host_name", x.hostName)
	}
	if x.hasFQDN {
		r.Bytes("client_fqdn", x.clientFQDN)
	}
	if x.hasDomain {
		r.Bytes("domain", x.domain)
	}
	if x.requested.IsValid() {
		r.Addr("requested_addr", x.requested)
	}
	if x.assigned.IsValid() {
		r.Addr("assigned_addr", x.assigned)
	}
	if x.hasLease {
		r.Float("lease_time", float64(x.lease))
	}
	if x.hasClientMsg {
		r.Bytes("client_message", x.clientMsg)
	}
	if x.hasServerMsg {
		r.Bytes("server_message", x.serverMsg)
	}
	r.Array("msg_types")
	for _, m := range x.msgTypes {
		r.ElemStr(msgTypeName(m))
	}
	r.End()
	r.Float("duration", float64(x.last-x.ts)/1e9)
	r.Done()
}

// facts4 reports what a DHCPv4 message says about its endpoints.
func (p *parser) facts4(dir dissect.Dir, m *message, isClient bool) {
	if isClient {
		if len(m.hostName) > 0 {
			p.fact(dir, dissect.AttrHostname, m.hostName, "dhcp.option.host_name")
		}
		if m.clientFQDN != nil {
			p.fact(dir, dissect.AttrHostname, m.clientFQDN, "dhcp.option.client_fqdn")
		} else if m.clientFQDNWire != nil {
			p.buf = appendWireName(p.buf[:0], m.clientFQDNWire)
			p.fact(dir, dissect.AttrHostname, p.buf, "dhcp.option.client_fqdn")
		}
		if len(m.vendor) > 0 {
			p.buf = append(append(p.buf[:0], "vendor_class:"...), trimNUL(m.vendor)...)
			p.fact(dir, dissect.AttrSoftware, p.buf, "dhcp.option.vendor_class")
		}
		if len(m.paramList) > 0 {
			p.buf = p.buf[:0]
			for i, c := range m.paramList {
				if i > 0 {
					p.buf = append(p.buf, ',')
				}
				p.buf = strconv.AppendUint(p.buf, uint64(c), 10)
			}
			p.fact(dir, "dhcp_fingerprint", p.buf, "dhcp.option.param_list")
		}
		if len(m.chaddr) >= 6 && m.htype == 1 {
			p.buf = dissect.AppendMAC(p.buf[:0], [6]byte(m.chaddr[:6]))
			p.fact(dir, dissect.AttrMAC, p.buf, "dhcp.chaddr")
		}
		return
	}
	if m.op != 2 {
		return
	}
	p.fact(dir, dissect.AttrRole, []byte("dhcp_server"), "dhcp.op")
	srv := m.serverID
	if !srv.IsValid() {
		if dir == dissect.Orig {
			srv = p.env.Flow.Orig.IP
		} else {
			srv = p.env.Flow.Resp.IP
		}
	}
	if (m.msgType == 2 || m.msgType == 5) && srv.IsValid() {
		t := p.tab
		t.mu.Lock()
		known, full := false, t.nserv >= len(t.servers)
		for _, s := range t.servers[:min(t.nserv, len(t.servers))] {
			if s == srv {
				known = true
			}
		}
		if !known && !full {
			t.servers[t.nserv] = srv
			t.nserv++
		}
		first := t.nserv == 1 || known && t.servers[0] == srv
		t.mu.Unlock()
		if !known && !first {
			p.env.Weird("dhcp_multiple_servers", srv.String())
		}
	}
	if m.msgType == 5 && m.yiaddr != netip.IPv4Unspecified() && len(m.chaddr) >= 6 {
		client := dir.Flip()
		p.buf = m.yiaddr.AppendTo(p.buf[:0])
		p.fact(client, dissect.AttrIP, p.buf, "dhcp.yiaddr")
		p.buf = dissect.AppendMAC(p.buf[:0], [6]byte(m.chaddr[:6]))
		p.fact(client, dissect.AttrMAC, p.buf, "dhcp.chaddr")
	}
}

// parseV6 handles a DHCPv6 message: no dhcp.log (Zeek has none), facts only.
func (p *parser) parseV6(dir dissect.Dir, b []byte) {
	m := &p.m6
	if !parseV6(b, m) {
		p.env.Weird("dhcp6_malformed", "")
		return
	}
	p.env.PDU()
	if m.overrun {
		p.env.Weird("dhcp6_option_overrun", "")
	}
	if m.msgType == v6Advertise || m.msgType == v6Reply {
		p.fact(dir, dissect.AttrRole, []byte("dhcp_server"), "dhcpv6.msg_type")
		return
	}
	if len(m.duidMAC) == 6 {
		p.buf = dissect.AppendMAC(p.buf[:0], [6]byte(m.duidMAC))
		p.fact(dir, dissect.AttrMAC, p.buf, "dhcpv6.client_id.duid")
	}
	if len(m.fqdn) > 0 {
		p.buf = appendWireName(p.buf[:0], m.fqdn)
		p.fact(dir, dissect.AttrHostname, p.buf, "dhcpv6.client_fqdn")
	}
	if len(m.vendor) > 0 {
		p.buf = append(append(p.buf[:0], "vendor_class:"...), m.vendor...)
		p.fact(dir, dissect.AttrSoftware, p.buf, "dhcpv6.vendor_class")
	}
	if len(m.oro) >= 2 {
		p.buf = append(p.buf[:0], "v6:"...)
		for i := 0; i+1 < len(m.oro); i += 2 {
			if i > 0 {
				p.buf = append(p.buf, ',')
			}
			p.buf = strconv.AppendUint(p.buf, uint64(m.oro[i])<<8|uint64(m.oro[i+1]), 10)
		}
		p.fact(dir, "dhcp_fingerprint", p.buf, "dhcpv6.oro")
	}
}

// fact reports attr=value about side once per flow.
func (p *parser) fact(side dissect.Dir, attr string, value []byte, field string) {
	if len(value) == 0 {
		return
	}
	h := uint64(14695981039346656037) ^ uint64(side)
	for i := 0; i < len(attr); i++ {
		h = (h ^ uint64(attr[i])) * 1099511628211
	}
	for _, c := range value {
		h = (h ^ uint64(c)) * 1099511628211
	}
	n := min(p.nfacts, len(p.facts))
	for _, x := range p.facts[:n] {
		if x == h {
			return
		}
	}
	p.facts[p.nfacts%len(p.facts)] = h
	p.nfacts++
	p.env.Fact(side, attr, string(value), field)
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
