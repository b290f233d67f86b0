package sim

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// scenario is an injected event. run schedules its traffic from t and returns false when
// the network has no device it needs.
type scenario struct {
	name string
	need func(s *sim) bool
	run  func(s *sim, t int64, sc string)
}

// Alert expectations follow three rules, applied the same way in every scenario:
//   - a host never seen during learning raises new_asset (one per host);
//   - a client/server pair talking a protocol it did not use during learning raises
//     new_connection, except where a new host is involved: a device found after learning
//     learns its own connections for a window (issue #7), so those are may_also; for scans the
//     probes are may_also too, because a detector may fold unanswered probes into the scan;
//   - new_port is for a server answering on a port it never served during learning.
var scenarioList = []*scenario{
	{"recon_port_scan", needField("s7", "modbus", "clx", "dnp3", "iec104", "ied", "bacnet"), scPortScan},
	{"recon_address_scan", always, scAddressScan},
	{"arp_scan", always, scARPScan},
	{"modbus_unit_scan", needField("modbus"), scModbusUnitScan},
	{"plc_scan", needField("s7", "clx"), scPLCScan},
	{"unauthorized_programming", needField("s7"), scProgramming},
	{"plc_stop", needField("s7"), scPLCStop},
	{"modbus_write_storm", needField("modbus"), scWriteStorm},
	{"dnp3_cold_restart", needField("dnp3"), scColdRestart},
	{"iec104_new_master", needField("iec104"), scIEC104Master},
	{"arp_spoofing", needField("s7", "modbus", "clx", "dnp3", "iec104", "ied", "bacnet"), scARPSpoof},
	{"rdp_into_ot", always, scRDP},
	{"new_device", always, scNewDevice},
	{"firmware_change", needField("s7"), scFirmware},
	{"dns_ioc", always, scDNSIOC},
	{"smb_lateral_movement", always, scLateralMovement},
	{"eicar_test_file", always, scEICAR},
	{"doublepulsar", always, scDoublePulsar},
	{"conficker", always, scConficker},
	{"one_way_span", always, scOneWay},
}

func always(*sim) bool { return true }

func needField(kinds ...string) func(*sim) bool {
	return func(s *sim) bool { return s.victim(kinds...) != nil }
}

// victim is the first field device of the first listed kind present.
func (s *sim) victim(kinds ...string) *host {
	for _, k := range kinds {
		if hs := s.fieldOf(k, nil); len(hs) > 0 {
			return hs[0]
		}
	}
	return nil
}

func scenarioByName(n string) *scenario {
	for _, sc := range scenarioList {
		if sc.name == n {
			return sc
		}
	}
	return nil
}

// ScenarioNames lists the scenarios in their injection order.
func ScenarioNames() []string {
	out := make([]string, len(scenarioList))
	for i, sc := range scenarioList {
		out[i] = sc.name
	}
	return out
}

// scenarios schedules the requested scenarios in the catalogue's order, spread evenly over
// the time after the learning window.
func (s *sim) scenarios() {
	want := map[string]bool{}
	for _, n := range s.cfg.Scenarios {
		want[n] = true
	}
	var run []*scenario
	for _, sc := range scenarioList {
		if !want[sc.name] {
			continue
		}
		if !sc.need(s) {
			s.truth.Skipped = append(s.truth.Skipped, sc.name)
			continue
		}
		run = append(run, sc)
	}
	if len(run) == 0 {
		return
	}
	from := s.learn + 10*sec
	span := s.end - 45*sec - from
	if span < 0 {
		span = 0
	}
	for i, sc := range run {
		sc := sc
		t := from + span*int64(i)/int64(len(run))
		t = t / sec * sec
		s.at(t, func(now int64) {
			s.lastScenario = sc.name
			sc.run(s, now, sc.name)
		})
	}
}

func (s *sim) event(sc string, t0, t1 int64, src, dst netip.Addr, desc string, alerts []string, may ...string) *Event {
	e := Event{Scenario: sc, Description: desc, Start: s.cfg.Start.Add(time.Duration(t0)), End: s.cfg.Start.Add(time.Duration(t1)),
		Alerts: alerts, MayAlso: may}
	if src.IsValid() {
		e.Src = src.String()
	}
	if dst.IsValid() {
		e.Dst = dst.String()
	}
	if e.Alerts == nil {
		e.Alerts = []string{}
	}
	s.truth.Events = append(s.truth.Events, e)
	return &s.truth.Events[len(s.truth.Events)-1]
}

// intruder adds a host that only a scenario brings in.
func (s *sim) intruder(z *zone, name string, m model, sc string) *host {
	h := s.addHost(z, name, m, "intruder")
	h.dev.Scenario = sc
	return h
}

