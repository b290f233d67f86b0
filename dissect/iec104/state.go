package iec104

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// dirState is what the parser tracks per direction.
type dirState struct {
	desync  bool   // scanning for the next APCI (after garbage or a gap)
	strict  bool   // the scan follows a gap: demand a fully plausible header (see resync)
	nsKnown bool   // nextNS is trustworthy (an I-frame was seen since the start or the last gap)
	nextNS  uint16 // N(S) expected on the next I-frame from this side
	// An N(R) from the peer acknowledged I-frames of this side not seen yet. It is judged on
	// this side's next I-frame (its N(S) shows whether they existed) or dropped by a gap here
	// (the capture lost them: the engine reports the hole only after the acknowledging packet).
	ackSuspect bool
	ackNR      uint16
}

// pendingCmd is an activation (or deactivation) waiting for its confirmation. IEC 104 has no
// transaction id: a confirmation mirrors the command's type, common address and IOA.
// Spec: IEC 60870-5-101 §7.4 (command procedures), §7.2.3 (ACT → ACTCON [→ ACTTERM]).
type pendingCmd struct {
	typeID uint8
	ca     uint16
	ioa    uint32
	from   dissect.Dir
}

// parser is the per-flow state. Not safe for concurrent use.
type parser struct {
	env   *dissect.Env
	dirs  [2]dirState
	apdus uint64 // APDUs parsed on this flow

	roleKnown   bool
	controlling dissect.Dir // the controlling station (master); the other side is controlled

	cas  [maxStationCAs]uint16 // common addresses already reported as facts
	ncas int

	pending  [maxPendingCmds]pendingCmd
	npending int
	flooded  bool // pending table hit its cap: new activations are not tracked until it drains

	a       asdu   // reused per I-frame
	scratch []byte // reused for weird details and time strings
}

func newParser(env *dissect.Env) dissect.Parser {
	return &parser{env: env, scratch: make([]byte, 0, 128)}
}

// Parse consumes whole APDUs from b. An APDU is at most 255 octets, so at most 254 octets are
// ever left unconsumed while waiting for the rest of one.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	ds := &p.dirs[dir&1]
	off := 0
	for off < len(b) {
		rest := b[off:]
		if ds.desync {
			skip, found := resync(rest, ds.strict)
			off += skip
			if !found {
				return off, nil
			}
			ds.desync, ds.strict = false, false
			continue
		}
		if rest[0] != startByte {
			p.weirdByte("iec104_bad_start_byte", "start octet 0x", rest[0])
			ds.desync = true
			continue
		}
		if len(rest) < 2 {
			return off, nil
		}
		l := int(rest[1])
		if l < minAPDULen || l > maxAPDULen {
			p.weirdNum("iec104_invalid_length", "APDU length ", uint64(l))
			ds.desync = true
			off++ // the 0x68 is not a header: scan from the next octet
			continue
		}
		if len(rest) < 2+l {
			return off, nil
		}
		p.apdu(dir, rest[:2+l])
		off += 2 + l
	}
	return off, nil
}

// resync looks for the next APCI in b. It returns how many octets to drop and whether a
// header starts there; when a candidate needs more octets to judge, it keeps it (found false,
// skip at the candidate).
//
// After in-band garbage (wrong start octet, impossible length) any START with a legal length
// is taken, as tshark does: what a misbehaving peer sends next is data worth logging. After a
// gap the scan starts inside an unknown APDU whose values may contain 0x68, so the header must
// be fully plausible (see plausible). Neither rule looks past the candidate, so the result
// does not depend on how the stream was segmented.
func resync(b []byte, strict bool) (skip int, found bool) {
	for i := 0; i < len(b); i++ {
		if b[i] != startByte {
			continue
		}
		v := dissect.NeedMore
		switch {
		case strict:
			v = plausibleHeader(b[i:])
		case len(b)-i >= 2:
			v = dissect.NoMatch
			if l := b[i+1]; l >= minAPDULen && l <= maxAPDULen {
				v = dissect.Match
			}
		}
		switch v {
		case dissect.Match:
			return i, true
		case dissect.NeedMore:
			return i, false
		}
	}
	return len(b), false
}

