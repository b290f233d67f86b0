package s7comm

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// Anomaly names reported to weird.log.
const (
	WeirdTPKTVersion     = "s7comm_tpkt_bad_version"
	WeirdTPKTLength      = "s7comm_tpkt_bad_length"
	WeirdCOTPLength      = "s7comm_cotp_bad_length"
	WeirdCOTPUnknown     = "s7comm_cotp_unknown_type"
	WeirdTSDUTooLong     = "s7comm_cotp_tsdu_too_long"
	WeirdResync          = "s7comm_resync"
	WeirdUnknownProto    = "s7comm_unknown_protocol_id"
	WeirdHeaderTruncated = "s7comm_header_truncated"
	WeirdLengthMismatch  = "s7comm_length_mismatch"
	WeirdUnknownROSCTR   = "s7comm_unknown_rosctr"
	WeirdUnknownFunction = "s7comm_unknown_function"
	WeirdUnknownGroup    = "s7comm_unknown_userdata_group"
	WeirdErrorResponse   = "s7comm_error_response"
	WeirdUserDataError   = "s7comm_userdata_error"
	WeirdUnmatchedRef    = "s7comm_unmatched_pdu_ref"
	WeirdPendingFlood    = "s7comm_pending_flood"
	WeirdSZLTooLong      = "s7comm_szl_too_long"
	WeirdPlusTruncated   = "s7comm_plus_header_truncated"
	WeirdPlusOpcode      = "s7comm_plus_unknown_opcode"
	WeirdPlusFunction    = "s7comm_plus_unknown_function"
)

// Limits.
const (
	// MaxPending bounds the request table per flow. S7 peers negotiate at most a handful of
	// parallel jobs (Setup Communication "Max AmQ", typically 1–8); 64 leaves room for
	// user-data requests and lost responses.
	MaxPending = 64
	// MaxSZL bounds a reassembled multi-fragment SZL answer.
	MaxSZL = 16 << 10
	// MaxTSDU bounds a reassembled COTP TSDU (S7 PDUs are at most 960 bytes on S7-300/400
	// and 8 KiB on S7-1500).
	MaxTSDU = 64 << 10
)

// PI service kinds remembered with a pending request.
const (
	piNone = iota
	piStart
	piStop
)

type pending struct {
	used bool
	dir  dissect.Dir // requester
	ref  uint16
	fn   uint8 // Job function, or user-data type/group
	pi   uint8
	seq  uint32 // arrival order, for eviction
}

// orphan is a response whose request has not been seen (yet).
type orphan struct {
	used bool
	ok   bool
	dir  dissect.Dir // responder
	ref  uint16
	seq  uint32
}

// MaxOrphans bounds the responses kept waiting for a late request.
const MaxOrphans = 16

type szlState struct {
	active   bool
	dir      dissect.Dir
	ref      uint8
	id       uint16
	entryLen uint16
	buf      []byte
}

type parser struct {
	env     *dissect.Env
	tsdu    [2]TSDU
	resync  [2]bool
	pend    [MaxPending]pending
	npend   int
	flooded bool
	orph    [MaxOrphans]orphan
	norph   int
	seq     uint32
	roles   bool
	rack    bool
	badID   bool
	// plusOpen: the last S7comm-plus frame in that direction had no trailer, so the next
	// frames continue the same message until one ends with the trailer.
	plusOpen [2]bool
	szl      szlState
	scratch  []byte
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, scratch: make([]byte, 0, 128)}
	p.tsdu[0].Max, p.tsdu[1].Max = MaxTSDU, MaxTSDU
	return p
}

