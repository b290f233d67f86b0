package pndcp

import (
	"hash/fnv"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// rtEntry counts one frame id's frames since the last summary.
type rtEntry struct {
	fid                       uint16
	frames, bytes             uint64
	cycle                     uint16
	status                    uint8
	hasStatus                 bool
	invalid, stopped, problem uint64
}

// parser handles one (source MAC, destination MAC, VLAN) PROFINET pseudo-flow.
type parser struct {
	env         *dissect.Env
	rt          []rtEntry
	full        bool
	periodStart int64
	factHash    uint64 // hash of the last identity facts reported
	d           dcp
}

func newParser(env *dissect.Env) dissect.Parser {
	return &parser{env: env, rt: make([]rtEntry, 0, 4)}
}

// Parse handles one frame payload (after the Ethertype).
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	env := p.env
	if p.periodStart == 0 {
		p.periodStart = env.TS
	} else if env.TS-p.periodStart >= summaryPeriod {
		p.summarise()
		p.periodStart = env.TS
	}
	if len(b) < 2 {
		env.Weird(weirdShort, "frame without a frame id")
		return len(b), nil
	}
	fid := uint16(b[0])<<8 | uint16(b[1])
	env.PDU()
	if fid >= fidHello && fid <= fidIdentifyRes {
		p.dcp(fid, b[2:])
		return len(b), nil
	}
	p.count(fid, b)
	if fid == fidAlarmHigh || fid == fidAlarmLow {
		p.alarm(b[2:])
	}
	return len(b), nil
}

// dcp logs one DCP PDU and derives facts and events from it.
func (p *parser) dcp(fid uint16, b []byte) {
	env := p.env
	d := &p.d
	*d = dcp{frameID: fid}
	if !d.parse(b) {
		env.Weird(weirdShort, "DCP header shorter than 10 bytes")
		return
	}
	r := env.LogBare(logDCP)
	r.MAC("src_mac", env.Flow.Orig.MAC).MAC("dst_mac", env.Flow.Resp.MAC)
	r.HexUint("frame_id", uint64(fid), 4)
	r.Str("service_id", serviceName(d.service)).Str("service_type", serviceTypeName(d.serviceType))
	r.HexUint("xid", uint64(d.xid), 8)
	if d.service == svcIdentify && d.serviceType == 0 {
		r.Uint("response_delay", uint64(d.delay))
	}
	if d.name != nil {
		r.Bytes("name_of_station", d.name)
	}
	if d.alias != nil {
		r.Bytes("alias_name", d.alias)
	}
	if d.typeOfSt != nil {
		r.Bytes("type_of_station", d.typeOfSt)
	}
	if d.hasIDs {
		r.HexUint("vendor_id", uint64(d.vendorID), 4).HexUint("device_id", uint64(d.deviceID), 4)
	}
	if d.hasRole {
		r.Str("device_role", roleName(d.role))
	}
	if d.ip.IsValid() {
		r.Addr("ip", d.ip).Addr("subnet_mask", d.mask).Addr("gateway", d.gw)
	}
	if d.hasMAC {
		r.MAC("mac", d.mac)
	}
	if d.control != 0 {
		r.Str("control", controlName(d.control))
	}
	if d.hasError {
		r.Uint("block_error", uint64(d.blockError))
	}
	if d.nopts > 0 {
		r.Array("options")
		for i := 0; i < d.nopts; i++ {
			r.ElemStr(blockName(d.opts[i][0], d.opts[i][1]))
		}
		r.End()
	}
	r.Done()

	if d.malformed {
		env.Weird(weirdMalformed, "DCP block overruns the PDU")
	}
	if serviceName(d.service) == "UNKNOWN" {
		env.Weird(weirdUnknownService, "service id "+strconv.Itoa(int(d.service)))
		return
	}
	response := d.serviceType&0x01 != 0
	switch {
	case d.service == svcIdentify && !response:
		if d.all {
			env.Event(dissect.Orig, dissect.EvScan, "DCP Identify All")
		}
	case d.service == svcSet && !response:
		p.setEvent(d)
	case d.service == svcSet && response && d.hasError && d.blockError != 0:
		env.Weird(weirdSetError, "block error "+strconv.Itoa(int(d.blockError)))
	case response && d.serviceType == 1 || d.service == svcHello:
		p.identityFacts(d)
	}
}

// setEvent reports a DCP Set request: configuration writes (IP, name) and control commands.
func (p *parser) setEvent(d *dcp) {
	env := p.env
	if d.ip.IsValid() {
		env.Event(dissect.Orig, dissect.EvConfigWrite, "DCP Set IP "+d.ip.String()+" mask "+d.mask.String()+" gateway "+d.gw.String())
	}
	if d.name != nil {
		env.Event(dissect.Orig, dissect.EvConfigWrite, "DCP Set NameOfStation "+strconv.Quote(string(d.name)))
	}
	if d.alias != nil {
		env.Event(dissect.Orig, dissect.EvConfigWrite, "DCP Set AliasName "+strconv.Quote(string(d.alias)))
	}
	switch d.control {
	case 0:
	case 3:
		env.Event(dissect.Orig, dissect.EvCommand, "DCP Set "+controlName(d.control))
	case 5, 6:
		env.Event(dissect.Orig, dissect.EvConfigWrite, "DCP Set "+controlName(d.control))
	default:
		env.Event(dissect.Orig, dissect.EvCommand, "DCP Set "+controlName(d.control))
	}
}

