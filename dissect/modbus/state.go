package modbus

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// maxPending bounds the unanswered requests tracked per flow (Suricata's modbus
// request-flood default is 500). Past it the oldest request is logged as unanswered and a
// modbus_request_flood anomaly is reported once per flow.
const maxPending = 500

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
type dirState struct {
	resync bool // the stream lost sync: scan for a plausible MBAP header before parsing
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
	linkSeq   uint64
	link      [16]byte // link id of the current response when it has no request
	lastFact  [nSlots][]byte
	req, resp body   // decode scratch
	scratch   []byte // formatting scratch for strings built from bytes
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

// Parse consumes whole Modbus/TCP ADUs from b. It never returns an error: a header that
// cannot be Modbus is reported and the stream is resynchronised on the next plausible
// header.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	d := &p.dirs[dir&1]
	off := 0
	if d.resync {
		// After a gap, segments usually resume on a PDU boundary: a valid MBAP header right
		// at the first byte is taken as it is (as Zeek does), whatever its function code;
		// elsewhere only a fully plausible header resynchronises the stream.
		if h, prob := parseHeader(b); prob == hdrOK && h.fc != 0 {
			d.resync = false
		}
	}
	if d.resync {
		k, found := p.scan(dir, b)
		if !found {
			return k, nil
		}
		off, d.resync = k, false
	}
	for {
		rest := b[off:]
		h, prob := parseHeader(rest)
		switch prob {
		case hdrShort:
			return off, nil
		case hdrProtocolID:
			p.env.Weird(weirdInvalidProtocolID, "protocol id "+strconv.Itoa(int(h.pid)))
		case hdrLength:
			p.env.Weird(weirdInvalidLength, "length "+strconv.Itoa(int(h.length)))
		}
		if prob != hdrOK {
			k, found := p.scan(dir, rest[1:])
			if !found {
				d.resync = true
				return off + 1 + k, nil
			}
			off += 1 + k
			continue
		}
		total := 6 + int(h.length)
		if len(rest) < total {
			return off, nil
		}
		p.pdu(dir, h, rest[mbapLen+1:total])
		off += total
	}
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

// Gap drops framing: the next bytes of dir are trusted only from a plausible header on.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	p.dirs[dir&1].resync = true
	p.afterGap = true
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
