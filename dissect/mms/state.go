package mms

import (
	"unsafe"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/s7comm"
)

// Anomaly names reported to weird.log.
const (
	WeirdTPKTVersion      = "mms_tpkt_bad_version"
	WeirdTPKTLength       = "mms_tpkt_bad_length"
	WeirdCOTPLength       = "mms_cotp_bad_length"
	WeirdTSDUTooLong      = "mms_cotp_tsdu_too_long"
	WeirdResync           = "mms_resync"
	WeirdSessionLength    = "mms_session_bad_length"
	WeirdSessionNoData    = "mms_session_no_user_data"
	WeirdPresentation     = "mms_presentation_malformed"
	WeirdACSE             = "mms_acse_malformed"
	WeirdAssocRejected    = "mms_association_rejected"
	WeirdBER              = "mms_ber_error"
	WeirdMalformed        = "mms_malformed_pdu"
	WeirdUnknownService   = "mms_unknown_service"
	WeirdConfirmedError   = "mms_confirmed_error"
	WeirdReject           = "mms_reject"
	WeirdUnmatched        = "mms_unmatched_response"
	WeirdServiceMismatch  = "mms_response_service_mismatch"
	WeirdPendingFlood     = "mms_pending_flood"
	WeirdUnknownContext   = "mms_unknown_presentation_context"
	attrLogicalDevice     = "logical_device"
	logMMS                = "mms"
	unknownServiceDisplay = "unknown"
)

// Limits.
const (
	// MaxPending bounds the unanswered confirmed requests tracked per flow. MMS peers
	// negotiate proposedMaxServOutstanding at initiate time; IEC 61850 stacks use 5 to 20.
	MaxPending = 64
	// MaxTSDU bounds a reassembled COTP TSDU. IEC 61850 servers negotiate MMS PDU sizes of
	// at most a few tens of KiB.
	MaxTSDU = 64 << 10
	// MaxLogicalDevices bounds the logical_device facts per flow.
	MaxLogicalDevices = 32
)

type pending struct {
	used   bool
	dir    dissect.Dir // requester
	invoke uint64
	svc    int32
	class  int32
	vmd    bool
	seq    uint32
}

type parser struct {
	env     *dissect.Env
	tsdu    [2]s7comm.TSDU
	resync  [2]bool
	skip    [2]bool // drop DTs until the end of a TSDU cut by a gap
	pend    [MaxPending]pending
	npend   int
	seq     uint32
	flooded bool
	roles   bool
	client  dissect.Dir
	// Presentation contexts negotiated by the CP-type; unknown on a flow picked up mid-stream,
	// where the APDU's tag class tells ACSE (APPLICATION) from MMS (context-specific).
	haveCtx bool
	acsePCI uint64
	mmsPCI  uint64
	m       msg
	pdvs    [maxPDVs]pdv
	defs    [maxContexts]ctxDef
	ident   [2]bool
	lds     []string
	scratch []byte
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, scratch: make([]byte, 0, 256)}
	p.tsdu[0].Max, p.tsdu[1].Max = MaxTSDU, MaxTSDU
	return p
}

// knownCOTP reports whether code is a TPDU type of ISO 8073.
func knownCOTP(code uint8) bool {
	switch code {
	case s7comm.COTPED, s7comm.COTPEA, s7comm.COTPRJ, s7comm.COTPAK, s7comm.COTPER, s7comm.COTPDR,
		s7comm.COTPDC, s7comm.COTPCC, s7comm.COTPCR, s7comm.COTPDT:
		return true
	}
	return false
}