// identityFacts reports what a device says about itself (Identify/Get response, Hello), once
// per distinct content.
func (p *parser) identityFacts(d *dcp) {
	h := fnv.New64a()
	h.Write(d.name)
	h.Write(d.typeOfSt)
	h.Write([]byte{byte(d.vendorID >> 8), byte(d.vendorID), byte(d.deviceID >> 8), byte(d.deviceID), d.role})
	if d.ip.IsValid() {
		a := d.ip.As4()
		h.Write(a[:])
	}
	sum := h.Sum64()
	if sum == p.factHash {
		return
	}
	p.factHash = sum
	env := p.env
	env.Fact(dissect.Orig, dissect.AttrName, string(d.name), "profinet_dcp.name_of_station")
	env.Fact(dissect.Orig, dissect.AttrModel, string(d.typeOfSt), "profinet_dcp.type_of_station")
	if d.hasIDs {
		env.Fact(dissect.Orig, dissect.AttrVendorID, strconv.Itoa(int(d.vendorID)), "profinet_dcp.vendor_id")
		env.Fact(dissect.Orig, dissect.AttrProductCode, strconv.Itoa(int(d.deviceID)), "profinet_dcp.device_id")
	}
	if d.hasRole {
		env.Fact(dissect.Orig, dissect.AttrDeviceType, roleName(d.role), "profinet_dcp.device_role")
		if d.role&0x01 != 0 {
			env.Fact(dissect.Orig, dissect.AttrRole, "profinet_io_device", "profinet_dcp.device_role")
		}
		if d.role&0x02 != 0 {
			env.Fact(dissect.Orig, dissect.AttrRole, "profinet_io_controller", "profinet_dcp.device_role")
		}
	}
	if d.ip.IsValid() && !d.ip.IsUnspecified() {
		env.Fact(dissect.Orig, dissect.AttrIP, d.ip.String(), "profinet_dcp.ip")
	}
}

// count adds an RT frame to its frame id's counters.
func (p *parser) count(fid uint16, b []byte) {
	var e *rtEntry
	for i := range p.rt {
		if p.rt[i].fid == fid {
			e = &p.rt[i]
			break
		}
	}
	if e == nil {
		if len(p.rt) >= maxFrameIDs {
			if !p.full {
				p.full = true
				p.env.Weird(weirdTableFull, "more than "+strconv.Itoa(maxFrameIDs)+" RT frame ids on one MAC pair")
			}
			return
		}
		p.rt = append(p.rt, rtEntry{fid: fid})
		e = &p.rt[len(p.rt)-1]
	}
	e.frames++
	e.bytes += uint64(len(b))
	if !cyclic(fid) {
		return
	}
	if cycle, st, ok := rtTrailer(b[2:]); ok {
		e.cycle, e.status, e.hasStatus = cycle, st, true
		if st&dsDataValid == 0 {
			e.invalid++
		}
		if st&dsProviderRun == 0 {
			e.stopped++
		}
		if st&dsStationNormal == 0 {
			e.problem++
		}
	}
}

// alarm reports an RTA DATA PDU carrying an AlarmNotification block as a device event.
func (p *parser) alarm(b []byte) {
	// AlarmDstEndpoint(2) AlarmSrcEndpoint(2) PDUType(1) AddFlags(1) SendSeqNum(2)
	// AckSeqNum(2) VarPartLen(2), then BlockType(2) BlockLength(2) BlockVersion(2)
	// AlarmType(2) API(4) SlotNumber(2) SubslotNumber(2) …
	if len(b) < 12+6+10 || b[4]&0x0F != 1 {
		return
	}
	blk := b[12:]
	bt := uint16(blk[0])<<8 | uint16(blk[1])
	if bt != 0x0001 && bt != 0x0002 {
		return
	}
	at := uint16(blk[6])<<8 | uint16(blk[7])
	slot := uint16(blk[12])<<8 | uint16(blk[13])
	sub := uint16(blk[14])<<8 | uint16(blk[15])
	p.env.Event(dissect.Orig, dissect.EvDeviceFlag, "PROFINET alarm "+alarmName(at)+" slot "+
		strconv.Itoa(int(slot))+" subslot 0x"+strconv.FormatUint(uint64(sub), 16))
}

// summarise writes one profinet_rt.log line per frame id seen since the last summary.
func (p *parser) summarise() {
	env := p.env
	for i := range p.rt {
		e := &p.rt[i]
		if e.frames == 0 {
			continue
		}
		r := env.LogBare(logRT)
		r.MAC("src_mac", env.Flow.Orig.MAC).MAC("dst_mac", env.Flow.Resp.MAC)
		if env.Flow.VLAN != 0 {
			r.Uint("vlan", uint64(env.Flow.VLAN))
		}
		r.HexUint("frame_id", uint64(e.fid), 4).Str("rt_class", rtClass(e.fid))
		r.Uint("frames", e.frames).Uint("bytes", e.bytes)
		if e.hasStatus {
			r.Uint("cycle_counter", uint64(e.cycle)).HexUint("data_status", uint64(e.status), 2)
			r.Uint("data_invalid", e.invalid).Uint("provider_stop", e.stopped).Uint("station_problem", e.problem)
		}
		r.Done()
		*e = rtEntry{fid: e.fid}
	}
}

// Gap is not used: one frame per Parse call.
func (p *parser) Gap(dir dissect.Dir, lost int) {}

// Close writes the last RT summary.
func (p *parser) Close() { p.summarise() }

// Interface guards
var _ dissect.Parser = (*parser)(nil)