var mLaptop = model{kind: "pc", vendor: "Intel", model: "laptop", typ: "Windows host", purdue: 2, oui: ouiIntel, ttl: 128}

func (s *sim) fieldZone() *zone {
	for _, z := range s.vlans {
		if z.vlan != 100 {
			return z
		}
	}
	return s.vlans[0]
}

// --- scenarios ----------------------------------------------------------------------------------

func scPortScan(s *sim, t int64, sc string) {
	v := s.victim("s7", "modbus", "clx", "dnp3", "iec104", "ied", "bacnet")
	a := s.intruder(v.z, "scanner-laptop", mLaptop, sc)
	t0 := t
	s.arpExchange(t, a, v)
	open := map[uint16]bool{102: v.kind == "s7" || v.kind == "ied", 502: v.kind == "modbus", 44818: v.kind == "clx",
		20000: v.kind == "dnp3", 2404: v.kind == "iec104", 80: true, 443: true}
	ports := []uint16{21, 22, 23, 25, 53, 80, 102, 110, 135, 139, 143, 161, 443, 445, 502, 1433, 1911, 2222, 2404, 3389,
		4840, 5900, 8080, 20000, 44818, 47808, 1962, 9600, 18245, 5007, 5006, 789, 2455, 4000, 34964}
	src := a.nextPort()
	for i, p := range ports {
		tt := t + int64(i)*300*ms
		seq := s.rng.Uint32()
		s.ip(tt, a, v, 6, tcpSeg(src, p, seq, 0, fSYN, 1024, nil))
		tt += s.rtt()
		if open[p] {
			iss := s.rng.Uint32()
			s.ip(tt, v, a, 6, tcpSeg(p, src, iss, seq+1, fSYN|fACK, 8192, nil))
			s.ip(tt+50*us, a, v, 6, tcpSeg(src, p, seq+1, 0, fRST, 0, nil))
		} else {
			s.ip(tt, v, a, 6, tcpSeg(p, src, 0, seq+1, fRST|fACK, 0, nil))
		}
	}
	s.event(sc, t0, t+int64(len(ports))*300*ms, a.ip, v.ip,
		fmt.Sprintf("SYN scan of %d TCP ports of %s from a laptop plugged into the %s switch", len(ports), v.name, v.z.name),
		[]string{"port_scan", "new_asset"}, "new_connection", "new_port")
}

func scAddressScan(s *sim, t int64, sc string) {
	z := s.fieldZone()
	a := s.intruder(s.vlans[0], "contractor-laptop", mLaptop, sc)
	a.here = true
	a.dev.Purdue = 3
	src := a.nextPort()
	n := 64
	for i := 0; i < n; i++ {
		dst := &host{ip: z.addr(i), z: z, routed: true, state: map[string]int{}}
		for _, h := range s.hosts {
			if h.ip == dst.ip && h.z == z {
				dst = h
			}
		}
		tt := t + int64(i)*500*ms
		seq := s.rng.Uint32()
		s.ip(tt, a, dst, 6, tcpSeg(src, 502, seq, 0, fSYN, 1024, nil))
		if dst.dev != nil && dst.kind == "modbus" {
			iss := s.rng.Uint32()
			s.ip(tt+s.rtt(), dst, a, 6, tcpSeg(502, src, iss, seq+1, fSYN|fACK, 8192, nil))
			s.ip(tt+s.rtt()+400*us, a, dst, 6, tcpSeg(src, 502, seq+1, 0, fRST, 0, nil))
		} else if dst.dev != nil {
			s.ip(tt+s.rtt(), dst, a, 6, tcpSeg(502, src, 0, seq+1, fRST|fACK, 0, nil))
		}
	}
	s.event(sc, t, t+int64(n)*500*ms, a.ip, netip.Addr{},
		fmt.Sprintf("TCP 502 sweep of %d addresses of the %s subnet from a contractor laptop on the operations network", n, z.name),
		[]string{"address_scan", "new_asset"}, "new_connection", "port_scan")
}

func scARPScan(s *sim, t int64, sc string) {
	z := s.fieldZone()
	a := s.intruder(z, "rogue-pi", model{kind: "pc", vendor: "Raspberry Pi", model: "Raspberry Pi 4", typ: "Linux host", purdue: 2, oui: [3]byte{0xdc, 0xa6, 0x32}, ttl: 64}, sc)
	n := 60
	for i := 0; i < n; i++ {
		ip := z.addr(i)
		tt := t + int64(i)*250*ms
		s.l2(tt, a, bcastMAC, 0, etARP, arpPkt(1, a.mac, a.ip, MAC{}, ip))
		for _, h := range s.hosts {
			if h.ip == ip && h.z == z && h != a {
				s.emit(tt+s.rtt(), ether(a.mac, h.mac, z.vlan, 0, etARP, arpPkt(2, h.mac, h.ip, a.mac, a.ip)))
			}
		}
	}
	s.event(sc, t, t+int64(n)*250*ms, a.ip, netip.Addr{}, fmt.Sprintf("ARP sweep of %d addresses by a new host", n),
		[]string{"arp_scan", "new_asset"})
}