// Parse consumes whole TPKT packets.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	off := 0
	if p.resync[dir] {
		i := ResyncTPKT(b)
		if i < 0 {
			return keepTail(b), nil
		}
		p.resync[dir] = false
		off = i
	}
	for off < len(b) {
		rest := b[off:]
		n, err := ParseTPKT(rest)
		if err != nil {
			if err == ErrTPKTVersion {
				p.env.Weird(WeirdTPKTVersion, "")
			} else {
				p.env.Weird(WeirdTPKTLength, "")
			}
			i := ResyncTPKT(rest[1:])
			if i < 0 {
				p.resync[dir] = true
				p.tsdu[dir].Reset()
				return off + keepTail(rest), nil
			}
			p.env.Weird(WeirdResync, "")
			off += 1 + i
			continue
		}
		if n == 0 {
			break
		}
		if n > len(rest) {
			// Before waiting for the rest, check that the COTP header is plausible: a bogus
			// length must not stall the flow until the engine's buffer cap.
			if len(rest) >= 6 {
				li := int(rest[4])
				if li == 0 || li+1 > n-TPKTHeaderLen || !knownCOTP(rest[5]>>4) {
					p.env.Weird(WeirdCOTPLength, "implausible header of an incomplete packet")
					i := ResyncTPKT(rest[1:])
					if i < 0 {
						p.resync[dir] = true
						p.tsdu[dir].Reset()
						return off + keepTail(rest), nil
					}
					off += 1 + i
					continue
				}
			}
			break // need more
		}
		p.packet(dir, rest[:n])
		off += n
	}
	return off, nil
}

// keepTail consumes all but the last bytes that could start a TPKT header.
func keepTail(b []byte) int {
	if len(b) <= 5 {
		return 0
	}
	return len(b) - 5
}

// Gap drops partial state for dir and resynchronises on the next plausible TPKT header.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	p.tsdu[dir].Reset()
	p.resync[dir] = true
	p.plusOpen[dir] = false
	if p.szl.active && p.szl.dir == dir {
		p.szl.active = false
	}
}

// Close reports the responses that never met their request and forgets pending requests
// (S7 has no notion of a late answer).
func (p *parser) Close() {
	for i := 0; i < p.norph; i++ {
		p.env.Weird(WeirdUnmatchedRef, "")
	}
	p.pend, p.npend = [MaxPending]pending{}, 0
	p.orph, p.norph = [MaxOrphans]orphan{}, 0
}

func (p *parser) log(name string, dir dissect.Dir) *dissect.Record {
	f := p.env.Flow
	src, dst := &f.Orig, &f.Resp
	if dir == dissect.Resp {
		src, dst = dst, src
	}
	r := p.env.Log(name).Bool("is_orig", dir == dissect.Orig)
	if src.IP.IsValid() {
		r.Addr("source_h", src.IP).Uint("source_p", uint64(src.Port))
		r.Addr("destination_h", dst.IP).Uint("destination_p", uint64(dst.Port))
	}
	return r
}

// packet handles one whole TPKT packet.
func (p *parser) packet(dir dissect.Dir, pkt []byte) {
	p.env.PDU()
	c, err := ParseCOTP(pkt[TPKTHeaderLen:])
	if err != nil {
		p.env.Weird(WeirdCOTPLength, "")
		return
	}
	p.log("cotp", dir).HexUint("pdu_code", uint64(c.Code), 2).Str("pdu_name", COTPName(c.Code)).Done()
	switch c.Code {
	case COTPDT:
		tsdu, done, overflow := p.tsdu[dir].Add(&c)
		if overflow {
			p.env.Weird(WeirdTSDUTooLong, "")
		}
		if done && len(tsdu) > 0 {
			p.userData(dir, tsdu)
		}
	case COTPCR:
		p.connect(dir, &c)
	case COTPCC, COTPDR, COTPDC, COTPED, COTPEA, COTPAK, COTPRJ, COTPER:
	default:
		p.env.Weird(WeirdCOTPUnknown, COTPName(c.Code))
	}
}

