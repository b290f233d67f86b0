package dnp3

import (
	"bytes"
	"math"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// Role fact values.
const (
	roleMaster     = "dnp3_master"
	roleOutstation = "dnp3_outstation"
)

// Anomaly names (weird.log).
const (
	weirdBadCRC           = "dnp3_bad_crc"
	weirdBadLinkLength    = "dnp3_bad_link_length"
	weirdLacksMagic       = "dnp3_header_lacks_magic"
	weirdTruncatedFrame   = "dnp3_truncated_frame"
	weirdUnexpectedData   = "dnp3_unexpected_link_data"
	weirdFirstMissing     = "dnp3_transport_first_segment_missing"
	weirdTransportSeq     = "dnp3_transport_sequence_error"
	weirdFragmentTooLarge = "dnp3_fragment_too_large"
	weirdTruncatedAppHdr  = "dnp3_truncated_application_header"
	weirdUnknownFunction  = "dnp3_unknown_function_code"
	weirdUnknownGroup     = "dnp3_unknown_object_group"
	weirdUnknownObject    = "dnp3_unknown_object"
	weirdTruncatedObject  = "dnp3_truncated_object"
	weirdBadQualifier     = "dnp3_bad_qualifier"
	weirdBadRange         = "dnp3_bad_range"
	weirdTooManyObjects   = "dnp3_too_many_objects"
	weirdUnsolDisabled    = "dnp3_unsolicited_without_enable"
	weirdUnmatched        = "dnp3_unmatched_response"
)

var magic = []byte{start1, start2}

// dirState is the per-direction framing and transport reassembly state.
type dirState struct {
	seg       []byte // user data of the current frame, CRCs removed (reused)
	frag      []byte // application fragment being reassembled (reused)
	inFrag    bool   // FIR seen, FIN not yet
	tpSeq     uint8  // sequence number of the last transport segment
	resync    bool   // scanning for a frame header: do not report garbage again
	skipToFIR bool   // after a gap: drop segments silently until the next FIR
}

// parser is the per-flow DNP3 parser. Spec: IEEE 1815-2012 (link layer §9, transport §8,
// application §4).
type parser struct {
	env *dissect.Env
	cfg Config
	d   [2]dirState

	// dnp3.log pairs like Zeek: one pending request per flow, written with the next response
	// or at Close. DNP3 allows one outstanding request per association (§4.3), so one slot is
	// the whole pending table.
	pendReq bool
	pendFC  uint8
	pendTS  int64

	// Requests awaiting a response, counted by application sequence number (4 bits: 16 slots,
	// each saturating at 255). A solicited response is matched on its sequence number.
	outstanding [16]uint8
	sawRequest  bool

	unsolKnown bool  // an ENABLE/DISABLE_UNSOLICITED has been seen
	unsolMask  uint8 // classes 1–3 enabled for unsolicited reporting (bits 1..3)
	iinFlags   uint16

	roleDone [2]bool
	linkSeen [2]bool
	linkDIR  [2]bool
	addrDone [2]bool
	addr     [2]uint16

	w      objWalker
	h      objHeader
	detail []byte // event/weird detail scratch
}

// NewParser returns a parser for one flow with cfg (see DefaultConfig). An invalid cfg is
// replaced by the defaults.
func NewParser(env *dissect.Env, cfg Config) dissect.Parser {
	if cfg.Validate() != nil {
		check := cfg.CheckCRC
		cfg = DefaultConfig()
		cfg.CheckCRC = check
	}
	return &parser{env: env, cfg: cfg}
}

func (p *parser) udp() bool { return p.env.Flow != nil && p.env.Flow.Proto == 17 }

// Parse consumes whole link frames. TCP: an incomplete frame at the end is left for the next
// call (a frame is at most 292 bytes). UDP: the datagram is consumed whole.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	n := p.frames(dir, b)
	if p.udp() {
		if n < len(b) && !p.d[dir].resync {
			p.env.Weird(weirdTruncatedFrame, "")
		}
		return len(b), nil
	}
	return n, nil
}

