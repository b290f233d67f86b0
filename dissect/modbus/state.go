package modbus

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// maxPending bounds the unanswered requests tracked per flow (Suricata's modbus
// request-flood default is 500). Past it the oldest request is logged as unanswered and a
// modbus_request_flood anomaly is reported once per flow.
const maxPending = 500

// unitScanThreshold is how many distinct unit ids one connection may address before it is
// reported as a unit scan (Defender's PLC scan threshold is 10).
const unitScanThreshold = 10

// pending is an unanswered request. Its body's slices point into buf, which it owns and
// reuses across requests.
type pending struct {
	tid     uint16
	unit    uint8
	fc      FuncCode
	ts      int64
	q       body
	buf     []byte
	link    [16]byte
	hasLink bool
}

// dirState is the framing state of one direction.
//
// Around a gap it follows Zeek's binpac flow buffer, which keeps the ADU it was assembling when
// bytes go missing and completes it with whatever bytes come next: an ADU whose header had
// arrived is logged and its missing body is taken from the bytes after the gap (skip); the
// first bytes of a header are kept (carry) and the header is completed from them.
type dirState struct {
	resync bool // the stream lost sync: scan for a plausible MBAP header before parsing

	// The incomplete ADU left at the end of the last Parse call, in sync (what a gap cuts).
	cut      header            // its header, when cutHdr
	cutHdr   bool              // the header was complete and valid
	cutHave  int               // bytes of the ADU received
	cutBytes [mbapLen + 2]byte // its first bytes (all of them when cutHave < 9)

	carry  [mbapLen + 1]byte // the start of a header cut by a gap, completed by the next bytes
	ncarry int
	skip   int  // bytes after a gap that complete the body of an ADU cut by it
	loose  bool // first header after a cut ADU: a bad one is blamed on the loss (no weird)
}

// Fact slots: the last value reported per attribute, so a polled identity is reported
// once per flow and again only when it changes.
const (
	slotVendor = iota
	slotProductCode
	slotRevision
	slotProductName
	slotModelName
	slotUserApp
	slotSoftware
	slotRunIndicator
	nSlots
)

// parser is the per-flow Modbus/TCP parser. Not safe for concurrent use.
type parser struct {
	env    *dissect.Env
	server dissect.Dir // the side that answers requests (port 502 by default)
	dirs   [2]dirState

	pend    []pending // unanswered requests, oldest first; len ≤ maxPending
	flooded bool      // modbus_request_flood already reported on this flow

	// Unmatched responses are reported only once the parser can expect to have seen their
	// request: after the first request of the flow (a capture may start mid-conversation)
	// and not between a gap and the next matched pair.
	sawRequest bool
	afterGap   bool

	rolesSent bool
	units     [4]uint64 // unit ids already reported as station_address facts
	reqUnits  [4]uint64 // unit ids the client addressed
	nReqUnits int
	unitScan  bool // a unit scan was reported on this flow
	linkSeq   uint64
	link      [16]byte // link id of the current response when it has no request
	lastFact  [nSlots][]byte
	req, resp body         // decode scratch
	scratch   []byte       // formatting scratch for strings built from bytes
	joined    [maxADU]byte // an ADU whose header straddles a gap, made contiguous
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, server: dissect.Resp}
	if env != nil && env.Flow != nil {
		p.server = serverSide(env.Flow)
	}
	return p
}

// serverSide picks the server from the ports: Modbus/TCP servers listen on 502. A flow on
// other ports is taken as originated by the client.
func serverSide(f *dissect.FlowInfo) dissect.Dir {
	switch {
	case f.Resp.Port == 502:
		return dissect.Resp
	case f.Orig.Port == 502:
		return dissect.Orig
	}
	return dissect.Resp
}