// connect reads the S7 TSAPs of a connection request: the called TSAP names rack and slot.
func (p *parser) connect(dir dissect.Dir, c *COTP) {
	if !p.roles {
		p.setRoles(dir)
	}
	t := COTPParam(c.Params, COTPParamCalledTSAP)
	if len(t) == 2 && t[0] >= 1 && t[0] <= 3 && !p.rack {
		p.rack = true
		v := "rack=" + strconv.Itoa(int(t[1]>>5)) + ",slot=" + strconv.Itoa(int(t[1]&0x1f))
		p.env.Fact(dir.Flip(), dissect.AttrRackSlot, v, "cotp.cr.called_tsap")
	}
}

func (p *parser) setRoles(client dissect.Dir) {
	p.roles = true
	p.env.Fact(client, dissect.AttrRole, "s7_client", "cotp")
	p.env.Fact(client.Flip(), dissect.AttrRole, "s7_server", "cotp")
}

// userData dispatches a complete TSDU on its protocol id.
func (p *parser) userData(dir dissect.Dir, b []byte) {
	switch b[0] {
	case ProtoS7:
		p.s7(dir, b)
	case ProtoS7Plus:
		if p.plusOpen[dir] {
			p.plusOpen[dir] = !hasPlusTrailer(b)
			return
		}
		p.plus(dir, b)
	default:
		if p.plusOpen[dir] {
			return // continuation of an S7comm-plus message
		}
		if !p.badID {
			p.badID = true
			p.env.Weird(WeirdUnknownProto, "")
		}
	}
}

func swap16(v uint16) uint64 { return uint64(v>>8 | v<<8) }

// s7 logs one S7comm PDU and derives its secondary logs, facts, events and anomalies.
func (p *parser) s7(dir dissect.Dir, b []byte) {
	h, err := ParseHeader(b)
	if err != nil {
		p.env.Weird(WeirdHeaderTruncated, "")
		return
	}
	var (
		fn             uint8
		hasFn, knownFn = false, true
		ud             UserData
		hasUD          bool
		pi             PIService
		hasPI          bool
		errClass       uint8
		classKnown     = true
	)
	if len(h.Param) > 0 {
		fn, hasFn = h.Param[0], true
	}
	r := p.log("s7comm", dir).Uint("rosctr_code", uint64(h.ROSCTR)).Str("rosctr_name", rosctrName(h.ROSCTR)).
		Uint("pdu_reference", swap16(h.Ref))
	switch h.ROSCTR {
	case RosJob, RosAck, RosAckData:
		if hasFn {
			var name string
			name, knownFn = functionName(fn)
			r.HexUint("function_code", uint64(fn), 2).Str("function_name", name)
		}
		if h.ROSCTR == RosJob && hasFn && fn == FnPIService {
			if pi, hasPI = ParsePIService(h.Param); hasPI {
				r.Bytes("subfunction_code", pi.Service).Str("subfunction_name", piServiceName(pi.Service))
			}
		}
		if h.HasError {
			errClass = h.ErrClass
			var name string
			if name, classKnown = errorClassName(h.ErrClass); classKnown {
				r.Str("error_class", name)
			} else {
				p.scratch = append(p.scratch[:0], "Unknown error class-0x"...)
				p.scratch = appendHex(p.scratch, uint64(h.ErrClass), 2)
				r.Bytes("error_class", p.scratch)
			}
			r.HexUint("error_code", uint64(h.ErrCode), 2)
		}
	case RosUserData:
		if ud, hasUD = ParseUserData(h.Param); hasUD {
			p.scratch = append(append(p.scratch[:0], udTypePrefix(ud.Type)...), groupNames[ud.Group]...)
			r.HexUint("function_code", uint64(ud.TypeGroup()), 2).Bytes("function_name", p.scratch)
			r.HexUint("subfunction_code", uint64(ud.Sub), 2)
			if name := subfunctionName(ud.Group, ud.Sub); name != "" {
				r.Str("subfunction_name", name)
			}
			if ud.HasError {
				if ud.ErrCode == 0 {
					r.Str("error_class", "No error")
				} else {
					r.Str("error_class", "Parameter Error")
				}
				r.HexUint("error_code", uint64(ud.ErrCode), 2)
			}
		}
	}
	r.Done()

	if h.Truncated {
		p.env.Weird(WeirdLengthMismatch, "")
	}
	switch h.ROSCTR {
	case RosJob:
		if !knownFn {
			p.env.Weird(WeirdUnknownFunction, "")
		}
		p.job(dir, &h, fn, hasFn, &pi, hasPI)
	case RosAck, RosAckData:
		if !knownFn {
			p.env.Weird(WeirdUnknownFunction, "")
		}
		if errClass != 0 {
			name, ok := errorClassName(errClass)
			if !ok { // rare: error answers are not steady state
				name = "class 0x" + string(appendHex(nil, uint64(errClass), 2))
			}
			p.env.Weird(WeirdErrorResponse, name+" code 0x"+string(appendHex(nil, uint64(h.ErrCode), 2)))
		}
		p.ack(dir, &h, fn, hasFn)
	case RosUserData:
		if hasUD {
			p.userDataPDU(dir, &h, &ud)
		} else {
			p.env.Weird(WeirdHeaderTruncated, "user-data parameter")
		}
	default:
		p.env.Weird(WeirdUnknownROSCTR, "")
	}
}