// Gap drops partial state of dir: the next bytes are scanned for a frame header and segments
// are dropped until the next transport FIR.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	st := &p.d[dir]
	st.inFrag, st.resync, st.skipToFIR = false, true, true
	st.frag = st.frag[:0]
}

// Close writes a request still waiting for its response, as Zeek does at connection end, and
// the role of sides that only sent link-layer frames.
func (p *parser) Close() {
	if p.pendReq {
		ts := p.env.TS
		p.env.TS = p.pendTS
		p.env.Log(logDNP3).Str("fc_request", fcNames[p.pendFC]).Done()
		p.env.TS = ts
		p.pendReq = false
	}
	for dir := dissect.Orig; dir <= dissect.Resp; dir++ {
		if p.linkSeen[dir] && !p.roleDone[dir] {
			p.role(dir, p.linkDIR[dir])
		}
	}
}

// frames parses link frames from b and returns the bytes used.
func (p *parser) frames(dir dissect.Dir, b []byte) int {
	st := &p.d[dir]
	i := 0
	for len(b)-i >= 2 {
		rest := b[i:]
		if rest[0] != start1 || rest[1] != start2 {
			if !st.resync {
				p.env.Weird(weirdLacksMagic, "")
				p.resync(st)
			}
			j := bytes.Index(rest[1:], magic)
			if j < 0 {
				if rest[len(rest)-1] == start1 {
					return len(b) - 1
				}
				return len(b)
			}
			i += 1 + j
			continue
		}
		if len(rest) < linkHeaderLen {
			break
		}
		if p.cfg.CheckCRC && !crcOK(rest[:8], rest[8:10]) {
			if !st.resync {
				p.env.Weird(weirdBadCRC, "header")
				p.resync(st)
			}
			i += 2
			continue
		}
		h := parseLinkHeader(rest)
		if h.length < minLinkLen {
			if !st.resync {
				p.env.Weird(weirdBadLinkLength, "")
				p.resync(st)
			}
			i += 2
			continue
		}
		n := frameLen(h.length)
		if len(rest) < n {
			break
		}
		st.resync = false
		p.frame(dir, h, rest[:n])
		i += n
	}
	return i
}

func (p *parser) resync(st *dirState) {
	st.resync, st.inFrag = true, false
}

// frame handles one complete link frame.
func (p *parser) frame(dir dissect.Dir, h linkHeader, raw []byte) {
	p.env.PDU()
	p.linkSeen[dir] = true
	p.linkDIR[dir] = h.ctrl&ctrlDIR != 0
	p.stationAddr(dir, h.src)
	if h.dst < 0xfff0 { // 0xFFF0–0xFFFF are reserved and broadcast addresses
		p.stationAddr(dir.Flip(), h.dst)
	}
	if h.length == minLinkLen {
		return // link-layer service frame without user data
	}
	fc := h.ctrl & ctrlFC
	if h.ctrl&ctrlPRM == 0 || (fc != linkConfirmedUserData && fc != linkUnconfirmedUserData) {
		p.env.Weird(weirdUnexpectedData, "")
		return
	}
	st := &p.d[dir]
	var ok bool
	st.seg, ok = userData(st.seg[:0], raw, p.cfg.CheckCRC)
	if !ok {
		p.env.Weird(weirdBadCRC, "data block")
		st.inFrag = false
		return
	}
	p.transport(dir, st.seg)
}

// transport reassembles transport segments into application fragments (§8.2).
func (p *parser) transport(dir dissect.Dir, seg []byte) {
	st := &p.d[dir]
	th, payload := seg[0], seg[1:]
	seq := th & tpSEQ
	if th&tpFIR != 0 {
		if st.inFrag {
			p.env.Weird(weirdTransportSeq, "FIR before FIN")
		}
		st.skipToFIR = false
		if th&tpFIN != 0 { // the common case: a one-segment fragment, no copy
			st.inFrag = false
			st.tpSeq = seq
			p.application(dir, payload)
			return
		}
		st.frag = append(st.frag[:0], payload...)
		st.inFrag, st.tpSeq = true, seq
		return
	}
	if !st.inFrag {
		if !st.skipToFIR {
			p.env.Weird(weirdFirstMissing, "")
		}
		return
	}
	if seq != (st.tpSeq+1)&tpSEQ {
		p.env.Weird(weirdTransportSeq, "")
		st.inFrag = false
		return
	}
	st.tpSeq = seq
	if len(st.frag)+len(payload) > p.cfg.MaxFragment {
		p.env.Weird(weirdFragmentTooLarge, "")
		st.inFrag = false
		return
	}
	st.frag = append(st.frag, payload...)
	if th&tpFIN != 0 {
		st.inFrag = false
		p.application(dir, st.frag)
	}
}