// Parse consumes whole TPKT packets.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	off := 0
	if p.resync[dir] {
		i := s7comm.ResyncTPKT(b)
		if i < 0 {
			return keepTail(b), nil
		}
		p.resync[dir] = false
		off = i
	}
	for off < len(b) {
		rest := b[off:]
		n, err := s7comm.ParseTPKT(rest)
		if err == nil && n > len(rest) && len(rest) >= 6 {
			// Before waiting for the rest, check that the COTP header is plausible: a bogus
			// length must not stall the flow until the engine's buffer cap.
			if li := int(rest[4]); li == 0 || li+1 > n-s7comm.TPKTHeaderLen || !knownCOTP(rest[5]>>4) {
				err = s7comm.ErrCOTPLength
			}
		}
		if err != nil {
			switch err {
			case s7comm.ErrTPKTVersion:
				p.env.Weird(WeirdTPKTVersion, "")
			case s7comm.ErrCOTPLength:
				p.env.Weird(WeirdCOTPLength, "implausible header of an incomplete packet")
			default:
				p.env.Weird(WeirdTPKTLength, "")
			}
			i := s7comm.ResyncTPKT(rest[1:])
			if i < 0 {
				p.resync[dir] = true
				p.tsdu[dir].Reset()
				return off + keepTail(rest), nil
			}
			p.env.Weird(WeirdResync, "")
			off += 1 + i
			continue
		}
		if n == 0 || n > len(rest) {
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

// Gap drops the partial TSDU of dir and resynchronises on the next plausible TPKT header.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	// A TSDU cut by the gap cannot be completed: drop the data TPDUs up to its end.
	p.skip[dir] = p.tsdu[dir].Pending()
	p.tsdu[dir].Reset()
	p.resync[dir] = true
}

// Close forgets the unanswered requests: MMS has no late answers once the connection ends.
func (p *parser) Close() {
	p.pend, p.npend = [MaxPending]pending{}, 0
}

// packet handles one whole TPKT packet.
func (p *parser) packet(dir dissect.Dir, pkt []byte) {
	c, err := s7comm.ParseCOTP(pkt[s7comm.TPKTHeaderLen:])
	if err != nil {
		p.env.Weird(WeirdCOTPLength, "")
		return
	}
	switch c.Code {
	case s7comm.COTPDT:
		if p.skip[dir] {
			p.skip[dir] = !c.EOT
			return
		}
		tsdu, done, overflow := p.tsdu[dir].Add(&c)
		if overflow {
			p.env.Weird(WeirdTSDUTooLong, "")
		}
		if done && len(tsdu) > 0 {
			if tsdu[0]>>6 == classContext {
				// An MMS PDU without session and presentation layers. With nothing else
				// to vouch for it, an empty element (a bare conclude 8b 00) is too weak a
				// signature and is not taken as MMS (Wireshark's COTP heuristic agrees).
				if len(tsdu) > 2 && tsdu[1] != 0 {
					p.guessRoles()
					p.mmsPDU(dir, tsdu)
				}
			} else {
				p.session(dir, tsdu)
			}
		}
	case s7comm.COTPCR:
		p.setRoles(dir)
	case s7comm.COTPCC:
		p.setRoles(dir.Flip())
	}
}

// setRoles reports the client and server role facts once per flow.
func (p *parser) setRoles(client dissect.Dir) {
	if p.roles {
		return
	}
	p.roles, p.client = true, client
	p.env.Fact(client, dissect.AttrRole, "mms_client", "cotp")
	p.env.Fact(client.Flip(), dissect.AttrRole, "mms_server", "cotp")
}

// guessRoles sets the roles of a flow picked up mid-stream: the endpoint on port 102 serves.
func (p *parser) guessRoles() {
	if p.roles {
		return
	}
	client := dissect.Orig
	if p.env.Flow.Orig.Port == 102 && p.env.Flow.Resp.Port != 102 {
		client = dissect.Resp
	}
	p.setRoles(client)
}

// session decodes the SPDU of one TSDU and hands its presentation data on.
func (p *parser) session(dir dissect.Dir, tsdu []byte) {
	s, err := parseSPDU(tsdu)
	if err != nil {
		if err == errSessionShort {
			p.env.Weird(WeirdSessionLength, "")
		} else if s.si == spduConnect || s.si == spduAccept {
			p.env.Weird(WeirdSessionNoData, "")
		}
		return
	}
	switch s.si {
	case spduConnect:
		p.setRoles(dir)
		n, user, err := parseConnectPPDU(s.user, &p.defs)
		if err != nil {
			p.env.Weird(WeirdPresentation, "CP-type")
			return
		}
		p.contexts(n)
		p.userData(dir, user)
	case spduAccept:
		p.setRoles(dir.Flip())
		var defs [maxContexts]ctxDef
		_, user, err := parseConnectPPDU(s.user, &defs)
		if err != nil {
			p.env.Weird(WeirdPresentation, "CPA-PPDU")
			return
		}
		p.userData(dir, user)
	case spduDataTransfer:
		p.guessRoles()
		p.userData(dir, s.user)
	}
}

// contexts records the presentation context identifiers of ACSE and MMS.
func (p *parser) contexts(n int) {
	p.haveCtx = false
	var acse, mms bool
	for _, d := range p.defs[:n] {
		switch string(d.as) {
		case oidACSE:
			p.acsePCI, acse = d.pci, true
		case oidMMS:
			p.mmsPCI, mms = d.pci, true
		}
	}
	p.haveCtx = acse && mms
}

// userData decodes fully encoded presentation user data and dispatches each PDV.
func (p *parser) userData(dir dissect.Dir, u []byte) {
	n, err := parseFullyEncoded(u, &p.pdvs)
	if err != nil {
		p.env.Weird(WeirdPresentation, err.Error())
		return
	}
	for i := 0; i < n; i++ {
		d := &p.pdvs[i]
		if len(d.data) == 0 {
			continue
		}
		if p.haveCtx {
			switch d.pci {
			case p.mmsPCI:
				p.mmsPDU(dir, d.data)
			case p.acsePCI:
				p.acse(dir, d.data)
			default:
				p.env.Weird(WeirdUnknownContext, "")
			}
			continue
		}
		if d.data[0]>>6 == classApplication {
			p.acse(dir, d.data)
		} else {
			p.mmsPDU(dir, d.data)
		}
	}
}

// acse decodes an ACSE APDU and the MMS PDU in its user information.
func (p *parser) acse(dir dissect.Dir, b []byte) {
	a, err := parseACSE(b)
	if err != nil {
		p.env.Weird(WeirdACSE, err.Error())
		return
	}
	if a.kind == 1 && a.result != 0 {
		p.env.Weird(WeirdAssocRejected, "")
	}
	if a.kind == 0 && a.auth {
		p.env.Event(dir, dissect.EvPassword, "ACSE AARQ calling-authentication-value")
	}
	if a.user != nil {
		p.mmsPDU(dir, a.user)
	}
}

// bstr views b as a string for a call that copies it (Record.ElemStr). It must not be kept.
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// mmsPDU decodes one MMS PDU, pairs it and writes its mms.log line, then its facts, events
// and anomalies.
func (p *parser) mmsPDU(dir dissect.Dir, b []byte) {
	if err := wellFormed(b); err != nil {
		p.env.Weird(WeirdBER, err.Error())
	}
	m := &p.m
	if err := decodeMMS(b, m); err != nil {
		p.env.Weird(WeirdMalformed, err.Error())
		return
	}
	p.env.PDU()
	p.guessRoles()
	var req pending
	matched := false
	switch m.kind {
	case pduConfirmedRequest:
		if m.hasInvoke {
			p.track(dir, m)
		}
		if name := serviceName(uint32(m.svc)); name != "" {
			p.env.Command(name)
		}
	case pduConfirmedResponse, pduConfirmedError:
		req, matched = p.take(dir.Flip(), m.invoke)
	}
	p.record(dir, m, &req, matched)
	if m.noService {
		p.env.Weird(WeirdMalformed, "confirmed PDU without a service")
	}
	p.after(dir, m, &req, matched)
}

// track remembers a confirmed request until its response.
func (p *parser) track(dir dissect.Dir, m *msg) {
	p.seq++
	free, oldest := -1, 0
	for i := range p.pend {
		e := &p.pend[i]
		if !e.used {
			if free < 0 {
				free = i
			}
			continue
		}
		if e.dir == dir && e.invoke == m.invoke {
			free = i // a reused invoke id replaces the unanswered request
			p.npend--
			break
		}
		if e.seq < p.pend[oldest].seq || !p.pend[oldest].used {
			oldest = i
		}
	}
	if free < 0 {
		if !p.flooded {
			p.flooded = true
			p.env.Weird(WeirdPendingFlood, "")
		}
		free = oldest
		p.npend--
	}
	p.pend[free] = pending{used: true, dir: dir, invoke: m.invoke, svc: m.svc, class: m.objClass,
		vmd: m.vmdScope, seq: p.seq}
	p.npend++
}

// take removes and returns the request of requester dir with invoke id.
func (p *parser) take(dir dissect.Dir, invoke uint64) (pending, bool) {
	if p.npend == 0 {
		return pending{}, false
	}
	for i := range p.pend {
		e := &p.pend[i]
		if e.used && e.dir == dir && e.invoke == invoke {
			r := *e
			*e = pending{}
			p.npend--
			return r, true
		}
	}
	return pending{}, false
}

// record writes the mms.log line of m.
func (p *parser) record(dir dissect.Dir, m *msg, req *pending, matched bool) {
	r := p.env.Log(logMMS).Bool("is_orig", dir == dissect.Orig).Str("pdu", pduNames[m.kind])
	if m.hasInvoke {
		r.Uint("invoke_id", m.invoke)
	}
	if m.svc >= 0 {
		switch m.kind {
		case pduUnconfirmed:
			r.Str("service", name(unconfirmedNames[:], uint64(m.svc), unknownServiceDisplay))
		case pduConfirmedRequest, pduConfirmedResponse:
			if n := serviceName(uint32(m.svc)); n != "" {
				r.Str("service", n)
			} else {
				r.Str("service", unknownServiceDisplay).Uint("service_tag", uint64(m.svc))
			}
		}
	} else if m.kind == pduConfirmedError && matched {
		if n := serviceName(uint32(req.svc)); n != "" {
			r.Str("service", n)
		}
	}
	class := m.objClass
	if matched && m.kind == pduConfirmedResponse && req.svc == svcGetNameList {
		class = req.class
	}
	if class >= 0 {
		r.Str("object_class", name(objectClassNames[:], uint64(class), unknownServiceDisplay))
	}
	domain := m.scope
	if domain == nil {
		for _, n := range m.names[:m.nnames] {
			if n.domain != nil {
				domain = n.domain
				break
			}
		}
	}
	if domain != nil {
		r.Bytes("domain", domain)
	}
	if m.nnames > 0 {
		r.Array("items")
		for _, n := range m.names[:m.nnames] {
			if n.domain == nil || string(n.domain) == string(domain) {
				r.ElemStr(bstr(n.item))
				continue
			}
			p.scratch = append(append(append(p.scratch[:0], n.domain...), '/'), n.item...)
			r.ElemStr(bstr(p.scratch))
		}
		r.End()
		if m.total > m.nnames {
			r.Uint("items_total", uint64(m.total))
		}
	}
	if m.file != nil {
		r.Bytes("filename", m.file)
	}
	if m.prog != nil {
		r.Bytes("program", m.prog)
	}
	if m.reportID != nil {
		r.Bytes("report_id", m.reportID)
	}
	if m.result != "" {
		r.Str("result", m.result)
	}
	if m.hasErr {
		r.Int("error_code", m.errCode)
	}
	if m.more >= 0 {
		r.Bool("more_follows", m.more == 1)
	}
	if m.vendor != nil {
		r.Bytes("vendor", m.vendor)
	}
	if m.model != nil {
		r.Bytes("model", m.model)
	}
	if m.revision != nil {
		r.Bytes("revision", m.revision)
	}
	r.Done()
}

// after reports the facts, events and anomalies of m, once its record is written.
func (p *parser) after(dir dissect.Dir, m *msg, req *pending, matched bool) {
	switch m.kind {
	case pduConfirmedRequest:
		if m.noService {
			return
		}
		if serviceName(uint32(m.svc)) == "" {
			p.env.Weird(WeirdUnknownService, "")
			return
		}
		p.requestEvent(dir, m)
	case pduConfirmedResponse:
		if m.noService {
			return
		}
		if serviceName(uint32(m.svc)) == "" {
			p.env.Weird(WeirdUnknownService, "")
		}
		if !matched {
			p.env.Weird(WeirdUnmatched, "")
			return
		}
		if req.svc != m.svc {
			p.env.Weird(WeirdServiceMismatch, "")
		}
		switch m.svc {
		case svcIdentify:
			if !p.ident[dir] {
				p.ident[dir] = true
				p.env.Fact(dir, dissect.AttrVendor, string(m.vendor), "identify.vendorName")
				p.env.Fact(dir, dissect.AttrModel, string(m.model), "identify.modelName")
				p.env.Fact(dir, dissect.AttrFirmware, string(m.revision), "identify.revision")
			}
		case svcGetNameList:
			if req.svc == svcGetNameList && req.class == classDomain && req.vmd {
				p.logicalDevices(dir, m)
			}
		}
	case pduConfirmedError:
		p.env.Weird(WeirdConfirmedError, m.result)
		if !matched {
			p.env.Weird(WeirdUnmatched, "")
		}
	case pduReject:
		p.env.Weird(WeirdReject, m.result)
	case pduUnconfirmed:
		if m.svc >= int32(len(unconfirmedNames)) {
			p.env.Weird(WeirdUnknownService, "unconfirmed")
		}
	}
}

// logicalDevices reports the domains a server lists as IEC 61850 logical devices.
func (p *parser) logicalDevices(dir dissect.Dir, m *msg) {
	it := berIter{b: m.idList}
next:
	for id, ok := it.next(); ok; id, ok = it.next() {
		if len(p.lds) >= MaxLogicalDevices {
			return
		}
		if !id.is(classUniversal, false, 26) {
			continue
		}
		for _, s := range p.lds {
			if s == string(id.val) {
				continue next
			}
		}
		v := string(id.val)
		p.lds = append(p.lds, v)
		p.env.Fact(dir, attrLogicalDevice, v, "getNameList.listOfIdentifier")
	}
}

// objectRef returns "domain/item" (or "item") of m's first name, "" when none.
func objectRef(m *msg) string {
	if m.nnames == 0 {
		if m.scope != nil {
			return string(m.scope)
		}
		return ""
	}
	n := m.names[0]
	s := string(n.item)
	if n.domain != nil {
		s = string(n.domain) + "/" + s
	}
	if m.total > 1 {
		s += " (+" + itoa(m.total-1) + " more)"
	}
	return s
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

// requestEvent reports the operational event of a confirmed request.
func (p *parser) requestEvent(dir dissect.Dir, m *msg) {
	svc := serviceName(uint32(m.svc))
	switch m.svc {
	case svcWrite:
		p.env.Event(dir, dissect.EvWrite, "write "+objectRef(m))
	case svcDefineNamedVariableList, svcDeleteNamedVariableList, svcDefineNamedVariable, svcDeleteVariableAccess:
		p.env.Event(dir, dissect.EvConfigWrite, svc+" "+objectRef(m))
	case svcFileOpen, svcFileDelete, svcObtainFile, svcFileRename:
		p.env.Event(dir, dissect.EvFileTransfer, svc+" "+string(m.file))
	case svcStart, svcResume:
		p.env.Event(dir, dissect.EvPLCStart, svc+" "+string(m.prog))
	case svcStop, svcKill:
		p.env.Event(dir, dissect.EvPLCStop, svc+" "+string(m.prog))
	case svcReset:
		p.env.Event(dir, dissect.EvRestart, svc+" "+string(m.prog))
	case svcInitiateDownloadSequence, svcRequestDomainDownload, svcLoadDomainContent:
		p.env.Event(dir, dissect.EvProgramDownload, svc+" "+string(m.scope))
	case svcInitiateUploadSequence, svcRequestDomainUpload, svcStoreDomainContent:
		p.env.Event(dir, dissect.EvProgramUpload, svc+" "+string(m.scope))
	case svcDeleteDomain, svcDeleteProgramInvocation:
		p.env.Event(dir, dissect.EvProgramDelete, svc+" "+string(m.scope)+string(m.prog))
	case svcIdentify:
		p.env.Event(dir, dissect.EvScan, svc)
	}
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