// job handles a Job request: pairing, events, upload/download log.
func (p *parser) job(dir dissect.Dir, h *Header, fn uint8, hasFn bool, pi *PIService, hasPI bool) {
	kind := uint8(piNone)
	if hasFn {
		if name, ok := functionName(fn); ok {
			p.env.Command(name)
		}
		switch fn {
		case FnWriteVar:
			p.env.Event(dir, dissect.EvWrite, writeDetail(h.Param))
		case FnPLCStop:
			kind = piStop
			p.env.Event(dir, dissect.EvPLCStop, "PLC Stop")
		case FnPIService:
			if hasPI {
				kind = p.piEvent(dir, pi)
			}
		case FnRequestDownload, FnDownloadBlock, FnDownloadEnded, FnStartUpload, FnUpload, FnEndUpload:
			p.upDown(dir, h, fn, true)
		}
		// The PLC issues Download Block / Download Ended jobs to the engineering station: they
		// do not make it the client.
		if !p.roles && fn != FnDownloadBlock && fn != FnDownloadEnded {
			p.setRoles(dir)
		}
	}
	p.addPending(dir, h.Ref, fn, kind)
}

// piEvent reports a PI service (PLC Control) and returns its kind.
func (p *parser) piEvent(dir dissect.Dir, pi *PIService) uint8 {
	svc := string(pi.Service) // rare: PI services are operator commands
	detail := "PI service " + svc
	if len(pi.Block) > 0 {
		detail += " " + printable(pi.Block)
	}
	switch svc {
	case "P_PROGRAM":
		p.env.Event(dir, dissect.EvPLCStart, detail)
		return piStart
	case "_DELE":
		p.env.Event(dir, dissect.EvProgramDelete, detail)
	case "_INSE", "_INS2":
		p.env.Event(dir, dissect.EvProgramDownload, detail)
	case "_MODU":
		p.env.Event(dir, dissect.EvConfigWrite, detail)
	default:
		p.env.Event(dir, dissect.EvCommand, detail)
	}
	return piNone
}

// ack handles an ACK / ACK-Data: pairing, PLC mode, upload/download log.
func (p *parser) ack(dir dissect.Dir, h *Header, fn uint8, hasFn bool) {
	p.response(dir, h.Ref, h.ErrClass == 0 && h.ErrCode == 0)
	if h.ROSCTR == RosAckData && hasFn {
		switch fn {
		case FnRequestDownload, FnDownloadBlock, FnDownloadEnded, FnStartUpload, FnUpload, FnEndUpload:
			p.upDown(dir, h, fn, false)
		}
	}
}

