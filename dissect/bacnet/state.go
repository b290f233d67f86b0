package bacnet

import (
	"bytes"
	"net/netip"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// Log names (ICSNPP icsnpp-bacnet).
const (
	logBacnet    = "bacnet"
	logDiscovery = "bacnet_discovery"
	logProperty  = "bacnet_property"
	logDevice    = "bacnet_device_control"
)

// Limits.
const (
	// maxReassembly bounds the reassembled service data of one segmented message per
	// direction (64 KiB: 44 segments of the 1476-octet B/IP maximum APDU). Past it the message
	// is logged without its service parameters and bacnet_segment_overflow is reported.
	maxReassembly = 64 << 10
	// maxRows bounds the bacnet_property rows one APDU may produce (an object-list read can
	// return thousands of identifiers). Past it bacnet_too_many_values is reported.
	maxRows = 4096
	// maxWriteEvents bounds the write events of one WritePropertyMultiple request.
	maxWriteEvents = 16
)

// pendSlot is an unanswered confirmed request, indexed by requester side and invoke id. The
// table is a fixed 2×256 array: it cannot grow, whatever the traffic.
type pendSlot struct {
	used    bool
	service uint8
}

// reasm is the reassembly of one direction's segmented message (clause 5.2, 20.1.2.x).
type reasm struct {
	active  bool
	dropped bool // the message in typ/invoke was reported broken: ignore its other segments
	typ     uint8
	invoke  uint8
	service uint8
	next    uint8 // next expected sequence number
	buf     []byte
}

// Fact slots: the last value reported per side and attribute, so a polled identity is
// reported again only when it changes.
const (
	slotInstance = iota
	slotVendorID
	slotVendor
	slotName
	slotModel
	slotFirmware
	slotSoftware
	nSlots
)

// parser is the per-flow BACnet/IP parser: one BVLC datagram per Parse call. Not safe for
// concurrent use.
type parser struct {
	env *dissect.Env

	// the datagram being parsed
	dir     dissect.Dir
	bv      bvlc
	np      npdu
	hasNPDU bool

	scr []byte // label scratch, reset per record
	val []byte // value scratch, reset per value

	pend       [2][256]pendSlot
	sawReq     [2]bool
	reasm      [2]reasm
	role       [2]bool   // role fact sent for the side
	lastFile   [2]uint64 // 1 + service/file key of the last file transfer event per side
	scanSent   bool
	errs       uint64
	rejects    uint64
	aborts     uint64
	unanswered uint64
	lastFact   [2][nSlots][]byte
	l2         bool // BACnet/Ethernet: no BVLC
}

func newParser(env *dissect.Env) dissect.Parser { return &parser{env: env} }

// Parse decodes one BACnet/IP datagram. Malformed datagrams are reported as anomalies; Parse
// never returns an error.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	p.dir = dir
	p.hasNPDU = false
	p.np = npdu{}
	p.env.PDU()
	if p.env.Flow != nil && p.env.Flow.Proto == 0 {
		// BACnet/Ethernet (ISO 8802-2 LLC, SAP 0x82): the frame carries the NPDU directly.
		p.bv = bvlc{}
		p.l2 = true
		p.onNPDU(b)
		return len(b), nil
	}
	h, lenProb, prob := parseBVLC(b)
	if lenProb {
		p.env.Weird("bacnet_bad_bvlc_length", "BVLC length differs from the datagram")
	}
	if prob != probNone {
		if prob != probBVLCLength {
			p.env.Weird(problemNames[prob], "")
		}
		return len(b), nil
	}
	p.bv = h
	switch h.fn {
	case bvlcForwardedNPDU, bvlcDistributeBroadcast, bvlcOriginalUnicast, bvlcOriginalBroadcast:
		p.onNPDU(h.npdu)
	case bvlcResult:
		r := p.begin(logBacnet).Str("bvlc_function", bvlcNames[h.fn])
		r.Bytes("result_code", p.lbl(bvlcResultName(h.result), "Unknown BVLC Result Code-", uint32(h.result)))
		p.done(r)
	default:
		p.done(p.begin(logBacnet).Str("bvlc_function", p.bvlcName()))
	}
	return len(b), nil
}

