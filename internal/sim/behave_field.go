package sim

import (
	"math"
	"net/netip"
	"strings"
)

// --- Siemens S7 -----------------------------------------------------------------------

var mlfb = map[string]string{
	"CPU 1516-3 PN/DP":   "6ES7 516-3AN02-0AB0",
	"CPU 315-2 PN/DP":    "6ES7 315-2EH14-0AB0",
	"CPU 1214C DC/DC/DC": "6ES7 214-1AG40-0XB0",
}

type s7Session struct {
	k   *conn
	ref uint16
	seq byte
}

func (x *s7Session) nextRef() uint16 { x.ref++; return x.ref }

// s7Open connects to the PLC (rack 0, slot 1 or 2) and negotiates the PDU size.
func (s *sim) s7Open(t int64, cli, plc *host, scenario string) (*s7Session, int64) {
	k, t := s.dial(t, cli, plc, 102, "s7comm", scenario)
	slot := uint16(0x0101)
	if strings.HasPrefix(plc.dev.Model, "CPU 3") {
		slot = 0x0102
	}
	ref := uint16(s.rng.IntN(0x7fff) + 1)
	t = k.xchg(t+ms, cotpCR(ref, 0x0100, slot), cotpCC(ref, 0x0001+uint16(s.rng.IntN(0x7fff)), 0x0100, slot))
	x := &s7Session{k: k, ref: uint16(s.rng.IntN(0x400))}
	r := x.nextRef()
	t = k.xchg(t+ms, s7Job(r, s7Setup, nil), s7AckData(r, s7Setup, nil))
	return x, t
}

// s7SZL reads SZL 0x0011 and 0x001C: the identity a TIA Portal or HMI asks for.
func (s *sim) s7SZL(t int64, x *s7Session, plc *host) int64 {
	d := plc.dev
	fw := s.s7fw[plc]
	x.seq++
	r := x.nextRef()
	t = x.k.xchg(t, s7SZLReq(r, x.seq, 0x0011, 0), s7SZLResp(r, x.seq, 0x0011, 0, 28, szl11(mlfb[d.Model], 1, fw)))
	x.seq++
	r = x.nextRef()
	return x.k.xchg(t+2*ms, s7SZLReq(r, x.seq, 0x001c, 0), s7SZLResp(r, x.seq, 0x001c, 0, 34,
		szl1C(strings.ToUpper(d.Name), "PLC_1", "Plant Line 1", d.Serial, d.Model)))
}

// s7HMI keeps a connection open and reads process data every second.
func (s *sim) s7HMI(t int64, hmi, plc *host) {
	x, t := s.s7Open(t, hmi, plc, "")
	t = s.s7SZL(t+ms, x, plc)
	db := uint16(1 + s.rng.IntN(20))
	s.every(t+sec, sec, 0.02, func(t int64) {
		if plc.state["stopped"] == 1 {
			return
		}
		r := x.nextRef()
		data := make([]byte, 16)
		for i := 0; i < 16; i += 4 {
			copy(data[i:], f32(s.wave(t, 120+float64(i)*10, 100, 20)))
		}
		x.k.xchg(t, s7ReadVarReq(r, db, 0, 16), s7ReadVarResp(r, data))
	})
}

// s7Identify is an engineering workstation going online: connect, read identity, leave.
func (s *sim) s7Identify(t int64, ews, plc *host, scenario string) {
	x, t := s.s7Open(t, ews, plc, scenario)
	t = s.s7SZL(t+ms, x, plc)
	x.k.close(t + 300*ms)
}

// --- EtherNet/IP -------------------------------------------------------------------------

func (h *host) cipID() cipIdentity {
	d := h.dev
	id := cipIdentity{vendor: 1, devType: 14, product: 166, name: d.Model}
	if h.kind == "aent" {
		id.devType, id.product = 12, 106
	}
	fw := strings.SplitN(d.Firmware, ".", 2)
	id.major, id.minor = byte(atoi(fw[0])), byte(atoi(fw[1]))
	var serial uint32
	for _, c := range strings.TrimPrefix(d.Serial, "0x") {
		serial = serial<<4 | uint32(strings.IndexRune("0123456789abcdef", c))
	}
	id.serial = serial
	return id
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n = n*10 + int(c-'0')
		}
	}
	return n
}