func scModbusUnitScan(s *sim, t int64, sc string) {
	v := s.victim("modbus")
	a := s.intruder(v.z, "modscan-laptop", mLaptop, sc)
	s.arpExchange(t, a, v)
	k, tt := s.dial(t+ms, a, v, 502, "modbus", sc)
	m := &mbSession{k: k}
	for unit := 1; unit <= 32; unit++ {
		m.unit = byte(unit)
		if unit == 1 || (v.dev.Model == "PM5560" && unit == 255) {
			tt = m.xchg(tt+100*ms, mbReadReq(3, 0, 1), mbReadResp(3, []uint16{42}))
			continue
		}
		tt = m.xchg(tt+100*ms, mbReadReq(3, 0, 1), []byte{0x83, 0x0b})
	}
	k.close(tt + 100*ms)
	s.event(sc, t, tt, a.ip, v.ip, "FC 3 reads to unit ids 1–32 of "+v.name+" from a new host (gateway target exceptions for absent units)",
		[]string{"modbus_unit_scan", "new_asset"}, "new_connection", "modbus_exception", "exception_pattern", "modbus_fc").
		Weirds = []string{"modbus_exception_response"}
}

func scPLCScan(s *sim, t int64, sc string) {
	a := s.intruder(s.vlans[0], "asset-scanner", pc("Dell", "Latitude 5540", "Windows host", 3, ouiDell), sc)
	a.here = true
	t0 := t
	var targets []*host
	targets = append(targets, s.fieldOf("clx", nil)...)
	targets = append(targets, s.fieldOf("aent", nil)...)
	targets = append(targets, s.fieldOf("s7", nil)...)
	for i, d := range targets {
		tt := t + int64(i)*2*sec
		if d.kind == "s7" {
			s.at(tt, func(now int64) { s.s7Identify(now, a, d, sc) })
		} else {
			s.enipListIdentity(tt, a, d, sc)
		}
	}
	// Also probe empty addresses of the field subnets (no answer), as a scanner does.
	z := s.fieldZone()
	n := len(targets)
	for i := 0; n < 12; i++ {
		ip := z.addr(z.next + 1000 + i) // beyond every host of the zone
		ghost := &host{ip: ip, z: z, routed: true, state: map[string]int{}}
		tt := t + int64(n)*2*sec
		s.ip(tt, a, ghost, 17, udpDgram(a.nextPort(), 44818, enipHdr(0x63, 0, s.rng.Uint64(), nil)))
		n++
	}
	s.event(sc, t0, t+int64(n)*2*sec+sec, a.ip, netip.Addr{},
		fmt.Sprintf("identity sweep (CIP ListIdentity, S7 SZL 0x0011/0x001C) of %d addresses from a new host", n),
		[]string{"plc_scan", "new_asset"}, "new_connection", "s7_function", "cip_service")
}

func (s *sim) s7Victim() *host { return s.victim("s7") }

func scProgramming(s *sim, t int64, sc string) {
	plc := s.s7Victim()
	ews := s.first("ews")
	x, tt := s.s7Open(t, ews, plc, sc)
	tt = s.s7SZL(tt+ms, x, plc)
	k := x.k
	block := "_0800001P" // OB 1, passive file system
	// Request download (PG → PLC), then the PLC pulls the block and ends the download.
	r := x.nextRef()
	tt = k.xchg(tt+5*ms, s7Job(r, cat([]byte{0x1a, 0x00, 0x01, 0x00, 0, 0, 0, 0, byte(len(block))}, []byte(block),
		[]byte{0x0d, '1', '0', '0', '0', '2', '5', '6', '0', '0', '0', '1', '2', '8'}), nil), s7AckData(r, []byte{0x1a}, nil))
	code := make([]byte, 200)
	for i := range code {
		code[i] = byte(s.rng.IntN(256))
	}
	pr := uint16(0x0700 + s.rng.IntN(0xff))
	tt = k.send(tt+5*ms, false, s7Job(pr, cat([]byte{0x1b, 0x00, 0x01, 0x00, 0, 0, 0, 0, byte(len(block))}, []byte(block)), nil))
	tt = k.send(tt+3*ms, true, s7AckData(pr, []byte{0x1b, 0x00}, cat(u16(uint16(len(code))), u16(0x00fb), code)))
	pr++
	tt = k.send(tt+5*ms, false, s7Job(pr, cat([]byte{0x1c, 0x00, 0x01, 0x00, 0, 0, 0, 0, byte(len(block))}, []byte(block)), nil))
	tt = k.send(tt+3*ms, true, s7AckData(pr, []byte{0x1c}, nil))
	// Insert the block into the active program (PI service _INSE).
	r = x.nextRef()
	pi := cat([]byte{0x28, 0, 0, 0, 0, 0, 0, 0xfd, 0x00, 0x0a, 0x01, 0x00}, []byte("0800001P"), []byte{0x05}, []byte("_INSE"))
	tt = k.xchg(tt+5*ms, s7Job(r, pi, nil), s7AckData(r, []byte{0x28, 0x00}, nil))
	k.close(tt + 500*ms)
	s.event(sc, t, tt, ews.ip, plc.ip, "engineering workstation downloads OB 1 to "+plc.name+" (request download, download block, download ended, _INSE)",
		[]string{"plc_programming"}, "s7_function")
}