// plausible is plausibleHeader plus, when the whole APDU and the next octet are present, a
// START in that octet. The probe uses it.
func plausible(b []byte) dissect.Verdict {
	v := plausibleHeader(b)
	if v == dissect.Match && len(b) > 2+int(b[1]) && b[2+int(b[1])] != startByte {
		return dissect.NoMatch
	}
	return v
}

// plausibleHeader judges whether b starts with an APDU header: START, a legal length, a
// control field consistent with its format (S and U: length 4 and zero octets; U: exactly one
// function bit; I: room for the data unit identifier, a defined type id and cause, at least
// one object).
func plausibleHeader(b []byte) dissect.Verdict {
	if len(b) == 0 {
		return dissect.NeedMore
	}
	if b[0] != startByte {
		return dissect.NoMatch
	}
	if len(b) < 2 {
		return dissect.NeedMore
	}
	l := int(b[1])
	if l < minAPDULen || l > maxAPDULen {
		return dissect.NoMatch
	}
	if len(b) < apciLen {
		return dissect.NeedMore
	}
	switch {
	case b[2]&1 == 0: // I
		if l < minAPDULen+asduHdrLen {
			return dissect.NoMatch
		}
		if len(b) < apciLen+3 {
			return dissect.NeedMore
		}
		if types[b[6]].name == "" || b[7]&0x7f == 0 || cotNames[b[8]&0x3f] == "" {
			return dissect.NoMatch
		}
	case b[2] == 0x01: // S
		if l != minAPDULen || b[3] != 0 || b[4]&1 != 0 {
			return dissect.NoMatch
		}
	default: // U
		if l != minAPDULen || uFunctionName(b[2]) == "" || b[3] != 0 || b[4] != 0 || b[5] != 0 {
			return dissect.NoMatch
		}
	}
	return dissect.Match
}

// apdu handles one complete APDU (b is START through the last octet).
func (p *parser) apdu(dir dissect.Dir, b []byte) {
	p.env.PDU()
	first := p.apdus == 0
	p.apdus++
	h := parseAPCI(b)
	switch h.format {
	case fmtI:
		p.iframe(dir, h, b)
	case fmtS:
		if h.length != minAPDULen {
			p.weirdNum("iec104_invalid_length", "S-format APDU length ", uint64(h.length))
		}
		p.checkAck(dir, h.nr)
		p.env.Log("iec104").Bool("is_orig", dir == dissect.Orig).Str("apdu_type", "S").
			Uint("rx_seq", uint64(h.nr)).Done()
	case fmtU:
		fn := uFunctionName(h.ctrl[0])
		if h.length != minAPDULen {
			p.weirdNum("iec104_invalid_length", "U-format APDU length ", uint64(h.length))
		}
		if fn == "" {
			p.weirdByte("iec104_invalid_u_function", "control octet 0x", h.ctrl[0])
		}
		r := p.env.Log("iec104").Bool("is_orig", dir == dissect.Orig).Str("apdu_type", "U")
		if fn != "" {
			r.Str("u_function", fn)
		}
		r.Done()
		switch h.ctrl[0] {
		case uStartDTAct:
			if first {
				// The connection's first APDU: both sides start counting at 0.
				p.dirs[0].nsKnown, p.dirs[0].nextNS = true, 0
				p.dirs[1].nsKnown, p.dirs[1].nextNS = true, 0
			}
			p.setRole(dir)
		case uStopDTAct:
			p.setRole(dir)
		case uStartDTCon, uStopDTCon:
			p.setRole(dir.Flip())
		}
	}
}