func (s *sim) enipRegister(t int64, k *conn) (uint32, int64) {
	sess := uint32(s.rng.Uint32() | 1)
	ctx := s.rng.Uint64()
	t = k.xchg(t, enipHdr(0x65, 0, ctx, []byte{1, 0, 0, 0}), enipHdr(0x65, sess, ctx, []byte{1, 0, 0, 0}))
	return sess, t
}

// enipHMI: register a session, read the Identity object, then poll tags every second.
func (s *sim) enipHMI(t int64, hmi, plc *host) {
	k, t := s.dial(t, hmi, plc, 44818, "enip", "")
	sess, t := s.enipRegister(t+ms, k)
	ctx := s.rng.Uint64()
	t = k.xchg(t+ms, enipRR(sess, ctx, cipGetIdentity), enipRR(sess, ctx, cat([]byte{0x81, 0, 0, 0}, plc.cipID().attrs())))
	tags := []string{"Line1_Speed", "Tank2_Level", "Oven_Temp", "Conveyor_Run"}
	s.every(t+sec, sec, 0.02, func(t int64) {
		for i, tag := range tags {
			ctx++
			v := int32(s.wave(t, 90+float64(i)*30, 1000, 200))
			t = k.xchg(t+ms, enipRR(sess, ctx, cipReadTag(tag)), enipRR(sess, ctx, cipReadTagResp(v)))
		}
	})
}

// enipIO: the scanner opens a class 1 connection with Forward Open, then both sides send
// cyclic UDP 2222 data every RPI.
func (s *sim) enipIO(t int64, scanner, adapter *host) {
	k, t := s.dial(t, scanner, adapter, 44818, "enip", "")
	sess, t := s.enipRegister(t+ms, k)
	otID, toID := s.rng.Uint32(), s.rng.Uint32()
	serial, orig := uint16(s.rng.IntN(65536)), s.rng.Uint32()
	const rpi = 50 * ms
	ctx := s.rng.Uint64()
	t = k.xchg(t+ms, enipRR(sess, ctx, cipForwardOpen(otID, toID, serial, orig, uint32(rpi/us))),
		enipRR(sess, ctx, cipForwardOpenResp(otID, toID, serial, orig, uint32(rpi/us))))
	s.edge(scanner.ip, adapter.ip, "enip", "udp", 2222, "")
	var seq uint32
	out := make([]byte, 8)
	in := make([]byte, 8)
	s.every(t+10*ms, rpi, 0.001, func(t int64) {
		seq++
		out[0] = byte(seq >> 6)
		in[1] = byte(seq >> 7)
		s.udp(t, scanner, adapter, 2222, 2222, enipIO(otID, seq, uint16(seq), true, out))
		s.udp(t+300*us, adapter, scanner, 2222, 2222, enipIO(toID, seq, uint16(seq), false, in))
	})
}

// enipListIdentity sends a unicast ListIdentity over UDP 44818 and the device answers.
func (s *sim) enipListIdentity(t int64, c, dev *host, scenario string) {
	s.edge(c.ip, dev.ip, "enip", "udp", 44818, scenario)
	ctx := s.rng.Uint64()
	sp := c.nextPort()
	s.udp(t, c, dev, sp, 44818, enipHdr(0x63, 0, ctx, nil))
	if dev.dev != nil && dev.used || dev.kind != "" {
		s.udp(t+s.think(), dev, c, 44818, sp, enipListIdentityResp(ctx, dev.ip, dev.cipID()))
	}
}

// --- Modbus --------------------------------------------------------------------------------

type mbSession struct {
	k    *conn
	tid  uint16
	unit byte
}

func (m *mbSession) xchg(t int64, req, resp []byte) int64 {
	m.tid++
	return m.k.xchg(t, mbap(m.tid, m.unit, req), mbap(m.tid, m.unit, resp))
}