// upDown writes s7comm_upload_download.log and the program transfer events.
func (p *parser) upDown(dir dissect.Dir, h *Header, fn uint8, job bool) {
	u := ParseUpDown(h.Param, job)
	if !job && (fn == FnUpload || fn == FnDownloadBlock) && len(h.Data) >= 2 {
		u.HasLength, u.BlockLen = true, uint32(be16(h.Data))
	}
	name, _ := functionName(fn)
	r := p.log("s7comm_upload_download", dir).Str("rosctr", rosctrName(h.ROSCTR)).
		Uint("pdu_reference", swap16(h.Ref)).Str("function_name", name)
	if u.HasStatus {
		r.HexUint("function_status", uint64(u.Status), 2)
	}
	if u.HasSession {
		r.Uint("session_id", uint64(u.Session))
	}
	if u.HasLength {
		r.Uint("blocklength", uint64(u.BlockLen))
	}
	if len(u.Filename) > 0 {
		r.Bytes("filename", u.Filename)
		if len(u.Filename) >= 9 {
			r.Str("block_type", blockTypeNameB(u.Filename[1:3])).Bytes("block_number", u.Filename[3:8]).
				Str("destination_filesystem", filesystemName(u.Filename[8]))
		}
	}
	r.Done()
	if !job {
		return
	}
	switch fn {
	case FnRequestDownload:
		p.env.Event(dir, dissect.EvProgramDownload, "Request Download "+printable(u.Filename))
	case FnDownloadBlock, FnDownloadEnded:
		// Sent by the PLC; the download is the engineering station's doing.
		p.env.Event(dir.Flip(), dissect.EvProgramDownload, name+" "+printable(u.Filename))
	case FnStartUpload:
		p.env.Event(dir, dissect.EvProgramUpload, "Start Upload "+printable(u.Filename))
	case FnUpload, FnEndUpload:
		p.env.Event(dir, dissect.EvProgramUpload, name+" session "+strconv.FormatUint(uint64(u.Session), 10))
	}
}

// userDataPDU handles pairing, SZL, security, time and mode transitions of a User-Data PDU.
func (p *parser) userDataPDU(dir dissect.Dir, h *Header, ud *UserData) {
	if groupNames[ud.Group] == "unknown" {
		p.env.Weird(WeirdUnknownGroup, "")
	}
	switch ud.Type {
	case UDRequest:
		if !p.roles {
			p.setRoles(dir)
		}
		p.addPending(dir, h.Ref, ud.TypeGroup(), piNone)
	case UDResponse:
		p.response(dir, h.Ref, !ud.HasError || ud.ErrCode == 0)
		if ud.HasError && ud.ErrCode != 0 {
			p.env.Weird(WeirdUserDataError, "code 0x"+string(appendHex(nil, uint64(ud.ErrCode), 4)))
		}
	}
	switch ud.Group {
	case GrpCPU:
		if ud.Sub == 0x01 {
			p.readSZL(dir, h, ud)
		}
	case GrpSecurity:
		if ud.Type == UDRequest && ud.Sub == 0x01 {
			p.env.Event(dir, dissect.EvPassword, "PLC password (S7 user-data security)")
		}
	case GrpTime:
		if ud.Type == UDRequest && (ud.Sub == 0x02 || ud.Sub == 0x04) {
			p.env.Event(dir, dissect.EvTimeSync, "Set Clock")
		}
	case GrpModeTransition:
		if mode := transitionMode(ud.Sub); mode != "" && ud.Type != UDRequest {
			p.env.Fact(dir, dissect.AttrPLCMode, mode, "mode_transition")
			p.env.Event(dir, dissect.EvModeChange, subfunctionName(GrpModeTransition, ud.Sub))
		}
	}
}