func scPLCStop(s *sim, t int64, sc string) {
	plc := s.s7Victim()
	if v := s.fieldOf("s7", nil); len(v) > 1 {
		plc = v[1]
	}
	ews := s.first("ews")
	x, tt := s.s7Open(t, ews, plc, sc)
	r := x.nextRef()
	stop := cat([]byte{0x29, 0, 0, 0, 0, 0, 0x09}, []byte("P_PROGRAM"))
	tt = x.k.xchg(tt+5*ms, s7Job(r, stop, nil), s7AckData(r, []byte{0x29}, nil))
	plc.state["stopped"] = 1
	x.k.close(tt + 300*ms)
	// Thirty seconds later the operator restarts it (PI service P_PROGRAM, warm restart).
	s.at(tt+30*sec, func(now int64) {
		x, t2 := s.s7Open(now, ews, plc, sc)
		r := x.nextRef()
		pi := cat([]byte{0x28, 0, 0, 0, 0, 0, 0, 0xfd, 0x00, 0x00, 0x09}, []byte("P_PROGRAM"))
		t2 = x.k.xchg(t2+5*ms, s7Job(r, pi, nil), s7AckData(r, []byte{0x28, 0x00}, nil))
		plc.state["stopped"] = 0
		x.k.close(t2 + 300*ms)
	})
	s.event(sc, t, tt+31*sec, ews.ip, plc.ip, "S7 PLC Stop sent to "+plc.name+", restarted (P_PROGRAM) 30 s later",
		[]string{"s7_stop"}, "controller_stop", "controller_start", "mode_changed", "s7_function")
}

func scWriteStorm(s *sim, t int64, sc string) {
	v := s.victim("modbus")
	m := s.mb[v]
	if m == nil {
		return
	}
	cli := s.fieldClient[v]
	n := 300
	step := 60 * sec / int64(n)
	for i := 0; i < n; i++ {
		tt := t + int64(i)*step
		addr := uint16(400 + i%20)
		val := uint16(s.rng.IntN(65536))
		s.at(tt, func(now int64) {
			if i%3 == 0 {
				m.xchg(now, cat([]byte{0x10}, u16(addr), u16(2), []byte{4}, u16(val), u16(val^0xffff)), cat([]byte{0x10}, u16(addr), u16(2)))
				return
			}
			m.xchg(now, cat([]byte{0x06}, u16(addr), u16(val)), cat([]byte{0x06}, u16(addr), u16(val)))
		})
	}
	s.event(sc, t, t+60*sec, cli.ip, v.ip, fmt.Sprintf("%d FC 6/16 writes in one minute from %s, which only read before", n, cli.name),
		[]string{"modbus_fc", "write_storm"})
}

func scColdRestart(s *sim, t int64, sc string) {
	v := s.victim("dnp3")
	d := s.dnp[v]
	if d == nil {
		return
	}
	tt := d.req(t, dnpColdRestart, func(seq byte) []byte {
		return dnpResp(seq, 0, 0, []byte{0x34, 0x02, 0x07, 0x01, 0x88, 0x13})
	})
	d.restarted = true
	s.at(tt+20*sec, func(int64) { d.restarted = false })
	s.event(sc, t, tt+20*sec, s.fieldClient[v].ip, v.ip, "DNP3 cold restart (FC 13) to "+v.name+"; IIN device-restart set afterwards",
		[]string{"outstation_cold"}, "dnp3_fc")
}