// Gap cannot happen on UDP; it drops partial reassembly all the same.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	p.reasm[dir&1].active = false
}

// Close reports what was counted over the flow: error, reject and abort PDUs, and confirmed
// requests that never got an answer.
func (p *parser) Close() {
	for side := range p.pend {
		for i := range p.pend[side] {
			if p.pend[side][i].used {
				p.unanswered++
				p.pend[side][i].used = false
			}
		}
	}
	count := func(name string, n uint64) {
		if n > 0 {
			p.env.Weird(name, strconv.FormatUint(n, 10))
		}
	}
	count("bacnet_error_pdus", p.errs)
	count("bacnet_reject_pdus", p.rejects)
	count("bacnet_abort_pdus", p.aborts)
	count("bacnet_unanswered_requests", p.unanswered)
}

func (p *parser) bvlcName() string {
	if p.bv.fn == bvlcSecureBVLL {
		return "Secure_BVLL"
	}
	return bvlcNames[p.bv.fn]
}

func (p *parser) onNPDU(b []byte) {
	n, prob := parseNPDU(b)
	if prob != probNone {
		p.env.Weird(problemNames[prob], "")
		return
	}
	p.np, p.hasNPDU = n, true
	if n.netMsg {
		r := p.begin(logBacnet).Str("bvlc_function", p.bvlcName()).Str("pdu_type", "NPDU")
		r.Bytes("pdu_service", p.lbl(name(npduMessageNames[:], uint32(n.msgType)), "Unknown NPDU Type-", uint32(n.msgType)))
		p.done(r)
		return
	}
	a, prob := parseAPDU(n.apdu)
	if prob != probNone {
		p.env.Weird(problemNames[prob], "")
		return
	}
	p.onAPDU(&a)
}

func (p *parser) onAPDU(a *apdu) {
	switch a.typ {
	case pduConfirmed, pduComplexAck:
		body, complete := a.body, true
		if a.seg {
			body, complete = p.segment(a)
			if a.mor {
				return // a segmented message is logged once, with its last segment (as ICSNPP)
			}
		}
		if a.typ == pduConfirmed {
			if int(a.service) < len(confirmedNames) && confirmedNames[a.service] != "" {
				p.env.Command(confirmedNames[a.service])
			}
			p.header(a, 0, false)
			p.request(a, body, complete)
			return
		}
		p.matchResponse(a)
		p.header(a, 0, false)
		if complete {
			p.complexAck(a, body)
		}
	case pduUnconfirmed:
		if int(a.service) < len(unconfirmedNames) && unconfirmedNames[a.service] != "" {
			p.env.Command(unconfirmedNames[a.service])
		}
		p.header(a, 0, false)
		p.unconfirmed(a)
	case pduSimpleAck:
		p.matchResponse(a)
		p.header(a, 0, false)
		if a.service == svcDeviceCommControl || a.service == svcReinitializeDevice {
			p.deviceResult(a, a.service, "SUCCESS", nil)
		}
	case pduSegmentAck:
		p.header(a, 0, false)
	case pduError:
		p.errs++
		p.matchResponse(a)
		_, code, ok := errorCode(a.body)
		p.header(a, code, ok)
		var codeName []byte
		if ok {
			codeName = p.errorName(code)
		}
		switch a.service {
		case svcReadProperty, svcReadPropertyMultiple, svcWriteProperty, svcWritePropMultiple:
			r := p.begin(logProperty).Uint("invoke_id", uint64(a.invoke))
			r.Str("pdu_service", errorServiceName(a.service))
			if ok {
				r.Bytes("object_type", codeName)
			}
			p.done(r)
		case svcDeviceCommControl, svcReinitializeDevice:
			p.deviceResult(a, a.service, "ERROR", codeName)
		}
	case pduReject, pduAbort:
		if a.typ == pduReject {
			p.rejects++
		} else {
			p.aborts++
		}
		svc, known := p.matchResponse(a)
		p.header(a, 0, false)
		if known && (svc == svcDeviceCommControl || svc == svcReinitializeDevice) {
			res, code := "REJECT", p.lbl(name(rejectNames[:], uint32(a.reason)), "Unknown Reject Reason-", uint32(a.reason))
			if a.typ == pduAbort {
				res, code = "ABORT", p.lbl(name(abortNames[:], uint32(a.reason)), "Unknown Abort Reason-", uint32(a.reason))
			}
			p.deviceResult(a, svc, res, code)
		}
	}
}