// Parse consumes whole Modbus/TCP ADUs from b. It never returns an error. A header that
// cannot be Modbus (protocol id != 0, length outside 2..254) is reported and parsing goes on
// from the next plausible header in b; when there is none the rest of b is dropped, as Zeek's
// parser drops the rest of a segment on an exception, and the next segment is read from its
// first byte.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	d := &p.dirs[dir&1]
	d.cutHave, d.cutHdr = 0, false
	off := 0
	if d.skip > 0 {
		// The body of an ADU cut by a gap: Zeek completes it with these bytes.
		k := min(d.skip, len(b))
		d.skip -= k
		if d.skip > 0 {
			return len(b), nil
		}
		off = k
	}
	if d.ncarry > 0 {
		n, done := p.carried(dir, b[off:])
		if !done {
			return off + n, nil
		}
		off += n
	}
	if d.resync {
		rest := b[off:]
		// After a gap, segments usually resume on a PDU boundary: a valid MBAP header right
		// at the first byte is taken as it is (as Zeek does), whatever its function code;
		// elsewhere only a fully plausible header resynchronises the stream.
		if h, prob := parseHeader(rest); prob == hdrOK && h.fc != 0 {
			d.resync = false
		} else {
			k, found := p.scan(dir, rest)
			if !found {
				return off + k, nil
			}
			off, d.resync = off+k, false
		}
	}
	for {
		rest := b[off:]
		h, prob := parseHeader(rest)
		if prob == hdrShort || (prob == hdrOK && len(rest) < 6+int(h.length)) {
			p.keepCut(d, h, prob == hdrOK, rest)
			return off, nil
		}
		if prob != hdrOK {
			if d.loose {
				// The ADU cut by a gap was completed with the wrong bytes: drop the segment,
				// as Zeek does, and resynchronise on the next one.
				p.badHeader(d, h, prob)
				return len(b), nil
			}
			p.badHeader(d, h, prob)
			k, found := p.scan(dir, rest[1:])
			if !found {
				// No ADU left in this segment: drop it (Zeek drops it too) so that the next
				// segment is read from its first byte.
				return len(b), nil
			}
			off += 1 + k
			d.resync = false
			continue
		}
		d.loose = false
		total := 6 + int(h.length)
		p.pdu(dir, h, rest[mbapLen+1:total])
		off += total
	}
}

// badHeader reports an impossible header (unless the loss of bytes before it explains it)
// and puts the direction in resynchronisation.
func (p *parser) badHeader(d *dirState, h header, prob headerProblem) {
	if !d.loose {
		switch prob {
		case hdrProtocolID:
			p.env.Weird(weirdInvalidProtocolID, "protocol id "+strconv.Itoa(int(h.pid)))
		case hdrLength:
			p.env.Weird(weirdInvalidLength, "length "+strconv.Itoa(int(h.length)))
		}
	}
	d.loose, d.resync, d.ncarry = false, true, 0
}

// keepCut notes the incomplete ADU at the start of b (the engine keeps it for the next
// call), in case a gap cuts it.
func (p *parser) keepCut(d *dirState, h header, hdrOK bool, b []byte) {
	d.cut, d.cutHdr, d.cutHave = h, hdrOK, d.ncarry+len(b)
	n := copy(d.cutBytes[:], d.carry[:d.ncarry])
	copy(d.cutBytes[n:], b)
}

// carried completes the header begun by the bytes carried over a gap with the start of b. It
// returns how many bytes of b it used and whether parsing can go on after them.
func (p *parser) carried(dir dissect.Dir, b []byte) (int, bool) {
	d := &p.dirs[dir&1]
	c := d.ncarry
	var hb [mbapLen + 1]byte
	copy(hb[:], d.carry[:c])
	n := copy(hb[c:], b)
	h, prob := parseHeader(hb[:c+n])
	switch {
	case prob == hdrShort || (prob == hdrOK && c+len(b) < 6+int(h.length)):
		p.keepCut(d, h, prob == hdrOK, b)
		return 0, false
	case prob != hdrOK:
		p.badHeader(d, h, prob)
		return len(b), false
	}
	total := 6 + int(h.length) - c // bytes of this ADU in b
	adu := p.joined[:c+total]
	copy(adu, d.carry[:c])
	copy(adu[c:], b[:total])
	d.ncarry, d.loose = 0, false
	p.pdu(dir, h, adu[mbapLen+1:])
	return total, true
}

// scan looks for the first offset of b that holds a plausible MBAP header for dir. When
// none is found it returns how many leading bytes can be dropped (all but the last few,
// which may start a header).
func (p *parser) scan(dir dissect.Dir, b []byte) (int, bool) {
	for i := 0; i+mbapLen+1 <= len(b); i++ {
		if plausible(b[i:], dir != p.server) {
			return i, true
		}
	}
	return max(0, len(b)-mbapLen), false
}