// fragSummary collects what events need from one fragment's objects.
type fragSummary struct {
	headers    int
	firstG     uint8
	firstV     uint8
	has50      bool
	ctlDone    bool // first control object described
	ctlIndex   uint32
	ctlG, ctlV uint8
	ctlCode    uint8
	ctlValue   float64
	ctlN       int
	fileName   []byte
	classMask  uint8 // g60v2..v4 headers seen
}

// application handles one complete application fragment (§4.2).
func (p *parser) application(dir dissect.Dir, frag []byte) {
	ah, ok := parseAppHeader(frag)
	if !ok {
		p.env.Weird(weirdTruncatedAppHdr, "")
		return
	}
	if !knownFC(ah.fc) {
		p.env.Weird(weirdUnknownFunction, fcNames[ah.fc])
	}
	if !p.roleDone[dir] {
		p.role(dir, !ah.resp)
	}
	if ah.resp {
		r := p.env.Log(logDNP3)
		if p.pendReq {
			r.Str("fc_request", fcNames[p.pendFC])
		}
		r.Str("fc_reply", fcNames[ah.fc]).Uint("iin", uint64(ah.iin)).Done()
		p.pendReq = false
	} else {
		p.pendReq, p.pendFC, p.pendTS = true, ah.fc, p.env.TS
	}
	p.match(ah)

	var sum fragSummary
	p.w.reset(frag[ah.size:], ah.fc, ah.resp, p.cfg.MaxObjects, p.cfg.MaxPoints)
	h := &p.h
	for p.w.next(h) {
		p.objectHeader(dir, ah, h, &sum)
	}
	if p.w.err != walkOK {
		p.walkError(h)
	}

	if ah.resp {
		p.response(dir, ah, &sum)
	} else {
		p.request(dir, ah, &sum)
	}
}

// match pairs solicited responses with requests by application sequence number.
func (p *parser) match(ah appHeader) {
	seq := ah.ac & acSEQ
	switch ah.fc {
	case fcConfirm, fcDirectOperateNR, fcImmedFreezeNR, fcFreezeClearNR, fcFreezeAtTimeNR,
		fcAuthenticateReqNR, fcUnsolicited, fcAuthenticateResp:
		// no response expected / not a response to a request
	case fcResponse:
		if ah.ac&acFIR == 0 {
			return // a later fragment of a multi-fragment response
		}
		if p.outstanding[seq] > 0 {
			p.outstanding[seq]--
		} else if p.sawRequest {
			p.env.Weird(weirdUnmatched, "")
		}
	default:
		if p.outstanding[seq] < 255 {
			p.outstanding[seq]++
		}
		p.sawRequest = true
	}
}

