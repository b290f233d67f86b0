package profinet

import (
	"hash/fnv"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

type parser struct {
	env      *dissect.Env
	roleSent [2]bool
	imHash   [2]uint64
	h        header
	fk       fack
	pn       pnio
	uuid     [36]byte
	ver      [7]byte
}

func newParser(env *dissect.Env) dissect.Parser { return &parser{env: env} }

// Parse decodes one datagram.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	env := p.env
	h := &p.h
	if !h.parse(b) {
		env.Weird(weirdShort, "datagram of "+strconv.Itoa(len(b))+" bytes")
		return len(b), nil
	}
	env.PDU()
	if h.version != 4 {
		env.Weird(weirdVersion, "rpc version "+strconv.Itoa(int(h.version)))
	}
	body := b[hdrLen:]
	if int(h.bodyLen) > len(body) {
		env.Weird(weirdBadLength, "len_of_body "+strconv.Itoa(int(h.bodyLen))+" > "+strconv.Itoa(len(body)))
	} else {
		body = body[:h.bodyLen]
	}
	p.pn = pnio{}
	firstFrag := h.flags1&0x04 == 0 || h.fragNum == 0
	if (h.ptype == ptRequest || h.ptype == ptResponse) && firstFrag {
		p.pn.parseBody(h, body)
	}
	hasFack := false
	if h.ptype == ptFack {
		p.fk = fack{}
		hasFack = p.fk.parse(h, b[hdrLen:])
	}
	p.log(dir, hasFack)
	p.derive(dir)
	return len(b), nil
}

func (p *parser) log(dir dissect.Dir, hasFack bool) {
	env, h, pn := p.env, &p.h, &p.pn
	src, dst := env.Flow.Orig, env.Flow.Resp
	if dir == dissect.Resp {
		src, dst = dst, src
	}
	r := env.Log(logIOCM)
	r.Addr("source_h", src.IP).Uint("source_p", uint64(src.Port))
	r.Addr("destination_h", dst.IP).Uint("destination_p", uint64(dst.Port))
	r.Str("proto", "udp")
	r.Uint("rpc_version", uint64(h.version))
	r.Str("packet_type", packetType(h.ptype))
	f1 := h.flags1
	r.Bool("reserved_for_impl_1", f1&0x80 != 0).Bool("last_fragment", f1&0x02 != 0).Bool("fragment", f1&0x04 != 0)
	r.Bool("no_fragment_requested", f1&0x08 != 0).Bool("maybe", f1&0x10 != 0).Bool("idempotent", f1&0x20 != 0)
	r.Bool("broadcast", f1&0x40 != 0).Bool("reserved_for_impl_2", f1&0x01 != 0)
	r.Bool("cancel_was_pending_at_call_end", h.flags2&0x02 != 0)
	switch h.drep[0] >> 4 {
	case 0:
		r.Str("integer_encoding", "Big Endian")
	case 1:
		r.Str("integer_encoding", "Little Endian")
	default:
		r.Str("integer_encoding", "unknown")
	}
	switch h.drep[0] & 0x0f {
	case 0:
		r.Str("character_encoding", "ASCII")
	case 1:
		r.Str("character_encoding", "EBCDIC")
	default:
		r.Str("character_encoding", "unknown")
	}
	r.Str("floating_point_encoding", floatRep(h.drep[1]&0x07))
	r.Uint("serial_high", uint64(h.serialHigh))
	r.Bytes("object_uuid", p.fmtUUID(h.object))
	r.Bytes("interface_uuid", p.fmtUUID(h.iface))
	r.Bytes("activity_uuid", p.fmtUUID(h.act))
	r.Uint("server_boot_time", uint64(h.bootTime))
	r.Uint("interface_vers_major", uint64(h.ifVersion>>16)).Uint("interface_vers_minor", uint64(h.ifVersion&0xffff))
	r.Uint("sequence_num", uint64(h.seq))
	r.Str("operation_num", operation(h.opnum))
	r.Uint("interface_hint", uint64(h.ihint)).Uint("activity_hint", uint64(h.ahint))
	r.Uint("len_of_body", uint64(h.bodyLen)).Uint("fragment_num", uint64(h.fragNum))
	r.Uint("auth_protocol", uint64(h.auth)).Uint("serial_low", uint64(h.serialLow))
	if hasFack {
		fk := &p.fk
		switch fk.version {
		case 0:
			r.Str("vers_fack", "Initial version")
		case 1:
			r.Str("vers_fack", "Default version")
		default:
			r.Str("vers_fack", "unknown")
		}
		r.Uint("window_size", uint64(fk.window)).Uint("max_tsdu", uint64(fk.maxTSDU))
		r.Uint("max_frag_size", uint64(fk.maxFrag)).Uint("serial_number", uint64(fk.serial))
		r.Uint("sel_ack_len", uint64(fk.selAckLen))
		r.Array("array_of_sel_ack")
		for i := 0; i < fk.nSelAck; i++ {
			r.ElemUint(uint64(fk.selAck[i]))
		}
		r.End()
	}
	if pn.hasBlock {
		r.Str("operation_type", blockName(pn.blockType))
		r.Bytes("block_version", p.fmtVersion(pn.verHigh, pn.verLow))
	}
	if pn.hasRecord {
		r.Uint("slot_number", uint64(pn.slot)).Uint("subslot_number", uint64(pn.sub))
		r.HexUint("index", uint64(pn.index), 4).Uint("record_data_length", uint64(pn.recLen))
	}
	if pn.hasControl {
		r.Str("control_command", controlCommand(pn.control))
	}
	if pn.hasStatus {
		r.HexUint("pnio_status", uint64(pn.status), 8)
	}
	r.Done()
}