// iframe handles an I-format APDU: sequence checks, the ASDU walk, the records, then facts
// and events.
func (p *parser) iframe(dir dissect.Dir, h apci, b []byte) {
	a := &p.a
	p.checkSeq(dir, h.ns)
	p.checkAck(dir, h.nr)
	st := parseASDU(b[apciLen:], a)
	p.asduWeirds(st)
	if st != asduShort {
		p.pair(dir)
	}

	r := p.env.Log("iec104").Bool("is_orig", dir == dissect.Orig).Str("apdu_type", "I").
		Uint("tx_seq", uint64(h.ns)).Uint("rx_seq", uint64(h.nr))
	if st != asduShort {
		r.Uint("type_id", uint64(a.typeID))
		if n := a.name(); n != "" {
			r.Str("type_name", n)
		}
		r.Uint("cot", uint64(a.cot))
		if n := cotNames[a.cot]; n != "" {
			r.Str("cot_name", n)
		}
		r.Bool("negative", a.negative).Bool("test", a.test).
			Uint("originator_address", uint64(a.oa)).Uint("common_address", uint64(a.ca)).
			Uint("num_objects", uint64(a.num))
		if a.objs > 0 {
			r.Array("ioas")
			for i := 0; i < a.objs && i < maxLoggedIOAs; i++ {
				r.ElemUint(uint64(a.ioa[i]))
			}
			r.End()
		}
	}
	r.Done()
	if st == asduShort {
		return
	}
	if isCommandType(a.typeID) {
		p.logCommands(dir)
	}

	// Roles: monitor-direction data comes from the controlled station; activations come from
	// the controlling one and their confirmations from the controlled one.
	switch {
	case isMonitorType(a.typeID):
		p.setRole(dir.Flip())
	case isCommandType(a.typeID):
		switch a.cot {
		case cotReq, cotAct, cotDeact:
			p.setRole(dir)
		case cotActCon, cotDeactCon, cotActTerm, 44, 45, 46, 47:
			p.setRole(dir.Flip())
		}
	}
	p.stationFact()
	if isCommandType(a.typeID) && (a.cot == cotAct || a.cot == cotDeact) {
		if n := a.name(); n != "" {
			p.env.Command(n)
		}
		p.commandEvents(dir)
	}
}

// checkSeq compares an I-frame's N(S) with the one expected from dir, and settles an
// acknowledgement of frames from dir that were not seen.
// Spec: IEC 60870-5-104 §5.1 (sequence numbers count modulo 32768 per direction).
func (p *parser) checkSeq(dir dissect.Dir, ns uint16) {
	ds := &p.dirs[dir&1]
	if ds.ackSuspect {
		ds.ackSuspect = false
		if d := (ds.ackNR - ns) & (seqMod - 1); d != 0 && d < seqMod/2 {
			p.ackWeird(ds.ackNR, ns)
		}
	}
	if ds.nsKnown && ns != ds.nextNS {
		d := (ns - ds.nextNS) & (seqMod - 1)
		b := append(p.scratch[:0], "expected N(S) "...)
		b = strconv.AppendUint(b, uint64(ds.nextNS), 10)
		b = append(b, ", got "...)
		b = strconv.AppendUint(b, uint64(ns), 10)
		if d < seqMod/2 {
			p.env.Weird("iec104_seq_gap", string(b))
		} else {
			p.env.Weird("iec104_seq_duplicate", string(b))
			return // a repeat: keep expecting the next new frame
		}
	}
	ds.nsKnown = true
	ds.nextNS = (ns + 1) & (seqMod - 1)
}

// checkAck checks that N(R) from dir does not acknowledge I-frames the peer has not sent.
// Spec: IEC 60870-5-104 §5.1 (N(R) = number of the next expected I-frame).
func (p *parser) checkAck(dir dissect.Dir, nr uint16) {
	peer := &p.dirs[dir.Flip()&1]
	if !peer.nsKnown {
		return
	}
	d := (nr - peer.nextNS) & (seqMod - 1)
	if d == 0 || d >= seqMod/2 {
		return
	}
	if !peer.ackSuspect || (nr-peer.ackNR)&(seqMod-1) < seqMod/2 {
		peer.ackSuspect, peer.ackNR = true, nr // keep the highest
	}
}