func scIEC104Master(s *sim, t int64, sc string) {
	v := s.victim("iec104")
	a := s.intruder(v.z, "rogue-master", mLaptop, sc)
	s.arpExchange(t, a, v)
	k, tt := s.dial(t+ms, a, v, 2404, "iec104", sc)
	x := &i104Session{k: k, ca: uint16(v.state["ca"])}
	tt = k.xchg(tt+ms, i104U(startdtAct), i104U(startdtCon))
	for i := 0; i < 3; i++ {
		cmd := ioa(uint32(3001+i), 0x81) // select, ON
		tt = x.fromMaster(tt+200*ms, asdu(45, 6, x.ca, cmd))
		tt = x.fromRTU(tt+s.think(), asdu(45, 7, x.ca, cmd))
		cmd = ioa(uint32(3001+i), 0x01) // execute, ON
		tt = x.fromMaster(tt+100*ms, asdu(45, 6, x.ca, cmd))
		tt = x.fromRTU(tt+s.think(), asdu(45, 7, x.ca, cmd))
		tt = x.fromRTU(tt+s.think(), asdu(45, 10, x.ca, cmd))
	}
	sp := ioa(4001, cat(lef32(52.5), []byte{0x00})...)
	tt = x.fromMaster(tt+200*ms, asdu(50, 6, x.ca, sp))
	tt = x.fromRTU(tt+s.think(), asdu(50, 7, x.ca, sp))
	tt = k.send(tt+5*ms, true, i104S(x.nr))
	k.close(tt + sec)
	s.event(sc, t, tt+sec, a.ip, v.ip, "a new IEC 104 master sends C_SC_NA_1 select/execute and a C_SE_NC_1 set-point to "+v.name,
		[]string{"new_asset", "iec104_asdu"}, "new_connection")
}

func scARPSpoof(s *sim, t int64, sc string) {
	v := s.victim("s7", "modbus", "clx", "dnp3", "iec104", "ied", "bacnet")
	a := s.intruder(v.z, "mitm-laptop", mLaptop, sc)
	a.dev.IPs = []string{}
	cli := s.fieldClient[v]
	n := 15
	for i := 0; i < n; i++ {
		tt := t + int64(i)*2*sec
		s.l2(tt, a, bcastMAC, 0, etARP, arpPkt(2, a.mac, v.ip, bcastMAC, v.ip))
		if cli != nil && cli.z == v.z {
			s.l2(tt+ms, a, cli.mac, 0, etARP, arpPkt(2, a.mac, v.ip, cli.mac, cli.ip))
		}
	}
	s.event(sc, t, t+int64(n)*2*sec, netip.Addr{}, v.ip, fmt.Sprintf("gratuitous ARP replies claim %s (%s) with MAC %s", v.ip, v.name, a.mac),
		[]string{"arp_spoofing", "new_asset"}, "illegal_ip", "unresponsive")
	ev := &s.truth.Events[len(s.truth.Events)-1]
	ev.Src = a.mac.String()
	ev.Weirds = []string{"arp_ip_conflict", "arp_gratuitous_binding_change"}
}

func scRDP(s *sim, t int64, sc string) {
	var v *host
	for _, role := range []string{"hmi", "scada", "bms"} {
		if v = s.first(role); v != nil {
			break
		}
	}
	a := &host{name: "corp-laptop", z: s.itZone, ip: netip.MustParseAddr("172.16.12.45"), routed: true, ttl: 128, state: map[string]int{}}
	a.dev = &Device{Name: a.name, Type: "Windows host", Purdue: 4, IPs: []string{a.ip.String()}, Routed: true, Scenario: sc}
	s.hosts = append(s.hosts, a)
	s.edge(a.ip, v.ip, "rdp", "tcp", 3389, sc)
	k, tt := s.dial(t, a, v, 3389, "", sc)
	tt = k.xchg(tt+ms, rdpConnReq("jsmith"), rdpConnConfirm())
	// Encrypted session: opaque application data for a minute.
	for i := 0; i < 30; i++ {
		b := make([]byte, 40+s.rng.IntN(400))
		for j := range b {
			b[j] = byte(s.rng.IntN(256))
		}
		rec := cat([]byte{0x17, 0x03, 0x03}, u16(uint16(len(b))), b)
		tt = k.send(tt+2*sec, i%2 == 0, rec)
	}
	k.close(tt + sec)
	s.event(sc, t, tt+sec, a.ip, v.ip, "RDP from the enterprise network ("+a.ip.String()+") to "+v.name,
		[]string{"rdp", "new_asset"}, "new_connection", "new_port")
}

func scNewDevice(s *sim, t int64, sc string) {
	z := s.fieldZone()
	var m model
	switch z.name {
	case "plant":
		m = mS71200
	case "substation":
		m = mREF615
	default:
		m = mNAE
	}
	d := s.intruder(z, "new-"+m.kind+"-device", m, sc)
	d.dev.Serial = "S C-NEW" + s.serial("", 9)
	s.l2(t, d, bcastMAC, 0, etARP, arpPkt(1, d.mac, d.ip, MAC{}, d.ip))
	ews := s.first("ews")
	switch m.kind {
	case "s7":
		s.s7fw[d] = parseFW(d.fw)
		s.at(t+5*sec, func(now int64) { s.s7Identify(now, ews, d, sc) })
	case "ied":
		s.at(t+5*sec, func(now int64) { s.mmsClient(now, s.first("scada"), d) })
	default:
		s.at(t+5*sec, func(now int64) { s.bacnetIdentify(now, s.first("bms"), d) })
	}
	s.event(sc, t, t+10*sec, d.ip, netip.Addr{}, "a "+m.vendor+" "+m.model+" joins the "+z.name+" network and is queried",
		[]string{"new_asset"}, "new_connection", "new_port", "modbus_fc", "s7_function", "cip_service", "bacnet_service", "dnp3_fc")
}