func (s *sim) modbusHMI(t int64, hmi, dev *host) {
	k, t := s.dial(t, hmi, dev, 502, "modbus", "")
	m := &mbSession{k: k, unit: 1, tid: uint16(s.rng.IntN(1000))}
	if dev.dev.Model == "PM5560" {
		m.unit = 255
	}
	s.mb[dev] = m
	d := dev.dev
	product := "Modicon M340"
	if d.Model == "PM5560" {
		product = "PowerLogic PM5560"
	}
	t = m.xchg(t+ms, mbDevIDReq(), mbDevIDResp(d.Vendor, d.Model, d.Firmware, "www.se.com", product, d.Model))
	n := 0
	s.every(t+sec, sec, 0.02, func(t int64) {
		n++
		regs := make([]uint16, 10)
		for i := range regs {
			regs[i] = uint16(s.wave(t, 60+float64(i)*7, 2000, 500))
		}
		fc := byte(3)
		if n%5 == 0 {
			fc = 4
		}
		m.xchg(t, mbReadReq(fc, 100, 10), mbReadResp(fc, regs))
	})
}

// --- PROFINET ------------------------------------------------------------------------------

func (s *sim) pnio(t int64, ctrl, dev *host) {
	xid := s.rng.Uint32()
	s.edgeStr(ctrl.mac.String(), dcpMAC.String(), "pndcp", "l2", 0, "", false)
	s.l2(t, ctrl, dcpMAC, 0, etPN, dcpIdentifyReq(xid))
	name := strings.ToLower(strings.ReplaceAll(dev.dev.Name, "_", "-"))
	s.l2(t+s.think(), dev, ctrl.mac, 0, etPN, dcpIdentifyResp(xid, dcpIdentity{typeOfStation: dev.dev.Model, nameOfStation: name,
		vendorID: 0x002a, deviceID: 0x0313, ip: dev.ip, mask: maskOf(dev), gw: gwOf(s, dev)}))
	s.edgeStr(ctrl.mac.String(), dev.mac.String(), "profinet_rt", "l2", 0, "", false)
	var cycle uint16
	out := make([]byte, 40)
	in := make([]byte, 40)
	s.every(t+200*ms, 32*ms, 0, func(t int64) {
		cycle += 1024
		out[0] = byte(cycle >> 10)
		s.l2(t, ctrl, dev.mac, 6, etPN, pnRT(0x8001, out, cycle))
		s.l2(t+100*us, dev, ctrl.mac, 6, etPN, pnRT(0x8002, in, cycle))
	})
}

func maskOf(*host) netip.Addr         { return netip.MustParseAddr("255.255.0.0") }
func gwOf(s *sim, h *host) netip.Addr { return h.z.addr(253) }

// --- DNP3 ------------------------------------------------------------------------------------

type dnpSession struct {
	k                *conn
	master, out      uint16
	seq, tseq, otseq byte
	restarted        bool
	h                *host
}

func (d *dnpSession) req(t int64, app func(seq byte) []byte, resp func(seq byte) []byte) int64 {
	d.seq = (d.seq + 1) & 15
	d.tseq++
	d.otseq++
	r := dnpApp(true, d.out, d.master, d.tseq, app(d.seq))
	if resp == nil {
		return d.k.send(t, true, r)
	}
	return d.k.xchg(t, r, dnpApp(false, d.master, d.out, d.otseq, resp(d.seq)))
}

func (s *sim) dnp3Master(t int64, m, rtu *host) {
	k, t := s.dial(t, m, rtu, 20000, "dnp3", "")
	d := &dnpSession{k: k, master: 1, out: uint16(10 + len(s.dnp)), h: rtu}
	s.dnp[rtu] = d
	dev := rtu.dev
	t = d.req(t+ms, dnpAttrRead, func(seq byte) []byte {
		return dnpResp(seq, 0, 0, dnpAttrs(dev.Vendor, dev.Model, dev.Firmware, dev.Serial))
	})
	iin := func() byte {
		if d.restarted {
			return 0x80
		}
		return 0
	}
	analogs := func(t int64) []byte {
		v := make([]int32, 6)
		for i := range v {
			v[i] = int32(s.wave(t, 200+float64(i)*20, 13800, 300))
		}
		return dnpAnalogs(v)
	}
	s.every(t+sec, 60*sec, 0.01, func(t int64) {
		d.req(t, dnpIntegrityPoll, func(seq byte) []byte {
			return dnpResp(seq, iin(), 0, cat(dnpBinaries([]bool{true, false, true, true}), analogs(t)))
		})
	})
	s.every(t+3*sec, 5*sec, 0.02, func(t int64) {
		d.req(t, dnpClassPoll, func(seq byte) []byte { return dnpResp(seq, iin(), 0, nil) })
	})
}