// readSZL writes s7comm_read_szl.log and reads identity and mode from the answers.
func (p *parser) readSZL(dir dissect.Dir, h *Header, ud *UserData) {
	d, ok := ParseUDData(h.Data)
	if !ok {
		return
	}
	resp := ud.Type == UDResponse
	if resp && p.szl.active && p.szl.dir == dir && ud.HasError && ud.DataRef == p.szl.ref {
		// Continuation of a fragmented answer: raw list bytes.
		if len(p.szl.buf)+len(d.Payload) > MaxSZL {
			p.szl.active = false
			p.env.Weird(WeirdSZLTooLong, "")
			return
		}
		p.szl.buf = append(p.szl.buf, d.Payload...)
		if ud.LastUnit == 0 {
			p.szl.active = false
			p.szlFacts(dir, p.szl.id, p.szl.entryLen, p.szl.buf)
		}
		return
	}
	if d.Return == 0x0a && len(d.Payload) == 0 {
		return // "request further data" of a fragmented answer
	}
	s, ok := ParseSZL(d.Payload, resp && d.Return == 0xff)
	if !ok {
		return
	}
	p.log("s7comm_read_szl", dir).Uint("pdu_reference", swap16(h.Ref)).Str("method", udMethodName(ud.Method)).
		HexUint("szl_id", uint64(s.ID), 4).Str("szl_id_name", szlName(s.ID)).HexUint("szl_index", uint64(s.Index), 4).
		HexUint("return_code", uint64(d.Return), 2).Str("return_code_name", returnCodeName(d.Return)).Done()
	if !resp && (s.ID&0x00ff == 0x11 || s.ID&0x00ff == 0x1c) {
		// Module identification and component identification: what inventory tools and
		// scanners ask a CPU first.
		p.env.Event(dir, dissect.EvScan, "read SZL identity")
	}
	if !resp || d.Return != 0xff {
		return
	}
	if ud.HasError && ud.LastUnit != 0 && ud.DataRef != 0 {
		p.szl = szlState{active: true, dir: dir, ref: ud.DataRef, id: s.ID, entryLen: s.EntryLen,
			buf: append(p.szl.buf[:0], s.Entries...)}
		return
	}
	p.szlFacts(dir, s.ID, s.EntryLen, s.Entries)
}

// szlFacts extracts identity facts from SZL 0x0011, 0x001C and the mode from 0x0424.
func (p *parser) szlFacts(dir dissect.Dir, id, entryLen uint16, list []byte) {
	el := int(entryLen)
	if el == 0 {
		return
	}
	switch id & 0x0fff {
	case 0x011, 0x111: // module identification: index, MLFB (20), BGTyp, Ausbg, Ausbe
		if el < 28 {
			return
		}
		for ; len(list) >= el; list = list[el:] {
			e := list[:el]
			idx := be16(e)
			switch idx {
			case 0x0001:
				p.env.Fact(dir, dissect.AttrOrderNumber, trimText(e[2:22]), "szl_0x0011.order_number")
			case 0x0006:
				p.env.Fact(dir, dissect.AttrHardware, strconv.Itoa(int(be16(e[26:]))), "szl_0x0011.hardware")
			case 0x0007:
				if e[24] == 'V' {
					v := "V" + strconv.Itoa(int(e[25])) + "." + strconv.Itoa(int(e[26])) + "." + strconv.Itoa(int(e[27]))
					p.env.Fact(dir, dissect.AttrFirmware, v, "szl_0x0011.firmware")
				}
			}
		}
	case 0x01c: // component identification: index, text (32)
		if el < 34 {
			return
		}
		var system, module, plant, serial []byte
		var have bool
		for ; len(list) >= el; list = list[el:] {
			e := list[:el]
			txt := e[2:34]
			switch be16(e) {
			case 0x0001:
				system, have = txt, true
				p.env.Fact(dir, dissect.AttrHostname, trimText(txt), "szl_0x001c.automation_system_name")
			case 0x0002:
				module, have = txt, true
				p.env.Fact(dir, dissect.AttrName, trimText(txt), "szl_0x001c.module_name")
			case 0x0003:
				plant, have = txt, true
				p.env.Fact(dir, dissect.AttrPlant, trimText(txt), "szl_0x001c.plant_name")
			case 0x0004:
				if c := trimText(txt); len(c) >= 8 && containsFold(c, "siemens") {
					p.env.Fact(dir, dissect.AttrVendor, "Siemens", "szl_0x001c.copyright")
				}
			case 0x0005:
				serial, have = txt, true
				p.env.Fact(dir, dissect.AttrSerial, trimText(txt), "szl_0x001c.module_serial")
			case 0x0007:
				p.env.Fact(dir, dissect.AttrModel, trimText(txt), "szl_0x001c.module_type_name")
			}
		}
		if have {
			r := p.log("s7comm_known_devices", dir)
			if system != nil {
				r.Str("automation_system_name", trimText(system))
			}
			if module != nil {
				r.Str("module_name", trimText(module))
			}
			if plant != nil {
				r.Str("plant_name", trimText(plant))
			}
			if serial != nil {
				r.Str("module_serial", trimText(serial))
			}
			r.Done()
		}
	case 0x424: // modes: ereig (2), ae, bzu-id (requested mode in bits 0-3)
		if el < 4 || len(list) < 4 {
			return
		}
		if mode := szlMode(list[3] & 0x0f); mode != "" {
			p.env.Fact(dir, dissect.AttrPLCMode, mode, "szl_0x0424.mode")
		}
	}
}