func (p *parser) ackWeird(nr, next uint16) {
	b := append(p.scratch[:0], "N(R) "...)
	b = strconv.AppendUint(b, uint64(nr), 10)
	b = append(b, " but the peer's next N(S) is "...)
	b = strconv.AppendUint(b, uint64(next), 10)
	p.env.Weird("iec104_ack_beyond_sent", string(b))
}

// asduWeirds reports what is wrong with the ASDU just parsed.
func (p *parser) asduWeirds(st asduStatus) {
	a := &p.a
	switch st {
	case asduShort:
		p.weirdNum("iec104_asdu_truncated", "ASDU octets ", uint64(len(a.body)))
		return
	case asduUnknownType:
		p.weirdNum("iec104_unknown_type_id", "type id ", uint64(a.typeID))
	case asduLenMismatch:
		b := append(p.scratch[:0], a.name()...)
		b = append(b, ": "...)
		b = strconv.AppendUint(b, uint64(a.num), 10)
		b = append(b, " objects need "...)
		b = strconv.AppendUint(b, uint64(a.expected), 10)
		b = append(b, " octets, ASDU has "...)
		b = strconv.AppendUint(b, uint64(len(a.body)), 10)
		p.env.Weird("iec104_asdu_length_mismatch", string(b))
	}
	if cotNames[a.cot] == "" {
		p.weirdNum("iec104_unknown_cot", "cause of transmission ", uint64(a.cot))
	}
	if a.negative {
		p.env.Weird("iec104_negative_confirm", p.asduDetail())
	}
	if a.test {
		p.env.Weird("iec104_test_flag", p.asduDetail())
	}
	if a.ca == 0 {
		p.env.Weird("iec104_invalid_common_address", p.asduDetail())
	}
}

// asduDetail names the ASDU for a weird: "C_SC_NA_1 ACTCON ca=1".
func (p *parser) asduDetail() string {
	a := &p.a
	b := p.scratch[:0]
	if n := a.name(); n != "" {
		b = append(b, n...)
	} else {
		b = append(b, "type "...)
		b = strconv.AppendUint(b, uint64(a.typeID), 10)
	}
	b = append(b, ' ')
	if n := cotNames[a.cot]; n != "" {
		b = append(b, n...)
	} else {
		b = append(b, "cot "...)
		b = strconv.AppendUint(b, uint64(a.cot), 10)
	}
	b = append(b, " ca="...)
	b = strconv.AppendUint(b, uint64(a.ca), 10)
	return string(b)
}

// pair tracks activations and matches confirmations to them.
func (p *parser) pair(dir dissect.Dir) {
	a := &p.a
	if !isCommandType(a.typeID) || a.typeID == tC_RD_NA_1 {
		return
	}
	switch a.cot {
	case cotAct, cotDeact:
		for i := 0; i < a.objs; i++ {
			if p.npending == len(p.pending) {
				if !p.flooded {
					p.weirdNum("iec104_pending_flood", "activations awaiting confirmation: ", uint64(p.npending))
				}
				p.flooded = true
				return
			}
			if p.flooded {
				return
			}
			p.pending[p.npending] = pendingCmd{typeID: a.typeID, ca: a.ca, ioa: a.ioa[i], from: dir}
			p.npending++
		}
	case cotActCon, cotDeactCon, cotUnkType, 45, 46, cotUnkIOA:
		unmatched := false
		for i := 0; i < a.objs; i++ {
			j := p.findPending(dir.Flip(), a.typeID, a.ca, a.ioa[i])
			if j < 0 {
				unmatched = true
				continue
			}
			p.npending--
			p.pending[j] = p.pending[p.npending]
		}
		if p.flooded && p.npending < len(p.pending)/2 {
			p.flooded = false
		}
		if unmatched && (a.cot == cotActCon || a.cot == cotDeactCon) {
			p.env.Weird("iec104_unsolicited_confirmation", p.asduDetail())
		}
	}
}