// --- IEC 104 ----------------------------------------------------------------------------------

type i104Session struct {
	k      *conn
	ns, nr uint16 // master's counters
	rs, rr uint16 // RTU's counters
	ca     uint16
	unack  int
}

func (x *i104Session) fromRTU(t int64, a []byte) int64 {
	t = x.k.send(t, false, i104I(x.rs, x.rr, a))
	x.rs++
	x.nr++
	x.unack++
	if x.unack >= 8 {
		x.unack = 0
		t = x.k.send(t+2*ms, true, i104S(x.nr))
	}
	return t
}

func (x *i104Session) fromMaster(t int64, a []byte) int64 {
	t = x.k.send(t, true, i104I(x.ns, x.nr, a))
	x.ns++
	x.rr++
	return t
}

func (s *sim) iec104Master(t int64, m, rtu *host) {
	k, t := s.dial(t, m, rtu, 2404, "iec104", "")
	x := &i104Session{k: k, ca: uint16(1 + s.rng.IntN(100))}
	rtu.state["ca"] = int(x.ca)
	t = k.xchg(t+ms, i104U(startdtAct), i104U(startdtCon))
	meas := func(t int64, cot byte) [][]byte {
		var objs [][]byte
		for i := 0; i < 4; i++ {
			objs = append(objs, ioa(uint32(1001+i), cat(lef32(s.wave(t, 150+float64(i)*15, 230, 5)), []byte{0})...))
		}
		return objs
	}
	t = x.fromMaster(t+ms, asdu(100, 6, x.ca, ioa(0, 20)))
	t = x.fromRTU(t+s.think(), asdu(100, 7, x.ca, ioa(0, 20)))
	t = x.fromRTU(t+ms, asdu(13, 20, x.ca, meas(t, 20)...))
	t = x.fromRTU(t+ms, asdu(1, 20, x.ca, ioa(2001, 0x01), ioa(2002, 0x00)))
	t = x.fromRTU(t+ms, asdu(100, 10, x.ca, ioa(0, 20)))
	k.send(t+5*ms, true, i104S(x.nr))
	x.unack = 0
	s.every(t+2*sec, 2*sec, 0.1, func(t int64) {
		x.fromRTU(t, asdu(13, 3, x.ca, meas(t, 3)[s.rng.IntN(4)]))
	})
	s.every(t+30*sec, 30*sec, 0.01, func(t int64) {
		k.xchg(t, i104U(testfrAct), i104U(testfrCon))
	})
}

// --- MMS and GOOSE -----------------------------------------------------------------------------

type mmsSession struct {
	k  *conn
	id uint32
}

func (m *mmsSession) xchg(t int64, req func(id uint32) []byte, resp func(id uint32) []byte) int64 {
	m.id++
	return m.k.xchg(t, mmsData(mmsConfReq(m.id, req(m.id))), mmsData(mmsConfResp(m.id, resp(m.id))))
}