// plausible reports whether b starts with an MBAP header and function code that could begin
// a Modbus ADU: protocol id 0, length 2..254, a known function code (a request never has
// the exception bit), and, when the whole ADU and the next header are in b, a valid next
// header too.
func plausible(b []byte, request bool) bool {
	h, prob := parseHeader(b)
	if prob != hdrOK || !knownFunc(h.fc) || (request && h.fc&fcExceptionBit != 0) {
		return false
	}
	total := 6 + int(h.length)
	if len(b) >= total+mbapLen {
		if _, p2 := parseHeader(b[total:]); p2 == hdrProtocolID || p2 == hdrLength {
			return false
		}
	}
	return true
}

// Gap handles lost bytes as Zeek does. An ADU cut by the gap is completed with the bytes that
// follow it: when its header had arrived it is logged now, as Zeek logs a header as soon as it
// has it, and the bytes after the gap fill its body; otherwise the start of its header waits
// for the next bytes. When the gap falls between ADUs, the next bytes are trusted only from a
// valid header at their start or a plausible header further on.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	d := &p.dirs[dir&1]
	p.afterGap = true
	switch {
	case d.resync:
	case d.cutHdr:
		p.cutPDU(dir, d)
		d.skip += 6 + int(d.cut.length) - d.cutHave
		d.ncarry, d.loose = 0, true
	case d.cutHave > 0:
		d.ncarry = copy(d.carry[:], d.cutBytes[:d.cutHave])
		d.loose = true
	case d.skip == 0 && d.ncarry == 0:
		d.resync, d.loose = true, false
	}
	d.cutHave, d.cutHdr = 0, false
}

// cutPDU logs the modbus.log line of an ADU whose header arrived before a gap: Zeek writes a
// request or normal response from its header, an exception response once it has the code.
func (p *parser) cutPDU(dir dissect.Dir, d *dirState) {
	h := d.cut
	if dir != p.server {
		if h.fc&fcExceptionBit != 0 {
			return
		}
		p.env.PDU()
		p.sawRequest = true
		p.env.Command(funcNames[h.fc])
		p.logModbus(h, "REQ", "")
		return
	}
	switch {
	case h.fc&fcExceptionBit == 0:
		p.env.PDU()
		p.logModbus(h, "RESP", "")
	case d.cutHave > mbapLen+1:
		p.env.PDU()
		p.logModbus(h, "RESP", exceptionNames[d.cutBytes[mbapLen+1]])
	}
}

// Close logs the requests that never got an answer.
func (p *parser) Close() {
	for i := range p.pend {
		p.logUnanswered(&p.pend[i])
	}
	p.pend = p.pend[:0]
}

// pdu handles one complete ADU: h is its header, data the bytes after the function code.
func (p *parser) pdu(dir dissect.Dir, h header, data []byte) {
	p.env.PDU()
	if !p.rolesSent {
		p.rolesSent = true
		p.env.Fact(p.server, dissect.AttrRole, "modbus_server", "modbus")
		p.env.Fact(p.server.Flip(), dissect.AttrRole, "modbus_client", "modbus")
	}
	if dir != p.server {
		p.request(dir, h, data)
	} else {
		p.response(dir, h, data)
	}
}