// hasPlusTrailer reports whether an S7comm-plus frame ends with the 4-byte trailer.
func hasPlusTrailer(b []byte) bool {
	n := len(b)
	return n >= 8 && b[n-4] == ProtoS7Plus && b[n-2] == 0 && b[n-1] == 0
}

// plus logs one S7comm-plus message (its first frame).
func (p *parser) plus(dir dissect.Dir, b []byte) {
	h, err := ParsePlus(b)
	if err != nil {
		p.env.Weird(WeirdPlusTruncated, "")
		return
	}
	p.plusOpen[dir] = !h.Trailer
	opName, opKnown := plusOpcodeName(h.Opcode)
	fnName, fnKnown := "", true
	r := p.log("s7comm_plus", dir).Uint("version", uint64(h.Version)).HexUint("opcode", uint64(h.Opcode), 2)
	if opKnown {
		r.Str("opcode_name", opName)
	} else {
		p.scratch = appendHex(append(p.scratch[:0], "Unknown s7comm-plus opcode-0x"...), uint64(h.Opcode), 2)
		r.Bytes("opcode_name", p.scratch)
	}
	if h.HasFn {
		r.HexUint("function_code", uint64(h.Fn), 4)
		if fnName, fnKnown = plusFunctionName(h.Fn); fnKnown {
			r.Str("function_name", fnName)
		} else {
			p.scratch = appendHex(append(p.scratch[:0], "Unknown s7comm-plus function-0x"...), uint64(h.Fn), 4)
			r.Bytes("function_name", p.scratch)
		}
	}
	r.Done()
	if !opKnown {
		p.env.Weird(WeirdPlusOpcode, "")
	}
	if !fnKnown {
		p.env.Weird(WeirdPlusFunction, "")
	}
	if h.Opcode == PlusRequest {
		if !p.roles {
			p.setRoles(dir)
		}
		switch h.Fn {
		case 0x04f2, 0x0542:
			p.env.Event(dir, dissect.EvWrite, "S7comm-plus "+fnName)
		case 0x04d4:
			p.env.Event(dir, dissect.EvProgramDelete, "S7comm-plus Delete Object")
		}
	}
}