func (s *sim) mmsClient(t int64, c, ied *host) {
	k, t := s.dial(t, c, ied, 102, "mms", "")
	ref := uint16(s.rng.IntN(0x7fff) + 1)
	t = k.xchg(t+ms, cotpCR(ref, 0x0001, 0x0001), cotpCC(ref, uint16(s.rng.IntN(0x7fff)+1), 0x0001, 0x0001))
	t = k.xchg(t+ms, mmsConnect(), mmsAccept())
	m := &mmsSession{k: k}
	s.ied[ied] = m
	d := ied.dev
	ld := strings.ToUpper(strings.ReplaceAll(d.Name, "-", ""))
	t = m.xchg(t+ms, func(uint32) []byte { return mmsIdentifyReq },
		func(uint32) []byte { return mmsIdentifyResp(d.Vendor, d.Model, d.Firmware) })
	t = m.xchg(t+ms, func(uint32) []byte { return mmsGetNameListReq(9, "") },
		func(uint32) []byte { return mmsGetNameListResp([]string{ld + "LD0", ld + "PROT", ld + "CTRL"}) })
	t = m.xchg(t+ms, func(uint32) []byte { return mmsGetNameListReq(0, ld+"LD0") },
		func(uint32) []byte {
			return mmsGetNameListResp([]string{"LLN0", "MMXU1$MX$A", "MMXU1$MX$Hz", "MMXU1$MX$TotW", "XCBR1$ST$Pos"})
		})
	s.every(t+2*sec, 2*sec, 0.02, func(t int64) {
		m.xchg(t, func(uint32) []byte { return mmsReadReq(ld+"LD0", "MMXU1$MX$TotW$mag$f") },
			func(uint32) []byte { return mmsReadResp(s.wave(t, 300, 1200, 80)) })
	})
}

func (s *sim) goosePublisher(ied *host) {
	appID := uint16(0x3000 + len(s.byRole["goose"]))
	s.byRole["goose"] = append(s.byRole["goose"], ied)
	dst := MAC{0x01, 0x0c, 0xcd, 0x01, byte(appID >> 8 & 0x01), byte(appID)}
	s.edgeStr(ied.mac.String(), dst.String(), "goose", "l2", 0, "", false)
	ld := strings.ToUpper(strings.ReplaceAll(ied.dev.Name, "-", ""))
	gocb := ld + "LD0/LLN0$GO$gcbTrip"
	var st, sq uint32 = 1, 0
	vals := []bool{false, true}
	last := int64(0)
	pub := func(t int64) {
		wall := int64(s.cfg.Start.UnixNano()) + last
		s.l2(t, ied, dst, 4, etGOOSE, goosePDU(appID, gocb, ld+"LD0/LLN0$DSTrip", ld+"_TRIP", wall, st, sq, 1, vals))
		sq++
	}
	s.every(s.start(), sec, 0.001, func(t int64) {
		if s.rng.IntN(90) == 0 {
			st++
			sq = 0
			vals[0] = !vals[0]
			last = t
			for _, d := range []int64{0, 2 * ms, 6 * ms, 14 * ms} {
				pub(t + d)
			}
			return
		}
		pub(t)
	})
}

// --- BACnet ------------------------------------------------------------------------------------

func (h *host) bacInst() uint32 { return 100000 + uint32(h.ip.As4()[3]) + 1000*uint32(h.ip.As4()[2]) }

func (h *host) bacVendor() uint16 {
	switch h.dev.Vendor {
	case "Johnson Controls":
		return 5
	case "Honeywell":
		return 17
	}
	return 0
}

func (s *sim) bacnetIdentify(t int64, bms, ctl *host) {
	s.edge(bms.ip, ctl.ip, "bacnet", "udp", 47808, "")
	inst := ctl.bacInst()
	d := ctl.dev
	invoke := byte(s.rng.IntN(256))
	props := []struct {
		id  byte
		val string
	}{{propVendor, d.Vendor}, {propModelName, d.Model}, {propFirmware, d.Firmware}, {propObjName, strings.ToUpper(d.Name)}}
	for _, p := range props {
		invoke++
		s.udp(t, bms, ctl, 47808, 47808, bacReadProp(invoke, 8, inst, p.id))
		t += s.think()
		s.udp(t, ctl, bms, 47808, 47808, bacReadPropAck(invoke, 8, inst, p.id, bacAppString(p.val)))
		t += 20 * ms
	}
	s.every(t+sec, 10*sec, 0.05, func(t int64) {
		for ai := uint32(1); ai <= 3; ai++ {
			invoke++
			s.udp(t, bms, ctl, 47808, 47808, bacReadProp(invoke, 0, ai, propPV))
			t += s.think()
			s.udp(t, ctl, bms, 47808, 47808, bacReadPropAck(invoke, 0, ai, propPV, bacAppReal(s.wave(t, 600, 21.5, 1.5))))
			t += 5 * ms
		}
	})
	_ = math.Pi
}
