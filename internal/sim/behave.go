package sim

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// start is a random start offset inside the first seconds of the capture.
func (s *sim) start() int64 { return 200*ms + s.rng.Int64N(15*sec) }

func (s *sim) first(role string) *host {
	if hs := s.byRole[role]; len(hs) > 0 {
		return hs[0]
	}
	return nil
}

func (s *sim) fieldOf(kind string, z *zone) []*host {
	var out []*host
	for _, h := range s.byRole["field"] {
		if h.kind == kind && (z == nil || h.z == z) {
			out = append(out, h)
		}
	}
	return out
}

// behave schedules the normal traffic of every device.
func (s *sim) behave() {
	dc := s.first("dc")
	// Infrastructure: LLDP from switches and the router, SNMP polling from the NMS.
	for _, sw := range s.byRole["switch"] {
		sw := sw
		port := 1
		s.every(s.start(), 30*sec, 0.01, func(t int64) {
			s.l2(t, sw, lldpMAC, 0, etLLDP, lldpFrame(sw.mac, fmt.Sprintf("port %d", port), "uplink", sw.name,
				sw.dev.Vendor+" "+sw.dev.Model+" firmware "+sw.dev.Firmware, sw.ip))
		})
	}
	r := s.router
	s.every(s.start(), 30*sec, 0.01, func(t int64) {
		s.l2(t, r, lldpMAC, 0, etLLDP, lldpFrame(r.mac, "Gi1/1", "trunk to operations", r.name,
			"Cisco IOS Software, IE4010 Software (IE4010-UNIVERSALK9-M), Version "+r.dev.Firmware, r.ip))
	})
	if nms := s.first("nms"); nms != nil {
		targets := append([]*host{r}, s.byRole["switch"]...)
		for _, sw := range targets {
			if sw.dev.Vendor == "Moxa" {
				continue
			}
			sw := sw
			s.every(s.start()+5*sec, 60*sec, 0.02, func(t int64) { s.snmpPoll(t, nms, sw) })
		}
	}
	// Windows hosts: DHCP at boot, DNS, SMB to the file server, NTP.
	for i, ws := range s.byRole["ws"] {
		ws := ws
		t0 := s.start()
		s.dhcp(t0, ws, dc, uint32(0x3d1f0000+i))
		names := []string{"dc01.ops.plant.local", "historian.ops.plant.local", "wpad.ops.plant.local", "time.ops.plant.local"}
		s.every(t0+2*sec, 45*sec, 0.3, func(t int64) { s.dnsLookup(t, ws, dc, names[s.rng.IntN(len(names))]) })
		s.every(t0+5*sec, 120*sec, 0.2, func(t int64) { s.smbSession(t, ws, dc, false) })
	}
	for _, role := range []string{"historian", "ews", "nms", "hmi", "scada", "bms"} {
		for _, h := range s.byRole[role] {
			h := h
			s.every(s.start(), 64*sec, 0.01, func(t int64) { s.ntp(t, h, dc) })
		}
	}
	// Historian polls the OPC UA server.
	if hist, opc := s.first("historian"), s.first("opc"); hist != nil && opc != nil {
		s.at(s.start(), func(t int64) { s.opcuaSession(t, hist, opc) })
		s.every(s.start(), 90*sec, 0.3, func(t int64) { s.dnsLookup(t, hist, dc, "opc01.ops.plant.local") })
	}
	ews := s.first("ews")
	s.every(s.start(), 75*sec, 0.3, func(t int64) { s.dnsLookup(t, ews, dc, "updates.ops.plant.local") })

	// Field devices.
	for _, h := range s.byRole["field"] {
		h := h
		cli := s.fieldClient[h]
		if cli.z == h.z {
			s.every(s.start(), 300*sec, 0.1, func(t int64) { s.arpExchange(t, cli, h) })
		}
		switch h.kind {
		case "s7":
			s.s7fw[h] = parseFW(h.fw)
			s.at(s.start(), func(t int64) { s.s7HMI(t, cli, h) })
			// The engineering workstation checks every Siemens PLC online.
			s.every(s.start()+10*sec, 240*sec, 0.1, func(t int64) { s.s7Identify(t, ews, h, "") })
		case "clx":
			s.at(s.start(), func(t int64) { s.enipHMI(t, cli, h) })
		case "aent":
			scanner := cli
			if clx := s.fieldOf("clx", h.z); len(clx) > 0 {
				scanner = clx[0]
			}
			s.at(s.start(), func(t int64) { s.enipIO(t, scanner, h) })
		case "modbus":
			s.at(s.start(), func(t int64) { s.modbusHMI(t, cli, h) })
		case "pnio":
			ctrl := cli
			if s7 := s.fieldOf("s7", h.z); len(s7) > 0 {
				ctrl = s7[0]
			}
			s.at(s.start(), func(t int64) { s.pnio(t, ctrl, h) })
		case "dnp3":
			s.at(s.start(), func(t int64) { s.dnp3Master(t, cli, h) })
		case "iec104":
			s.at(s.start(), func(t int64) { s.iec104Master(t, cli, h) })
		case "ied":
			s.at(s.start(), func(t int64) { s.mmsClient(t, cli, h) })
			s.goosePublisher(h)
		case "bacnet":
			s.at(s.start(), func(t int64) { s.bacnetIdentify(t, cli, h) })
		}
	}
	// The engineering workstation browses EtherNet/IP devices (RSLinx) every two minutes.
	if enips := append(s.fieldOf("clx", nil), s.fieldOf("aent", nil)...); len(enips) > 0 {
		s.every(s.start()+20*sec, 120*sec, 0.1, func(t int64) {
			for i, d := range enips {
				s.enipListIdentity(t+int64(i)*3*ms, ews, d, "")
			}
		})
	}
	// A zone's first BACnet supervisor broadcasts Who-Is; every controller answers with I-Am.
	// (One per zone: were every supervisor of a large building to ask, the answers would grow
	// with supervisors × controllers, 2 million I-Am a minute for 4,000 controllers.)
	asked := map[*zone]bool{}
	for _, bms := range s.byRole["bms"] {
		bms := bms
		if asked[bms.z] {
			continue
		}
		asked[bms.z] = true
		ctls := s.fieldOf("bacnet", bms.z)
		s.every(s.start(), 60*sec, 0.02, func(t int64) {
			s.udpBcast(t, bms, bcastOf(bms.z), 47808, 47808, bacWhoIs())
			for _, c := range ctls {
				s.udpBcast(t+s.think()+s.rng.Int64N(20*ms), c, bcastOf(c.z), 47808, 47808, bacIAm(c.bacInst(), c.bacVendor()))
			}
		})
	}
}