// objectHeader logs and summarises one object header and its objects.
func (p *parser) objectHeader(dir dissect.Dir, ah appHeader, h *objHeader, sum *fragSummary) {
	if sum.headers == 0 {
		sum.firstG, sum.firstV = h.group, h.variation
	}
	sum.headers++
	if !knownGroup(h.group) {
		p.weirdGV(weirdUnknownGroup, h.group, h.variation, h.qual)
	}
	switch {
	case h.group == 50:
		sum.has50 = true
	case h.group == 60 && h.variation >= 2 && h.variation <= 4:
		sum.classMask |= 1 << (h.variation - 1)
	}
	// dnp3_objects.log: read request headers and response headers, as ICSNPP writes them.
	if name := objectName(h.group, h.variation); name != "" && (ah.fc == fcRead || ah.fc == fcResponse) {
		r := p.env.Log(logObjects)
		p.sides(r, dir)
		r.Str("function_code", extFCNames[ah.fc]).Str("object_type", name)
		if ah.resp {
			low, high := uint64(h.start), uint64(h.stop)
			switch {
			case h.rng == 6:
				low, high = 0xffff, 0xffff
			case h.rng > 6:
				low, high = uint64(h.count), 0
			}
			r.Uint("object_count", uint64(h.count)).Uint("range_low", low).Uint("range_high", high)
		}
		r.Done()
	}
	if len(h.data) == 0 {
		return
	}
	switch h.group {
	case 12:
		if h.variation == 1 || h.variation == 2 {
			p.controlBlocks(dir, ah, h, sum)
		}
	case 41:
		p.analogOutputs(dir, ah, h, sum)
	case 0:
		if ah.resp {
			p.attributes(dir, h)
		}
	case 70:
		if h.variation == 3 && !ah.resp && sum.fileName == nil {
			var it objIter
			it.h = h
			if _, obj, ok := it.next(); ok && len(obj) >= 26 {
				off, n := int(obj[0])|int(obj[1])<<8, int(obj[2])|int(obj[3])<<8
				// The name offset counts from the start of the object including its 2-byte
				// size prefix in some stacks and from the object in others; accept both.
				if off >= 26 && off+n <= len(obj)+2 {
					start := min(off, len(obj)-n)
					sum.fileName = obj[start : start+n]
				}
			}
		}
	}
}

// controlBlocks logs CROB (g12v1) and PCB (g12v2) objects in dnp3_control.log. Spec: IEEE
// 1815-2012 §A.8.1, A.8.2.
func (p *parser) controlBlocks(dir dissect.Dir, ah appHeader, h *objHeader, sum *fragSummary) {
	block := "Control Relay Output Block"
	if h.variation == 2 {
		block = "Pattern Control Block"
	}
	it := objIter{h: h}
	for {
		index, obj, ok := it.next()
		if !ok {
			return
		}
		cc := obj[0]
		r := p.env.Log(logControl)
		p.sides(r, dir)
		r.Str("block_type", block).Str("function_code", extFCNames[ah.fc]).Uint("index_number", uint64(index)).
			Str("trip_control_code", tripCodeName(cc)).Str("operation_type", opTypeNames[cc&0x0f]).
			Bool("clear_bit", cc&0x20 != 0).Uint("execute_count", uint64(obj[1])).
			Uint("on_time", uint64(le(obj[2:6]))).Uint("off_time", uint64(le(obj[6:10])))
		if ah.resp {
			r.Str("status_code", statusNames[obj[10]&0x7f])
		}
		r.Done()
		p.noteControl(sum, h, index, cc, 0)
	}
}

// analogOutputs logs analog output blocks (g41) in dnp3_control.log with their value.
// Spec: IEEE 1815-2012 §A.21.
func (p *parser) analogOutputs(dir dissect.Dir, ah appHeader, h *objHeader, sum *fragSummary) {
	it := objIter{h: h}
	for {
		index, obj, ok := it.next()
		if !ok {
			return
		}
		var v float64
		switch h.variation {
		case 1:
			v = float64(int32(le(obj[:4])))
		case 2:
			v = float64(int16(le(obj[:2])))
		case 3:
			v = float64(math.Float32frombits(le(obj[:4])))
		case 4:
			v = math.Float64frombits(uint64(le(obj[:4])) | uint64(le(obj[4:8]))<<32)
		}
		status := obj[len(obj)-1]
		r := p.env.Log(logControl)
		p.sides(r, dir)
		r.Str("block_type", "Analog Output Block").Str("function_code", extFCNames[ah.fc]).
			Uint("index_number", uint64(index))
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			r.Float("value", v)
		}
		if ah.resp {
			r.Str("status_code", statusNames[status&0x7f])
		}
		r.Done()
		p.noteControl(sum, h, index, 0, v)
	}
}