// segment adds a segment of a confirmed request or complex ACK to the direction's
// reassembly. On the last segment it returns the whole service data and whether every
// segment was seen in order.
func (p *parser) segment(a *apdu) ([]byte, bool) {
	s := &p.reasm[p.dir]
	switch {
	case a.seq == 0:
		s.dropped = false
		s.active, s.typ, s.invoke, s.service, s.next = true, a.typ, a.invoke, a.service, 1
		s.buf = append(s.buf[:0], a.body...)
	case s.active && s.typ == a.typ && s.invoke == a.invoke && a.seq == s.next:
		s.buf = append(s.buf, a.body...)
		s.next++
	case s.active && s.typ == a.typ && s.invoke == a.invoke && a.seq == s.next-1:
		// a retransmitted segment: already have it
	case s.dropped && s.typ == a.typ && s.invoke == a.invoke:
		// the rest of a message already reported and dropped
	default:
		p.env.Weird("bacnet_segment_out_of_order", "segment sequence number not the expected one")
		s.active, s.dropped, s.typ, s.invoke = false, true, a.typ, a.invoke
	}
	if s.active && len(s.buf) > maxReassembly {
		p.env.Weird("bacnet_segment_overflow", "segmented message larger than 64 KiB")
		s.active, s.dropped = false, true
	}
	if !s.active {
		s.buf = s.buf[:0]
		if cap(s.buf) > maxReassembly*2 {
			s.buf = nil
		}
	}
	if a.mor {
		return nil, false
	}
	ok := s.active
	s.active, s.dropped = false, false
	return s.buf, ok
}

// matchResponse pairs a response with its request by invoke id. It returns the request's
// service when the request was seen.
func (p *parser) matchResponse(a *apdu) (uint8, bool) {
	requester := p.dir.Flip()
	if a.typ == pduAbort && !a.server {
		requester = p.dir // an abort from the client cancels its own transaction
	}
	s := &p.pend[requester][a.invoke]
	if s.used {
		s.used = false
		return s.service, true
	}
	if p.sawReq[requester] && !(a.typ == pduAbort && !a.server) {
		p.env.Weird("bacnet_unsolicited_response", "response to an invoke id with no pending request")
	}
	return 0, false
}

// header writes the bacnet.log row of an APDU.
func (p *parser) header(a *apdu, code uint32, hasCode bool) {
	r := p.begin(logBacnet)
	if !p.l2 {
		r.Str("bvlc_function", p.bvlcName())
	}
	r.Str("pdu_type", apduTypeNames[a.typ])
	switch a.typ {
	case pduUnconfirmed:
		r.Bytes("pdu_service", p.lbl(name(unconfirmedNames[:], uint32(a.service)), "Unknown Service Choice-", uint32(a.service)))
	case pduConfirmed, pduSimpleAck, pduComplexAck, pduError:
		r.Bytes("pdu_service", p.lbl(name(confirmedNames[:], uint32(a.service)), "Unknown Service Choice-", uint32(a.service)))
		r.Uint("invoke_id", uint64(a.invoke))
		if hasCode {
			r.Bytes("result_code", p.errorName(code))
		}
	case pduSegmentAck:
		r.Uint("invoke_id", uint64(a.invoke))
	case pduReject:
		r.Str("pdu_service", "reject").Uint("invoke_id", uint64(a.invoke))
		r.Bytes("result_code", p.lbl(name(rejectNames[:], uint32(a.reason)), "Unknown Reject Reason-", uint32(a.reason)))
	case pduAbort:
		r.Str("pdu_service", "abort").Uint("invoke_id", uint64(a.invoke))
		r.Bytes("result_code", p.lbl(name(abortNames[:], uint32(a.reason)), "Unknown Abort Reason-", uint32(a.reason)))
	}
	p.done(r)
}