func bcastOf(z *zone) netip.Addr {
	a := z.prefix.Addr().As4()
	a[2], a[3] = 255, 255
	return netip.AddrFrom4(a)
}

func parseFW(v string) [3]byte {
	var out [3]byte
	for i, f := range strings.Split(strings.TrimPrefix(v, "V"), ".") {
		if i < 3 {
			n, _ := strconv.Atoi(f)
			out[i] = byte(n)
		}
	}
	return out
}

func (s *sim) wave(t int64, period float64, base, amp float64) float64 {
	return base + amp*math.Sin(2*math.Pi*float64(t)/1e9/period) + (s.rng.Float64()-0.5)*amp/10
}

// --- Level 3 services -------------------------------------------------------------------

func (s *sim) dhcp(t int64, c, srv *host, xid uint32) {
	s.edge(c.ip, srv.ip, "dhcp", "udp", 67, "")
	zero := netip.IPv4Unspecified()
	bc := netip.MustParseAddr("255.255.255.255")
	cid := cat([]byte{1}, c.mac[:])
	mask := netip.MustParseAddr("255.255.0.0").As4()
	gw := s.router.ip.As4()
	dns := srv.ip.As4()
	hostname := c.dev.Hostname
	common := func(kind byte) []byte {
		return cat(dhcpOpt(53, []byte{kind}), dhcpOpt(61, cid), dhcpOpt(12, []byte(hostname)), dhcpOpt(60, []byte("MSFT 5.0")),
			dhcpOpt(55, []byte{1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252}))
	}
	srvOpts := func(kind byte) []byte {
		sid := srv.ip.As4()
		return cat(dhcpOpt(53, []byte{kind}), dhcpOpt(54, sid[:]), dhcpOpt(51, u32(86400)), dhcpOpt(1, mask[:]),
			dhcpOpt(3, gw[:]), dhcpOpt(6, dns[:]), dhcpOpt(15, []byte("ops.plant.local")))
	}
	send := func(t int64, from *host, src, dst netip.Addr, sp, dp uint16, dstMAC MAC, payload []byte) {
		from.ipid++
		from.used = true
		s.emit(t, ether(dstMAC, from.mac, from.z.vlan, 0, etIPv4, ipv4(src, dst, 17, from.ipid, from.ttl, udpDgram(sp, dp, payload))))
	}
	send(t, c, zero, bc, 68, 67, bcastMAC, dhcpMsg(1, xid, zero, zero, zero, c.mac, common(1)))
	t += 2*ms + s.rng.Int64N(10*ms)
	send(t, srv, srv.ip, c.ip, 67, 68, c.mac, dhcpMsg(2, xid, zero, c.ip, srv.ip, c.mac, srvOpts(2)))
	t += 5 * ms
	ip, sid := c.ip.As4(), srv.ip.As4()
	send(t, c, zero, bc, 68, 67, bcastMAC, dhcpMsg(1, xid, zero, zero, zero, c.mac, cat(common(3), dhcpOpt(50, ip[:]), dhcpOpt(54, sid[:]))))
	t += 2 * ms
	send(t, srv, srv.ip, c.ip, 67, 68, c.mac, dhcpMsg(2, xid, zero, c.ip, srv.ip, c.mac, srvOpts(5)))
}