// fmtUUID spells a UUID in wire byte order, upper case, 8-4-4-4-12, as ICSNPP does (so a
// little-endian UUID shows its fields byte-swapped). The result aliases p.uuid.
func (p *parser) fmtUUID(u []byte) []byte {
	const digits = "0123456789ABCDEF"
	o := p.uuid[:0]
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			o = append(o, '-')
		}
		o = append(o, digits[c>>4], digits[c&15])
	}
	return o
}

// fmtVersion spells a block version "high.low". The result aliases p.ver.
func (p *parser) fmtVersion(hi, lo uint8) []byte {
	o := strconv.AppendUint(p.ver[:0], uint64(hi), 10)
	o = append(o, '.')
	return strconv.AppendUint(o, uint64(lo), 10)
}

// derive reports roles, events and I&M0 facts from the datagram just logged.
func (p *parser) derive(dir dissect.Dir) {
	env, h, pn := p.env, &p.h, &p.pn
	kind := iface(h.iface, h.le)
	if h.ptype == ptRequest && !p.roleSent[dir] {
		switch kind {
		case ifaceDevice:
			p.roleSent[dir] = true
			env.Fact(dir, dissect.AttrRole, "profinet_cm_client", "profinet_io_cm.interface_uuid")
			env.Fact(dir.Flip(), dissect.AttrRole, "profinet_io_device", "profinet_io_cm.interface_uuid")
		case ifaceController:
			p.roleSent[dir] = true
			env.Fact(dir, dissect.AttrRole, "profinet_io_device", "profinet_io_cm.interface_uuid")
			env.Fact(dir.Flip(), dissect.AttrRole, "profinet_io_controller", "profinet_io_cm.interface_uuid")
		}
	}
	if kind != ifaceDevice && kind != ifaceController && kind != ifaceSupervisor {
		return
	}
	switch {
	case h.ptype == ptRequest && h.opnum == opWrite && pn.hasRecord:
		env.Event(dir, dissect.EvWrite, "PNIO Write slot "+strconv.Itoa(int(pn.slot))+" subslot 0x"+
			strconv.FormatUint(uint64(pn.sub), 16)+" index 0x"+strconv.FormatUint(uint64(pn.index), 16)+
			" length "+strconv.FormatUint(uint64(pn.recLen), 10))
	case h.ptype == ptRequest && (h.opnum == opControl || h.opnum == opRelease) && pn.hasControl:
		env.Event(dir, dissect.EvCommand, "PNIO "+operation(h.opnum)+" "+controlCommand(pn.control))
	case h.ptype == ptResponse && pn.hasStatus && pn.status != 0:
		env.Weird(weirdPNIOError, operation(h.opnum)+" PNIOStatus 0x"+strconv.FormatUint(uint64(pn.status), 16))
	case h.ptype == ptResponse && pn.hasRecord && pn.index == indexIM0 && pn.record != nil:
		p.im0Facts(dir, pn.record)
	}
}

// im0Facts reports the identity an IO device gives in its I&M0 record, once per content.
func (p *parser) im0Facts(dir dissect.Dir, rec []byte) {
	var m im0
	if !m.parse(rec) {
		return
	}
	h := fnv.New64a()
	h.Write(rec[:min(len(rec), 54)])
	sum := h.Sum64()
	if p.imHash[dir] == sum {
		return
	}
	p.imHash[dir] = sum
	env := p.env
	env.Fact(dir, dissect.AttrVendorID, strconv.Itoa(int(m.vendorID)), "profinet_io_cm.im0.vendor_id")
	env.Fact(dir, dissect.AttrOrderNumber, string(m.orderID), "profinet_io_cm.im0.order_id")
	env.Fact(dir, dissect.AttrSerial, string(m.serial), "profinet_io_cm.im0.serial_number")
	env.Fact(dir, dissect.AttrHardware, strconv.Itoa(int(m.hwRev)), "profinet_io_cm.im0.hardware_revision")
	if m.swPrefix >= 'A' && m.swPrefix <= 'Z' {
		env.Fact(dir, dissect.AttrFirmware, string(m.swPrefix)+strconv.Itoa(int(m.swA))+"."+
			strconv.Itoa(int(m.swB))+"."+strconv.Itoa(int(m.swC)), "profinet_io_cm.im0.software_revision")
	}
}

// Gap is not used: one datagram per Parse call.
func (p *parser) Gap(dir dissect.Dir, lost int) {}

// Close has nothing to flush.
func (p *parser) Close() {}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