// addPending records a request. A response that arrived first (the engine delivers a
// direction late when the capture has a hole in it) is matched here instead. When the table
// is full the oldest request is dropped (one flood anomaly per flow).
func (p *parser) addPending(dir dissect.Dir, ref uint16, fn, pi uint8) {
	if p.norph > 0 {
		for i := range p.orph {
			o := &p.orph[i]
			if o.used && o.ref == ref && o.dir != dir {
				v := *o
				*o = orphan{}
				p.norph--
				p.answered(v.dir, pending{used: true, dir: dir, ref: ref, fn: fn, pi: pi}, v.ok)
				return
			}
		}
	}
	p.seq++
	slot, oldest := -1, -1
	for i := range p.pend {
		e := &p.pend[i]
		if !e.used {
			if slot < 0 {
				slot = i
			}
			continue
		}
		if e.ref == ref && e.dir == dir { // reused reference: the old request went unanswered
			slot = i
			break
		}
		if oldest < 0 || e.seq < p.pend[oldest].seq {
			oldest = i
		}
	}
	if slot < 0 {
		if !p.flooded {
			p.flooded = true
			p.env.Weird(WeirdPendingFlood, "")
		}
		slot = oldest
		p.npend--
	}
	if !p.pend[slot].used {
		p.npend++
	}
	p.pend[slot] = pending{used: true, dir: dir, ref: ref, fn: fn, pi: pi, seq: p.seq}
}

// response pairs a response sent in dir with its request, or keeps it as an orphan until the
// request shows up or the flow ends. ok: the response reports no error.
func (p *parser) response(dir dissect.Dir, ref uint16, ok bool) {
	if p.npend > 0 {
		for i := range p.pend {
			e := &p.pend[i]
			if e.used && e.ref == ref && e.dir != dir {
				v := *e
				*e = pending{}
				p.npend--
				p.answered(dir, v, ok)
				return
			}
		}
	}
	p.seq++
	slot, oldest := -1, -1
	for i := range p.orph {
		if !p.orph[i].used {
			slot = i
			break
		}
		if oldest < 0 || p.orph[i].seq < p.orph[oldest].seq {
			oldest = i
		}
	}
	if slot < 0 {
		p.env.Weird(WeirdUnmatchedRef, "")
		slot = oldest
		p.norph--
	}
	p.orph[slot] = orphan{used: true, dir: dir, ref: ref, ok: ok, seq: p.seq}
	p.norph++
}

// answered completes a request/response pair: the responder (dir) is the PLC.
func (p *parser) answered(dir dissect.Dir, req pending, ok bool) {
	if !ok {
		return
	}
	switch req.pi {
	case piStart:
		p.env.Fact(dir, dissect.AttrPLCMode, "run", "pi_service.P_PROGRAM")
	case piStop:
		p.env.Fact(dir, dissect.AttrPLCMode, "stop", "plc_stop")
	}
}

// writeDetail describes a Write Var request for the event (allocates: writes are events).
func writeDetail(param []byte) string {
	it, n, ok := FirstItem(param)
	s := "Write Var items=" + strconv.Itoa(n)
	if !ok {
		return s
	}
	s += " area=" + areaName(it.Area)
	if it.Area == 0x84 || it.Area == 0x85 {
		s += " db=" + strconv.Itoa(int(it.DB))
	}
	return s + " byte=" + strconv.Itoa(int(it.Address>>3)) + "." + strconv.Itoa(int(it.Address&7)) +
		" count=" + strconv.Itoa(int(it.Count))
}

// trimText returns a fixed-width SZL text without trailing NULs and spaces.
func trimText(b []byte) string {
	end := len(b)
	for i, c := range b {
		if c == 0 {
			end = i
			break
		}
	}
	for end > 0 && b[end-1] == ' ' {
		end--
	}
	start := 0
	for start < end && b[start] == ' ' {
		start++
	}
	return string(b[start:end])
}

// printable renders a short binary/ASCII field for event details.
func printable(b []byte) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			out = append(out, c)
		} else {
			out = append(out, '.')
		}
	}
	return string(out)
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		match := true
		for j := 0; j < len(sub); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func appendHex(b []byte, v uint64, width int) []byte {
	const digits = "0123456789abcdef"
	var d [16]byte
	i := len(d)
	for v > 0 || len(d)-i < width {
		i--
		d[i] = digits[v&15]
		v >>= 4
	}
	return append(b, d[i:]...)
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