func (s *sim) dnsLookup(t int64, c, srv *host, name string) {
	s.edge(c.ip, srv.ip, "dns", "udp", 53, "")
	s.dnsID += 0x1f3
	sp := c.nextPort()
	s.udp(t, c, srv, sp, 53, dnsQuery(s.dnsID, name, 1))
	var a netip.Addr
	for _, h := range s.hosts {
		if strings.HasPrefix(name, h.name+".") {
			a = h.ip
		}
	}
	if strings.HasPrefix(name, "time.") || strings.HasPrefix(name, "updates.") {
		a = srv.ip
	}
	if !a.IsValid() {
		s.udp(t+s.think(), srv, c, 53, sp, dnsAnswer(s.dnsID, name, a, 3))
		return
	}
	s.udp(t+s.think(), srv, c, 53, sp, dnsAnswer(s.dnsID, name, a, 0))
}

func (s *sim) ntp(t int64, c, srv *host) {
	s.edge(c.ip, srv.ip, "ntp", "udp", 123, "")
	s.udp(t, c, srv, 123, 123, ntpPkt(3, 0, int64(s.cfg.Start.UnixNano())+t, netip.Addr{}))
	t2 := t + s.rtt()
	s.udp(t2, srv, c, 123, 123, ntpPkt(4, 3, int64(s.cfg.Start.UnixNano())+t2, s.router.ip))
}

func (s *sim) snmpPoll(t int64, nms, dev *host) {
	s.edge(nms.ip, dev.ip, "snmp", "udp", 161, "")
	id := uint32(s.rng.IntN(1 << 30))
	sp := nms.nextPort()
	oids := [][]uint32{oidSysDescr, oidSysObjectID, oidSysUpTime, oidSysName}
	var req, resp [][]byte
	ent := map[string]uint32{"Cisco": 9, "Hirschmann": 248, "Siemens": 4329}[dev.dev.Vendor]
	for _, o := range oids {
		req = append(req, snmpBind(o, nil))
	}
	resp = [][]byte{
		snmpBind(oidSysDescr, berStr(0x04, dev.dev.Vendor+" "+dev.dev.Model+" "+dev.dev.Firmware)),
		snmpBind(oidSysObjectID, berOID([]uint32{1, 3, 6, 1, 4, 1, ent, 1, 1})),
		snmpBind(oidSysUpTime, berUint(0x43, uint32(t/1e7)+123456)),
		snmpBind(oidSysName, berStr(0x04, dev.name)),
	}
	s.udp(t, nms, dev, sp, 161, snmpMsg("ops-monitor", 0xa0, id, req))
	s.udp(t+s.think(), dev, nms, 161, sp, snmpMsg("ops-monitor", 0xa2, id, resp))
}