func (p *parser) noteControl(sum *fragSummary, h *objHeader, index uint32, cc uint8, v float64) {
	sum.ctlN++
	if sum.ctlDone {
		return
	}
	sum.ctlDone = true
	sum.ctlG, sum.ctlV, sum.ctlIndex, sum.ctlCode, sum.ctlValue = h.group, h.variation, index, cc, v
}

// attributes turns group 0 device attributes of a response into facts about the outstation.
// Spec: IEEE 1815-2012 §A.1 (data type 1 = visible string).
func (p *parser) attributes(dir dissect.Dir, h *objHeader) {
	var attr, field string
	switch h.variation {
	case 252:
		attr, field = dissect.AttrVendor, "g0v252.manufacturer_name"
	case 250:
		attr, field = dissect.AttrModel, "g0v250.product_name_model"
	case 242:
		attr, field = dissect.AttrFirmware, "g0v242.software_version"
	case 243:
		attr, field = dissect.AttrHardware, "g0v243.hardware_version"
	case 248:
		attr, field = dissect.AttrSerial, "g0v248.serial_number"
	case 247:
		attr, field = dissect.AttrName, "g0v247.device_name"
	case 246:
		attr, field = dissect.AttrName, "g0v246.user_assigned_id"
	case 245:
		attr, field = dissect.AttrPlant, "g0v245.location"
	default:
		return
	}
	it := objIter{h: h}
	_, obj, ok := it.next()
	if !ok || len(obj) < 2 || obj[0] != 1 {
		return
	}
	v := bytes.TrimRight(obj[2:], "\x00 ")
	if len(v) > 0 {
		p.env.Fact(dir, attr, string(v), field)
	}
}

// request emits the events of a request fragment.
func (p *parser) request(dir dissect.Dir, ah appHeader, sum *fragSummary) {
	p.env.Command(fcNames[ah.fc])
	var kind string
	switch ah.fc {
	case fcColdRestart, fcWarmRestart:
		kind = dissect.EvRestart
	case fcStartAppl:
		kind = dissect.EvPLCStart
	case fcStopAppl:
		kind = dissect.EvPLCStop
	case fcSelect, fcOperate, fcDirectOperate, fcDirectOperateNR,
		fcImmedFreeze, fcImmedFreezeNR, fcFreezeClear, fcFreezeClearNR, fcFreezeAtTime, fcFreezeAtTimeNR,
		fcInitializeData, fcInitializeAppl:
		kind = dissect.EvCommand
	case fcWrite:
		kind = dissect.EvWrite
		if sum.has50 {
			kind = dissect.EvTimeSync
		}
	case fcDelayMeasure, fcRecordCurrentTime:
		kind = dissect.EvTimeSync
	case fcOpenFile, fcCloseFile, fcDeleteFile, fcGetFileInfo, fcAuthenticateFile, fcAbortFile:
		kind = dissect.EvFileTransfer
	case fcAuthenticateReq, fcAuthenticateReqNR:
		kind = dissect.EvPassword
	case fcSaveConfig, fcActivateConfig, fcAssignClass:
		kind = dissect.EvConfigWrite
	case fcEnableUnsolicited:
		p.unsolKnown = true
		p.unsolMask |= sum.classMask
		return
	case fcDisableUnsolicited:
		p.unsolKnown = true
		p.unsolMask &^= sum.classMask
		return
	default:
		return
	}
	d := append(p.detail[:0], fcNames[ah.fc]...)
	switch {
	case sum.ctlDone:
		d = appendGV(append(d, ' '), sum.ctlG, sum.ctlV)
		d = strconv.AppendUint(append(d, " index "...), uint64(sum.ctlIndex), 10)
		if sum.ctlG == 12 {
			d = append(append(append(d, ' '), tripCodeName(sum.ctlCode)...), ' ')
			d = append(d, opTypeNames[sum.ctlCode&0x0f]...)
		} else {
			d = strconv.AppendFloat(append(d, " value "...), sum.ctlValue, 'g', -1, 64)
		}
		if sum.ctlN > 1 {
			d = strconv.AppendInt(append(d, " (+"...), int64(sum.ctlN-1), 10)
			d = append(d, " more)"...)
		}
	case sum.fileName != nil:
		d = append(append(d, ' '), sum.fileName...)
	case sum.headers > 0:
		d = appendGV(append(d, ' '), sum.firstG, sum.firstV)
		if sum.headers > 1 {
			d = strconv.AppendInt(append(d, " (+"...), int64(sum.headers-1), 10)
			d = append(d, " headers)"...)
		}
	}
	p.detail = d
	p.env.Event(dir, kind, string(d))
}