// request handles a PDU from the client.
func (p *parser) request(dir dissect.Dir, h header, data []byte) {
	p.sawRequest = true
	fc := h.fc
	p.env.Command(funcNames[fc])
	if p.reqUnits[h.unit>>6]&(1<<(h.unit&63)) == 0 {
		p.reqUnits[h.unit>>6] |= 1 << (h.unit & 63)
		p.nReqUnits++
		if p.nReqUnits == unitScanThreshold && !p.unitScan {
			// A gateway fronts a handful of units; a client walking many unit ids is probing.
			p.unitScan = true
			p.env.Event(dir, dissect.EvScan, "modbus unit scan: "+strconv.Itoa(p.nReqUnits)+" unit ids addressed")
		}
	}
	if fc&fcExceptionBit != 0 {
		// Zeek logs PDUs with the exception bit only as exception responses; a request
		// carrying it is malformed.
		p.env.Weird(weirdExceptionRequest, funcNames[fc])
		return
	}
	p.logModbus(h, "REQ", "")
	if !knownFunc(fc) {
		p.env.Weird(weirdUnknownFunction, funcNames[fc])
	}
	q := &p.req
	if prob := parseRequest(fc, data, q); prob != "" {
		p.env.Weird(weirdMalformedPDU, prob)
	}
	p.checkRequest(fc, q)
	p.requestEvents(dir, h, q)

	pe := p.track(h)
	pe.q = *q
	pe.q.vals, pe.q.data, pe.q.writeRegs = nil, nil, nil
	pe.buf = append(pe.buf[:0], q.vals...)
	nv := len(pe.buf)
	if fc == fcDiagnostics || !knownPublic(fc) {
		pe.buf = append(pe.buf, q.data...)
	}
	pe.q.vals = pe.buf[:nv:nv]
	pe.q.data = pe.buf[nv:]

	switch {
	case fc == fcMaskWriteRegister:
		pe.link, pe.hasLink = p.nextLink(), true
		p.logMaskWrite(dir, h, q, pe.link[:], "REQUEST")
	case fc == fcReadWriteMultipleRegisters:
		pe.link, pe.hasLink = p.nextLink(), true
		p.logReadWrite(dir, h, q, pe.link[:], "REQUEST")
	case fc == fcEncapInterfaceTransport && q.hasMEI && q.mei == meiReadDeviceID:
		pe.link, pe.hasLink = p.nextLink(), true
		p.logDeviceIDRequest(dir, h, q, pe.link[:])
	}
}

// knownPublic reports whether fc is one of the public functions this parser decodes.
func knownPublic(fc FuncCode) bool {
	switch fc {
	case fcReadCoils, fcReadDiscreteInputs, fcReadHoldingRegisters, fcReadInputRegisters,
		fcWriteSingleCoil, fcWriteSingleRegister, fcReadExceptionStatus, fcDiagnostics,
		fcGetCommEventCounter, fcGetCommEventLog, fcWriteMultipleCoils, fcWriteMultipleRegisters,
		fcReportServerID, fcReadFileRecord, fcWriteFileRecord, fcMaskWriteRegister,
		fcReadWriteMultipleRegisters, fcReadFIFOQueue, fcEncapInterfaceTransport:
		return true
	}
	return false
}

// checkRequest reports request fields outside what the specification allows.
func (p *parser) checkRequest(fc FuncCode, q *body) {
	if !q.coilValid {
		p.env.Weird(weirdInvalidCoilValue, funcNames[fc])
	}
	if !q.qtyInRange {
		p.env.Weird(weirdQuantityOutOfRange, funcNames[fc])
	}
	if fc == fcDiagnostics && q.hasSub {
		if diagName(q.sub) == "" {
			p.env.Weird(weirdDiagUnknownSubfunc, strconv.Itoa(int(q.sub)))
		} else if !diagDataValid(q.sub, q.data) {
			p.env.Weird(weirdDiagInvalidData, diagName(q.sub))
		}
	}
}

// diagDataValid checks a diagnostics request's data against §6.8.1: two bytes (any length
// that is a multiple of two for Return Query Data), 0x0000 for the counters, 0x0000/0xFF00 for
// Restart Communications, an ASCII character and 0x00 for Change ASCII Input Delimiter.
func diagDataValid(sub uint16, d []byte) bool {
	if len(d) < 2 || len(d)%2 != 0 || (sub != diagReturnQueryData && len(d) != 2) {
		return false
	}
	switch sub {
	case diagReturnQueryData:
		return true
	case diagRestartCommunications:
		return (d[0] == 0x00 || d[0] == 0xFF) && d[1] == 0
	case diagChangeASCIIDelimiter:
		return d[0] < 0x80 && d[1] == 0
	}
	return d[0] == 0 && d[1] == 0
}