func (s *sim) smbSession(t int64, c, srv *host, oneWay bool) {
	s.oneWay = oneWay
	k, _, t := s.smbLogin(t, c, srv, "")
	k.close(t + 200*ms + s.rng.Int64N(2*sec))
}

// smbLogin opens an SMB 2 connection from c to srv and logs on with NTLM: the connection, the
// session id and the time of the last answer.
func (s *sim) smbLogin(t int64, c, srv *host, scenario string) (*conn, uint64, int64) {
	k, t := s.dial(t, c, srv, 445, "smb", scenario)
	guid := make([]byte, 16)
	for i := range guid {
		guid[i] = byte(s.rng.IntN(256))
	}
	wall := int64(s.cfg.Start.UnixNano()) + t
	t = k.xchg(t+ms, smb2NegReq(guid), smb2NegResp(guid, wall))
	sess := uint64(0x0000100000000000) | uint64(s.rng.Uint32())
	chal := make([]byte, 8)
	for i := range chal {
		chal[i] = byte(s.rng.IntN(256))
	}
	info := ntlmTargetInfo("OPS", strings.ToUpper(srv.name), "ops.plant.local", wall)
	t = k.xchg(t+ms, smb2SessReq(1, 0, ntlmNegotiate()),
		smb2SessResp(1, sess, 0xc0000016, ntlmChallenge("OPS", strings.ToUpper(srv.name), "ops.plant.local", wall, chal)))
	rnd := make([]byte, 24)
	for i := range rnd {
		rnd[i] = byte(s.rng.IntN(256))
	}
	t = k.xchg(t+ms, smb2SessReq(2, sess, ntlmAuthenticate("OPS", "operator", c.dev.Hostname, info, wall, rnd)),
		smb2SessResp(2, sess, 0, nil))
	return k, sess, t
}

func (s *sim) opcuaSession(t int64, c, srv *host) {
	k, t := s.dial(t, c, srv, 4840, "opcua", "")
	url := "opc.tcp://" + srv.name + ":4840"
	wall := func(t int64) int64 { return int64(s.cfg.Start.UnixNano()) + t }
	t = k.xchg(t+ms, uaHello(url), uaAck())
	chanID := 1 + uint32(s.rng.IntN(1000))
	t = k.xchg(t+ms, uaOpen(0, 1, 1, uaOpenReq(wall(t))), uaOpen(chanID, 1, 1, uaOpenResp(wall(t), chanID)))
	seq := uint32(2)
	req := uint32(2)
	sess, token := uint32(s.rng.IntN(1<<20)), uint32(s.rng.IntN(1<<20))
	msg := func(t int64, body, resp []byte) int64 {
		t = k.xchg(t, uaMsgChunk(chanID, 1, seq, req, body), uaMsgChunk(chanID, 1, seq, req, resp))
		seq++
		req++
		return t
	}
	t = msg(t+ms, uaCreateSessionReq(wall(t), url, "urn:historian:PI"),
		uaCreateSessionResp(wall(t), sess, token, url, "urn:"+srv.name+":Kepware.KEPServerEX.V6", "urn:kepware.com:KEPServerEX", srv.dev.Model))
	secret := make([]byte, 256)
	for i := range secret {
		secret[i] = byte(s.rng.IntN(256))
	}
	t = msg(t+ms, uaActivateReq(wall(t), token, secret), uaActivateResp(wall(t)))
	nodes := []uint32{1001, 1002, 1003, 1004, 1005}
	handle := uint32(10)
	s.every(t+sec, sec, 0.02, func(t int64) {
		vals := make([]float64, len(nodes))
		for i := range vals {
			vals[i] = s.wave(t, 300+float64(i)*40, 50, 10)
		}
		handle++
		msg(t, uaReadReq(wall(t), token, handle, nodes), uaReadResp(wall(t), handle, vals))
	})
}