// findPending returns the index of the activation from side from matching a confirmation, or
// -1. An activation to the broadcast address 0xFFFF is confirmed by each station with its own.
func (p *parser) findPending(from dissect.Dir, t uint8, ca uint16, ioa uint32) int {
	for i := 0; i < p.npending; i++ {
		e := &p.pending[i]
		if e.from == from && e.typeID == t && e.ioa == ioa && (e.ca == ca || e.ca == 0xffff) {
			return i
		}
	}
	return -1
}

// logCommands writes one iec104_commands.log record per information object of a command ASDU.
func (p *parser) logCommands(dir dissect.Dir) {
	a := &p.a
	for i := 0; i < a.objs; i++ {
		c := decodeCommand(a.typeID, a.element(i))
		var tb []byte
		if c.hasTime {
			tb = c.time.appendTime(p.scratch[:0])
		}
		r := p.env.Log("iec104_commands").Bool("is_orig", dir == dissect.Orig).
			Uint("type_id", uint64(a.typeID)).Str("type_name", a.name()).Uint("cot", uint64(a.cot))
		if n := cotNames[a.cot]; n != "" {
			r.Str("cot_name", n)
		}
		r.Bool("negative", a.negative).Bool("test", a.test).
			Uint("originator_address", uint64(a.oa)).Uint("common_address", uint64(a.ca)).
			Uint("ioa", uint64(a.ioa[i]))
		if c.state != "" {
			r.Str("state", c.state)
		}
		if c.hasValue {
			r.Float("value", c.value)
		}
		if c.hasBits {
			r.HexUint("bitstring", uint64(c.bits), 8)
		}
		if c.hasSelect {
			if c.sel {
				r.Str("se", "SELECT")
			} else {
				r.Str("se", "EXECUTE")
			}
		}
		if c.hasQual {
			r.Uint("qualifier", uint64(c.qual))
		}
		if c.hasQOI {
			r.Uint("qoi", uint64(c.qoi))
		}
		if c.hasQCC {
			r.Uint("qcc", uint64(c.qcc))
		}
		if c.hasQRP {
			r.Uint("qrp", uint64(c.qrp))
		}
		if c.hasTime {
			r.Bytes("time", tb)
			if c.time.invalid {
				r.Bool("time_invalid", true)
			}
		}
		r.Done()
	}
}

// commandEvents reports activations as operational events issued by dir.
func (p *parser) commandEvents(dir dissect.Dir) {
	a := &p.a
	t := a.typeID
	kind := ""
	switch {
	case t >= tC_SC_NA_1 && t <= tC_BO_NA_1, t >= tC_SC_TA_1 && t <= tC_BO_TA_1:
		kind = dissect.EvCommand
	case t == tC_IC_NA_1, t == tC_CI_NA_1:
		kind = dissect.EvInterrogation
	case t == tC_CS_NA_1:
		kind = dissect.EvTimeSync
	case t == tC_RP_NA_1:
		kind = dissect.EvRestart
	case t >= tP_ME_NA_1 && t <= tP_AC_NA_1:
		kind = dissect.EvConfigWrite
	default:
		return // C_RD (read), C_TS (test), C_CD (delay acquisition): nothing to report
	}
	for i := 0; i < a.objs; i++ {
		c := decodeCommand(t, a.element(i))
		b := p.scratch[:0]
		if a.cot == cotDeact {
			b = append(b, "DEACT "...)
		}
		b = append(b, a.name()...)
		b = append(b, " ca="...)
		b = strconv.AppendUint(b, uint64(a.ca), 10)
		b = append(b, " ioa="...)
		b = strconv.AppendUint(b, uint64(a.ioa[i]), 10)
		if c.state != "" {
			b = append(b, ' ')
			b = append(b, c.state...)
		}
		if c.hasValue {
			b = append(b, " value="...)
			b = strconv.AppendFloat(b, c.value, 'g', -1, 64)
		}
		if c.hasBits {
			b = append(b, " bitstring=0x"...)
			b = strconv.AppendUint(b, uint64(c.bits), 16)
		}
		if c.hasSelect {
			if c.sel {
				b = append(b, " SELECT"...)
			} else {
				b = append(b, " EXECUTE"...)
			}
		}
		if c.hasQOI {
			b = append(b, " qoi="...)
			b = strconv.AppendUint(b, uint64(c.qoi), 10)
		}
		if c.hasQCC {
			b = append(b, " qcc="...)
			b = strconv.AppendUint(b, uint64(c.qcc), 10)
		}
		if c.hasQRP {
			b = append(b, " qrp="...)
			b = strconv.AppendUint(b, uint64(c.qrp), 10)
		}
		if c.hasTime {
			b = append(b, " time="...)
			b = c.time.appendTime(b)
		}
		p.env.Event(dir, kind, string(b))
	}
}