func (p *parser) errorName(code uint32) []byte {
	return p.lbl(errorCodeName(code), "Unknown Error Code-", code)
}

// begin opens a record of log with the sender/receiver columns of the current datagram.
func (p *parser) begin(log string) *dissect.Record {
	p.scr = p.scr[:0]
	f := p.env.Flow
	src, dst := f.Orig, f.Resp
	if p.dir == dissect.Resp {
		src, dst = dst, src
	}
	r := p.env.Log(log).Bool("is_orig", p.dir == dissect.Orig)
	if src.IP.IsValid() {
		r.Addr("source_h", src.IP).Uint("source_p", uint64(src.Port))
	}
	if dst.IP.IsValid() {
		r.Addr("destination_h", dst.IP).Uint("destination_p", uint64(dst.Port))
	}
	if p.l2 {
		r.MAC("source_mac", src.MAC).MAC("destination_mac", dst.MAC)
	}
	return r
}

// done adds the routing columns ICSNPP logs for routed and forwarded traffic, then closes r.
func (p *parser) done(r *dissect.Record) {
	if p.hasNPDU {
		if p.np.hasSrc {
			r.Uint("snet", uint64(p.np.snet)).Uint("slen", uint64(len(p.np.sadr)))
			if len(p.np.sadr) > 0 {
				r.Hex("sadr", p.np.sadr)
			}
		}
		if p.np.hasDst {
			r.Uint("dnet", uint64(p.np.dnet)).Uint("dlen", uint64(len(p.np.dadr)))
			if len(p.np.dadr) > 0 {
				r.Hex("dadr", p.np.dadr)
			}
		}
	}
	if p.bv.fn == bvlcForwardedNPDU {
		r.Addr("fwd_ip", netip.AddrFrom4(p.bv.fwdIP)).Uint("fwd_port", uint64(p.bv.fwdPort))
	}
	r.Done()
}

// lbl returns known, or ICSNPP's spelling for an unknown code: prefix + "0x" + hex.
func (p *parser) lbl(known, prefix string, v uint32) []byte {
	start := len(p.scr)
	if known != "" {
		p.scr = append(p.scr, known...)
	} else {
		p.scr = append(p.scr, prefix...)
		p.scr = append(p.scr, '0', 'x')
		if v < 256 {
			p.scr = appendHex2(p.scr, uint8(v))
		} else {
			p.scr = strconv.AppendUint(p.scr, uint64(v), 16)
		}
	}
	return p.scr[start:]
}

// fact reports attr = v about side unless it is the value last reported for that slot.
func (p *parser) fact(side dissect.Dir, slot int, attr string, v []byte, field string) {
	if len(v) == 0 || bytes.Equal(p.lastFact[side][slot], v) {
		return
	}
	p.lastFact[side][slot] = append(p.lastFact[side][slot][:0], v...)
	p.env.Fact(side, attr, string(v), field)
}

// local reports whether the current datagram's APDU comes from the B/IP sender itself: not
// routed from another network (no SNET) and not forwarded by a BBMD.
func (p *parser) local() bool {
	return !(p.hasNPDU && p.np.hasSrc) && p.bv.fn != bvlcForwardedNPDU
}

// roles reports the client and server roles the first time a side issues a confirmed request.
func (p *parser) roles() {
	if p.role[p.dir] {
		return
	}
	p.role[p.dir] = true
	p.env.Fact(p.dir, dissect.AttrRole, "bacnet_client", "apdu.confirmed_request")
	p.env.Fact(p.dir.Flip(), dissect.AttrRole, "bacnet_server", "apdu.confirmed_request")
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