func scFirmware(s *sim, t int64, sc string) {
	plc := s.s7Victim()
	fw := s.s7fw[plc]
	fw[2]++
	s.s7fw[plc] = fw
	plc.fw = fmt.Sprintf("V%d.%d.%d", fw[0], fw[1], fw[2])
	plc.dev.FirmwareAfter = plc.fw
	ews := s.first("ews")
	s.s7Identify(t, ews, plc, sc)
	s.event(sc, t, t+sec, plc.ip, netip.Addr{}, "SZL 0x0011 of "+plc.name+" now reports firmware "+plc.fw+" (was "+plc.dev.Firmware+")",
		[]string{"firmware_changed"})
}

const iocDomain = "telemetry-sync.cdn-patch.example"

var iocIP = netip.MustParseAddr("203.0.113.66")

func scDNSIOC(s *sim, t int64, sc string) {
	ws := s.first("ws")
	dc := s.first("dc")
	s.truth.Indicators.Domains = append(s.truth.Indicators.Domains, iocDomain)
	s.truth.Indicators.IPs = append(s.truth.Indicators.IPs, iocIP.String())
	s.dnsID++
	sp := ws.nextPort()
	s.udp(t, ws, dc, sp, 53, dnsQuery(s.dnsID, iocDomain, 1))
	s.udp(t+30*ms, dc, ws, 53, sp, dnsAnswer(s.dnsID, iocDomain, iocIP, 0))
	s.event(sc, t, t+sec, ws.ip, dc.ip, ws.name+" resolves the indicator domain "+iocDomain, []string{"ioc_domain"},
		"periodicity") // an extra lookup out of the workstation's regular resolver cycle
}

func scOneWay(s *sim, t int64, sc string) {
	ws := s.first("ws")
	dc := s.first("dc")
	s.smbSession(t, ws, dc, true)
	e := s.event(sc, t, t+3*sec, ws.ip, dc.ip, "an SMB session of "+ws.name+" whose server-to-client direction the SPAN does not mirror (conn.log shows it one-sided)", nil)
	e.NoAlert = true
}