// setRole records which side is the controlling station, once per flow, as facts about both.
func (p *parser) setRole(controlling dissect.Dir) {
	if p.roleKnown {
		return
	}
	p.roleKnown = true
	p.controlling = controlling
	p.env.Fact(controlling, dissect.AttrRole, "iec104_controlling", "apci")
	p.env.Fact(controlling.Flip(), dissect.AttrRole, "iec104_controlled", "apci")
}

// stationFact reports the ASDU's common address as the controlled station's address, once per
// distinct address (up to maxStationCAs per flow). 0 is illegal and 0xFFFF is broadcast.
func (p *parser) stationFact() {
	ca := p.a.ca
	if !p.roleKnown || ca == 0 || ca == 0xffff {
		return
	}
	for i := 0; i < p.ncas; i++ {
		if p.cas[i] == ca {
			return
		}
	}
	if p.ncas == len(p.cas) {
		return
	}
	p.cas[p.ncas] = ca
	p.ncas++
	p.env.Fact(p.controlling.Flip(), dissect.AttrStationAddr, strconv.FormatUint(uint64(ca), 10),
		"asdu.common_address")
}

// Gap drops the direction's framing: the parser rescans for a plausible APCI and forgets the
// expected N(S) of that side (frames were lost).
func (p *parser) Gap(dir dissect.Dir, lost int) {
	ds := &p.dirs[dir&1]
	ds.desync, ds.strict = true, true
	ds.nsKnown, ds.ackSuspect = false, false
}

// Close reports acknowledgements of frames that never came and activations that never got a
// confirmation.
func (p *parser) Close() {
	for i := range p.dirs {
		if ds := &p.dirs[i]; ds.ackSuspect {
			ds.ackSuspect = false
			p.ackWeird(ds.ackNR, ds.nextNS)
		}
	}
	if p.npending == 0 {
		return
	}
	e := &p.pending[0]
	b := strconv.AppendUint(p.scratch[:0], uint64(p.npending), 10)
	b = append(b, " without confirmation, first "...)
	b = append(b, types[e.typeID].name...)
	b = append(b, " ca="...)
	b = strconv.AppendUint(b, uint64(e.ca), 10)
	b = append(b, " ioa="...)
	b = strconv.AppendUint(b, uint64(e.ioa), 10)
	p.env.Weird("iec104_unanswered_command", string(b))
	p.npending = 0
}

func (p *parser) weirdNum(name, prefix string, v uint64) {
	b := append(p.scratch[:0], prefix...)
	b = strconv.AppendUint(b, v, 10)
	p.env.Weird(name, string(b))
}

func (p *parser) weirdByte(name, prefix string, v byte) {
	const digits = "0123456789abcdef"
	b := append(p.scratch[:0], prefix...)
	b = append(b, digits[v>>4], digits[v&15])
	p.env.Weird(name, string(b))
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