// track returns a fresh pending entry for request h, evicting what it must: an older
// request with the same transaction id (the client gave up on it) or, at the cap, the oldest.
func (p *parser) track(h header) *pending {
	for i := range p.pend {
		if p.pend[i].tid == h.tid {
			p.logUnanswered(&p.pend[i])
			p.remove(i)
			break
		}
	}
	if len(p.pend) >= maxPending {
		if !p.flooded {
			p.flooded = true
			p.env.Weird(weirdRequestFlood, strconv.Itoa(maxPending)+" unanswered requests")
		}
		p.logUnanswered(&p.pend[0])
		p.remove(0)
	}
	if len(p.pend) < cap(p.pend) {
		p.pend = p.pend[:len(p.pend)+1]
	} else {
		p.pend = append(p.pend, pending{})
	}
	pe := &p.pend[len(p.pend)-1]
	pe.tid, pe.unit, pe.fc, pe.ts, pe.hasLink = h.tid, h.unit, h.fc, p.env.TS, false
	return pe
}

// remove deletes pending entry i, keeping order, and parks its buffer past the end for reuse.
func (p *parser) remove(i int) {
	last := len(p.pend) - 1
	buf := p.pend[i].buf
	copy(p.pend[i:], p.pend[i+1:])
	p.pend[last] = pending{buf: buf[:0]}
	p.pend = p.pend[:last]
}

// find returns the index of the oldest pending request with transaction id tid, or -1.
func (p *parser) find(tid uint16) int {
	for i := range p.pend {
		if p.pend[i].tid == tid {
			return i
		}
	}
	return -1
}

// response handles a PDU from the server.
func (p *parser) response(dir dissect.Dir, h header, data []byte) {
	fc := h.fc
	base := fc &^ fcExceptionBit
	isExc := fc&fcExceptionBit != 0
	var exc uint8
	if isExc {
		if len(data) < 1 {
			p.env.Weird(weirdMalformedPDU, probTruncated)
			return
		}
		exc = data[0]
		p.logModbus(h, "RESP", exceptionNames[exc])
		p.env.Weird(weirdExceptionResponse, exceptionNames[exc])
		if len(data) > 1 {
			p.env.Weird(weirdMalformedPDU, probTrailing)
		}
	} else {
		p.logModbus(h, "RESP", "")
		if !knownFunc(fc) {
			p.env.Weird(weirdUnknownFunction, funcNames[fc])
		}
	}
	p.stationFact(dir, h.unit)

	// Pair with the request by transaction id; the function must agree.
	idx := p.find(h.tid)
	if idx >= 0 && p.pend[idx].fc != base {
		p.env.Weird(weirdFunctionMismatch, funcNames[fc])
		p.logUnanswered(&p.pend[idx])
		p.remove(idx)
		idx = -1
	} else if idx < 0 && p.sawRequest && !p.afterGap {
		p.env.Weird(weirdUnmatchedResponse, funcNames[fc])
	}
	var pe *pending
	if idx >= 0 {
		pe = &p.pend[idx]
		p.afterGap = false
	}

	if isExc {
		p.exceptionEvent(dir, h, base, exc)
		p.logDetailed(h.tid, h.unit, base, pe, nil, &exc, nil)
	} else {
		q := &p.resp
		if prob := parseResponse(fc, data, q); prob != "" {
			p.env.Weird(weirdMalformedPDU, prob)
		}
		p.responseFacts(dir, fc, q)
		var link []byte
		extra := fc == fcMaskWriteRegister || fc == fcReadWriteMultipleRegisters ||
			(fc == fcEncapInterfaceTransport && q.hasMEI && q.mei == meiReadDeviceID)
		if pe != nil && pe.hasLink {
			link = pe.link[:]
		} else if extra {
			p.link = p.nextLink()
			link = p.link[:]
		}
		switch {
		case fc == fcMaskWriteRegister:
			p.logMaskWrite(dir, h, q, link, "RESPONSE")
		case fc == fcReadWriteMultipleRegisters:
			p.logReadWrite(dir, h, q, link, "RESPONSE")
		case fc == fcEncapInterfaceTransport && q.hasMEI && q.mei == meiReadDeviceID:
			p.logDeviceIDResponse(dir, h, q, link)
		}
		p.logDetailed(h.tid, h.unit, base, pe, q, nil, link)
	}
	if idx >= 0 {
		p.remove(idx)
	}
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