// scLateralMovement is what PsExec does from a workstation to the domain controller: its
// service program copied to ADMIN$, then the Service Control Manager driven over the svcctl
// pipe to create the PSEXESVC service and start it. The workstation already talks SMB to the
// controller, so the connection itself is nothing new.
func scLateralMovement(s *sim, t int64, sc string) {
	ws, dc := s.first("ws"), s.first("dc")
	k, sess, tt := s.smbLogin(t, ws, dc, sc)
	wall := int64(s.cfg.Start.UnixNano()) + tt
	share := func(name string) string { return `\\` + strings.ToUpper(dc.name) + `\` + name }
	fid := func(n byte) []byte { return cat(le64(uint64(n)), le64(0xffff0000|uint64(s.rng.Uint32()))) }
	file, pipe := fid(1), fid(2)
	prog := make([]byte, 4096)
	copy(prog, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	for i := 64; i < len(prog); i++ {
		prog[i] = byte(s.rng.IntN(256))
	}
	tt = k.xchg(tt+ms, smb2TreeReq(3, sess, share("ADMIN$")), smb2TreeResp(3, sess, 1, 1))
	tt = k.xchg(tt+ms, smb2CreateReq(4, sess, 1, "PSEXESVC.exe", 0x0012019f, 0x40), smb2CreateResp(4, sess, 1, file, wall))
	tt = k.xchg(tt+ms, smb2WriteReq(5, sess, 1, file, prog), smb2WriteResp(5, sess, 1, len(prog)))
	tt = k.xchg(tt+ms, smb2CloseReq(6, sess, 1, file), smb2CloseResp(6, sess, 1))
	tt = k.xchg(tt+ms, smb2TreeReq(7, sess, share("IPC$")), smb2TreeResp(7, sess, 2, 2))
	tt = k.xchg(tt+ms, smb2CreateReq(8, sess, 2, "svcctl", 0x0012019f, 0), smb2CreateResp(8, sess, 2, pipe, wall))
	bind := rpcBind(1, svcctlUUID, 2)
	tt = k.xchg(tt+ms, smb2WriteReq(9, sess, 2, pipe, bind), smb2WriteResp(9, sess, 2, len(bind)))
	tt = k.xchg(tt+ms, smb2ReadReq(10, sess, 2, pipe), smb2ReadResp(10, sess, 2, rpcBindAck(1, `\PIPE\svcctl`)))
	handle := func() []byte {
		h := make([]byte, 20)
		for i := 4; i < 20; i++ {
			h[i] = byte(s.rng.IntN(256))
		}
		return h
	}
	scm, svc := handle(), handle()
	call := func(id uint32, msgID uint64, opnum uint16, req, resp []byte) {
		tt = k.xchg(tt+ms, smb2IoctlReq(msgID, sess, 2, pipe, rpcRequest(id, opnum, req)),
			smb2IoctlResp(msgID, sess, 2, pipe, rpcResponse(id, resp)))
	}
	call(2, 11, 15, scmOpenReq(`\\`+strings.ToUpper(dc.name)), scmHandleResp(scm))
	call(3, 12, 12, scmCreateReq(scm, "PSEXESVC", `%SystemRoot%\PSEXESVC.exe`), scmCreateResp(svc))
	call(4, 13, 19, scmStartReq(svc), le32(0))
	call(5, 14, 0, scmCloseReq(svc), scmCloseResp())
	call(6, 15, 0, scmCloseReq(scm), scmCloseResp())
	tt = k.xchg(tt+ms, smb2CloseReq(16, sess, 2, pipe), smb2CloseResp(16, sess, 2))
	k.close(tt + 100*ms)
	s.event(sc, t, tt+sec, ws.ip, dc.ip, ws.name+" copies PSEXESVC.exe to "+dc.name+"'s ADMIN$ share and creates and starts the PSEXESVC service over the svcctl pipe (PsExec)",
		[]string{"psexec", "remote_svc"}, "periodicity")
}

// scEICAR: someone tests the anti-virus on the domain controller by copying the EICAR test file
// to a share from a workstation. eicar.com is also an executable written over SMB.
func scEICAR(s *sim, t int64, sc string) {
	ws, dc := s.first("ws"), s.first("dc")
	k, sess, tt := s.smbLogin(t, ws, dc, sc)
	wall := int64(s.cfg.Start.UnixNano()) + tt
	file := cat(le64(7), le64(0xffff0000|uint64(s.rng.Uint32())))
	data := []byte(eicar + "\r\n")
	tt = k.xchg(tt+ms, smb2TreeReq(3, sess, `\\`+strings.ToUpper(dc.name)+`\scratch`), smb2TreeResp(3, sess, 1, 1))
	tt = k.xchg(tt+ms, smb2CreateReq(4, sess, 1, `av-test\eicar.com`, 0x0012019f, 0x40), smb2CreateResp(4, sess, 1, file, wall))
	tt = k.xchg(tt+ms, smb2WriteReq(5, sess, 1, file, data), smb2WriteResp(5, sess, 1, len(data)))
	tt = k.xchg(tt+ms, smb2CloseReq(6, sess, 1, file), smb2CloseResp(6, sess, 1))
	k.close(tt + 100*ms)
	e := s.event(sc, t, tt+sec, ws.ip, dc.ip, ws.name+" copies the EICAR anti-virus test file (av-test\\eicar.com) to a share of "+dc.name,
		[]string{"eicar", "exe_transfer"}, "periodicity")
	e.Weirds = []string{"smb_eicar_test_file"}
}

// eicar is the anti-virus test file (eicar.org).
const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// scDoublePulsar: a host on the IT network probes the domain controller for the DoublePulsar
// implant the way the public scanners do (SMB1, an anonymous session, IPC$, a TRANS2
// SESSION_SETUP ping) and the implant answers: STATUS_NOT_IMPLEMENTED with the multiplex id
// raised by 0x10.
func scDoublePulsar(s *sim, t int64, sc string) {
	dc := s.first("dc")
	a := s.itIntruder("it-scanner", "172.16.12.77", sc)
	uid, tid := uint16(2048), uint16(2049)
	k, tt := s.smb1NullSession(t, a, dc, sc, uid, tid)
	tt = k.xchg(tt+ms, smb1Trans2SessionSetup(0x41, tid, uid, make([]byte, 12)), smb1Error(0x32, 0xc0000002, 0x51, tid, uid))
	k.close(tt + 100*ms)
	e := s.event(sc, t, tt+sec, a.ip, dc.ip, "a host on the IT network ("+a.ip.String()+") pings "+dc.name+" for the DoublePulsar implant over SMB1, and the implant answers",
		[]string{"doublepulsar", "new_asset"}, "new_connection", "new_port")
	e.Weirds = []string{"smb_v1_negotiated", "smb1_trans2_session_setup", "smb1_doublepulsar_reply"}
}

// scConficker: a contractor's laptop infected with Conficker is plugged into the IT network.
// The worm first looks for its command server among names its domain generation algorithm
// makes up (30 of them within 12 s, none of which exists: the domain controller, the site's
// resolver, answers NXDOMAIN), then tries MS08-067 on the domain controller the way it
// spreads: SMB1, an anonymous session, IPC$, the srvsvc pipe, and NetprPathCanonicalize with a
// path that climbs out of its root ("\..\" in UTF-16). The controller is patched and answers
// the call with a fault.
func scConficker(s *sim, t int64, sc string) {
	dc := s.first("dc")
	a := s.itIntruder("contractor-laptop", "172.16.12.78", sc)
	s.edge(a.ip, dc.ip, "dns", "udp", 53, sc)
	tlds := []string{"com", "net", "org", "info", "biz", "ws", "cn"}
	tt := t
	for range 30 {
		label := make([]byte, 8+s.rng.IntN(4))
		for i := range label {
			label[i] = byte('a' + s.rng.IntN(26))
		}
		name := string(label) + "." + tlds[s.rng.IntN(len(tlds))]
		s.dnsID++
		sp := a.nextPort()
		s.udp(tt, a, dc, sp, 53, dnsQuery(s.dnsID, name, 1))
		s.udp(tt+20*ms, dc, a, 53, sp, dnsAnswer(s.dnsID, name, netip.Addr{}, 3))
		tt += 400 * ms
	}
	uid, tid, fid := uint16(2050), uint16(2051), uint16(0x4000)
	k, tt := s.smb1NullSession(tt+sec, a, dc, sc, uid, tid)
	// The exploit's path: a short random directory, the climb, then the overflow's filler
	// (letters here, where the worm carries its shellcode).
	dir := make([]byte, 6)
	for i := range dir {
		dir[i] = byte('A' + s.rng.IntN(26))
	}
	path := `\` + string(dir) + `\..\..\` + strings.Repeat("Q", 300)
	tt = k.xchg(tt+ms, smb1PipeOpenReq(4, tid, uid, `\srvsvc`), smb1PipeOpenResp(4, tid, uid, fid))
	tt = k.xchg(tt+ms, smb1TransactPipeReq(5, tid, uid, fid, rpcBind(1, srvsvcUUID, 3)),
		smb1TransactPipeResp(5, tid, uid, rpcBindAck(1, `\PIPE\srvsvc`)))
	tt = k.xchg(tt+ms, smb1TransactPipeReq(6, tid, uid, fid, rpcRequest(2, 31, netprPathCanonicalizeReq(dc.ip.String(), path))),
		smb1TransactPipeResp(6, tid, uid, rpcFault(2, 0x000006f7)))
	k.close(tt + 100*ms)
	e := s.event(sc, t, tt+sec, a.ip, dc.ip, "a contractor's laptop infected with Conficker ("+a.ip.String()+") looks up 30 generated domain names (all NXDOMAIN), then tries the MS08-067 exploit on "+dc.name+" over SMB1 (srvsvc NetprPathCanonicalize); the patched server answers with a fault",
		[]string{"conficker", "name_queries", "new_asset"}, "new_connection", "new_port")
	e.Weirds = []string{"smb_v1_negotiated", "dce_rpc_path_canonicalize_traversal"}
}

// itIntruder adds a Windows host on the IT network that only scenario sc brings in.
func (s *sim) itIntruder(name, ip, sc string) *host {
	a := &host{name: name, z: s.itZone, ip: netip.MustParseAddr(ip), routed: true, ttl: 128, state: map[string]int{}}
	a.dev = &Device{Name: a.name, Type: "Windows host", Purdue: 4, IPs: []string{a.ip.String()}, Routed: true, Scenario: sc}
	s.hosts = append(s.hosts, a)
	return a
}

// smb1NullSession connects a to v's SMB port and sets up what SMB1 scanners and worms start
// with: NT LM 0.12, an anonymous session (uid) and a tree connect to IPC$ (tid).
func (s *sim) smb1NullSession(t int64, a, v *host, sc string, uid, tid uint16) (*conn, int64) {
	k, tt := s.dial(t, a, v, 445, "smb", sc)
	chal := make([]byte, 8)
	for i := range chal {
		chal[i] = byte(s.rng.IntN(256))
	}
	tt = k.xchg(tt+ms, smb1NegReq(1), smb1NegResp(1, chal, int64(s.cfg.Start.UnixNano())+tt, "OPS"))
	tt = k.xchg(tt+ms, smb1SessReq(2), smb1SessResp(2, uid))
	return k, k.xchg(tt+ms, smb1TreeReq(3, uid, `\\`+v.ip.String()+`\IPC$`), smb1TreeResp(3, tid, uid))
}