// response checks the IIN flags and unsolicited reporting of a response fragment.
func (p *parser) response(dir dissect.Dir, ah appHeader, sum *fragSummary) {
	flags := ah.iin & iinDeviceFlagsMask
	if fresh := flags &^ p.iinFlags; fresh != 0 {
		d := p.detail[:0]
		for _, f := range [...]struct {
			bit  uint16
			name string
		}{{iinDeviceRestart, "device_restart"}, {iinConfigCorrupt, "config_corrupt"}, {iinEventOverflow, "event_buffer_overflow"}} {
			if fresh&f.bit != 0 {
				if len(d) > 0 {
					d = append(d, ' ')
				}
				d = append(d, f.name...)
			}
		}
		p.detail = d
		p.env.Event(dir, dissect.EvDeviceFlag, string(d))
	}
	p.iinFlags = flags
	if ah.fc == fcUnsolicited && sum.headers > 0 && p.unsolKnown && p.unsolMask == 0 {
		p.env.Weird(weirdUnsolDisabled, "")
	}
}

func (p *parser) walkError(h *objHeader) {
	switch p.w.err {
	case walkTruncated:
		p.weirdGV(weirdTruncatedObject, h.group, h.variation, h.qual)
	case walkUnknownObj:
		if knownGroup(h.group) { // unknown groups were reported with their header
			p.weirdGV(weirdUnknownObject, h.group, h.variation, h.qual)
		}
	case walkBadQual:
		p.weirdGV(weirdBadQualifier, h.group, h.variation, h.qual)
	case walkBadRange:
		p.weirdGV(weirdBadRange, h.group, h.variation, h.qual)
	case walkTooMany:
		p.env.Weird(weirdTooManyObjects, "")
	}
}

// weirdGV reports an anomaly about object header g/v with qualifier q ("g70v5 q0x5b").
func (p *parser) weirdGV(name string, g, v, q uint8) {
	const digits = "0123456789abcdef"
	d := append(appendGV(p.detail[:0], g, v), " q0x"...)
	d = append(d, digits[q>>4], digits[q&15])
	p.detail = d
	p.env.Weird(name, string(d))
}

func appendGV(b []byte, g, v uint8) []byte {
	b = strconv.AppendUint(append(b, 'g'), uint64(g), 10)
	return strconv.AppendUint(append(b, 'v'), uint64(v), 10)
}

// sides adds ICSNPP's direction fields to r for a message sent from dir.
func (p *parser) sides(r *dissect.Record, dir dissect.Dir) {
	src, dst := &p.env.Flow.Orig, &p.env.Flow.Resp
	if dir == dissect.Resp {
		src, dst = dst, src
	}
	r.Bool("is_orig", dir == dissect.Orig)
	if src.IP.IsValid() {
		r.Addr("source_h", src.IP).Uint("source_p", uint64(src.Port)).
			Addr("destination_h", dst.IP).Uint("destination_p", uint64(dst.Port))
	}
}

// role reports the DNP3 role of the endpoint on side.
func (p *parser) role(side dissect.Dir, master bool) {
	p.roleDone[side] = true
	v := roleOutstation
	if master {
		v = roleMaster
	}
	p.env.Fact(side, dissect.AttrRole, v, "link.dir/app.function_code")
}

// stationAddr reports the link address of the endpoint on side once (and again if it changes).
func (p *parser) stationAddr(side dissect.Dir, a uint16) {
	if p.addrDone[side] && p.addr[side] == a {
		return
	}
	p.addrDone[side], p.addr[side] = true, a
	p.env.Fact(side, dissect.AttrStationAddr, strconv.Itoa(int(a)), "link.address")
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
