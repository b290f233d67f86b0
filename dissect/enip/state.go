package enip

import (
	"encoding/binary"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/wire"
)

// maxPending bounds the outstanding CIP requests kept per flow for pairing (Suricata's
// app-layer default for ENIP is to bound transactions too; 128 is above any real window).
// When full, the oldest entry is dropped and enip_pending_flood is reported once.
const maxPending = 128

// maxSub bounds the embedded services remembered per Multiple Service Packet for naming their
// replies; further ones are logged but not remembered.
const maxSub = 16

// maxDepth bounds nesting of Multiple Service Packet / Unconnected Send.
const maxDepth = 3

// subReq is what a pending request remembers of one embedded request.
type subReq struct {
	code                       uint8
	class, instance            uint32
	attr                       uint32
	hasClass, hasInst, hasAttr bool
}

// pending is one outstanding CIP request.
type pending struct {
	used      bool
	connected bool   // paired by connected sequence count, else by sender context
	key       uint64 // sequence count or sender context
	reqDir    dissect.Dir
	ts        int64
	req       subReq
	inner     subReq // the request embedded in an Unconnected Send
	hasInner  bool
	nsub      int
	sub       [maxSub]subReq
	fo        forwardOpen
	hasFO     bool
}

// parser is the per-flow state. TCP flows are framed by the encapsulation header; UDP flows
// carry one encapsulation message (port 44818) or one connected I/O packet (port 2222) per
// datagram.
type parser struct {
	env *dissect.Env
	udp bool

	synced     [2]bool // TCP: the direction is at a PDU boundary
	everSynced [2]bool
	seenValid  bool

	roleDone bool
	reqSeen  [2]bool // a request was seen in connected [1] / unconnected [0] pairing mode
	flooded  bool

	pend    []*pending // outstanding requests, at most maxPending; entries are reused once answered
	cpf     cpf
	msgs    [maxDepth + 1]msg // embedded messages by nesting depth
	idSig   [2]uint64
	scratch [96]byte

	io ioState
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, udp: env.Flow.Proto == 17}
	return p
}

// Parse implements dissect.Parser.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	if p.udp {
		p.datagram(dir, b)
		return len(b), nil
	}
	off := 0
	for {
		rest := b[off:]
		if !p.synced[dir] {
			i := resync(rest)
			if i < 0 {
				k := len(rest) - (headerLen - 1)
				if k < 0 {
					k = 0
				}
				return off + k, nil
			}
			off += i
			rest = b[off:]
			p.synced[dir], p.everSynced[dir] = true, true
		}
		if len(rest) < headerLen {
			return off, nil
		}
		h := parseHeader(rest)
		if h.length > maxBody || (!knownCommand(h.command) && (h.options != 0 || encapStatusName(h.status) == "")) {
			// Not a header where one must be: the stream is out of step.
			p.synced[dir] = false
			p.env.Weird("enip_bad_header", "")
			off++
			continue
		}
		total := headerLen + int(h.length)
		if len(rest) < total {
			return off, nil
		}
		p.encap(dir, h, rest[headerLen:total])
		off += total
	}
}

// resync returns the offset of the first believable header in b, or -1.
func resync(b []byte) int {
	for i := 0; i+headerLen <= len(b); i++ {
		if strictHeader(b[i:]) {
			return i
		}
	}
	return -1
}

// Gap implements dissect.Parser: the direction must find a header again.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	if !p.udp {
		p.synced[dir] = false
	}
}

// Close implements dissect.Parser: flush the I/O summaries and forget pending requests.
func (p *parser) Close() {
	p.ioFlush()
	for _, e := range p.pend {
		e.used = false
	}
}

func (p *parser) datagram(dir dissect.Dir, b []byte) {
	if isIO(b) {
		p.ioPacket(dir, b)
		return
	}
	if len(b) >= headerLen && strictHeader(b) {
		h := parseHeader(b)
		if headerLen+int(h.length) <= len(b) {
			p.encap(dir, h, b[headerLen:headerLen+int(h.length)])
			return
		}
	}
	if p.seenValid {
		p.env.Weird("enip_unparsed_datagram", "")
	}
}

// envelope adds ICSNPP's direction fields.
func (p *parser) envelope(r *dissect.Record, dir dissect.Dir) *dissect.Record {
	f := p.env.Flow
	src, dst := f.Orig, f.Resp
	if dir == dissect.Resp {
		src, dst = dst, src
	}
	r.Bool("is_orig", dir == dissect.Orig)
	if src.IP.IsValid() {
		r.Addr("source_h", src.IP).Uint("source_p", uint64(src.Port))
		r.Addr("destination_h", dst.IP).Uint("destination_p", uint64(dst.Port))
	}
	return r
}

// encap handles one encapsulation message.
func (p *parser) encap(dir dissect.Dir, h header, body []byte) {
	p.env.PDU()
	p.seenValid = true
	r := p.envelope(p.env.Log("enip"), dir)
	r.HexUint("enip_command_code", uint64(h.command), 2).Str("enip_command", commandName(h.command))
	r.Uint("length", uint64(h.length)).HexUint("session_handle", uint64(h.session), 8)
	if n := encapStatusName(h.status); n != "" {
		r.Str("enip_status", n)
	} else {
		r.Bytes("enip_status", p.hexName("Unknown ENIP Status-", uint64(h.status), 2))
	}
	r.HexUint("sender_context", h.context, 16).HexUint("options", uint64(h.options), 8).Done()

	if h.status != 0 {
		if n := encapStatusName(h.status); n != "" {
			p.env.Weird("enip_error_status", n)
		} else {
			p.env.Weird("enip_error_status", "")
		}
	}
	if !knownCommand(h.command) {
		p.env.Weird("enip_unknown_command", "")
		return
	}
	switch h.command {
	case cmdListIdentity:
		if h.length == 0 {
			p.role(dir)
			p.env.Event(dir, dissect.EvScan, "ListIdentity")
			return
		}
		p.role(dir.Flip())
		p.listIdentity(dir, body)
	case cmdRegisterSession:
		if h.length != 4 {
			p.env.Weird("enip_bad_length", "RegisterSession")
		}
		if h.session == 0 {
			p.role(dir)
		}
	case cmdSendRRData, cmdSendUnitData:
		p.sendData(dir, h, body)
	}
}

// hexName writes prefix + "0x" + v in at least width hex digits into scratch.
func (p *parser) hexName(prefix string, v uint64, width int) []byte {
	const digits = "0123456789abcdef"
	b := append(p.scratch[:0], prefix...)
	b = append(b, '0', 'x')
	var d [16]byte
	i := 16
	for v > 0 || 16-i < width {
		i--
		d[i] = digits[v&15]
		v >>= 4
		if i == 0 {
			break
		}
	}
	return append(b, d[i:]...)
}

// role reports the client/server roles once per flow; client is the requesting side.
func (p *parser) role(client dissect.Dir) {
	if p.roleDone {
		return
	}
	p.roleDone = true
	p.env.Fact(client, dissect.AttrRole, "enip_client", "enip.command")
	p.env.Fact(client.Flip(), dissect.AttrRole, "enip_server", "enip.command")
}

func (p *parser) listIdentity(dir dissect.Dir, body []byte) {
	r := wire.New(body)
	count, ok := parseCPF(&r, &p.cpf)
	if !ok {
		if count > maxItems {
			p.env.Weird("enip_cpf_item_count", "")
		} else {
			p.env.Weird("enip_truncated", "ListIdentity")
		}
		return
	}
	for i := 0; i < p.cpf.n; i++ {
		it := p.cpf.items[i]
		if it.typ != itemListIdentity {
			continue
		}
		id, ok := parseListIdentityItem(it.data)
		if !ok {
			p.env.Weird("enip_truncated", "CIP Identity item")
			continue
		}
		p.logIdentity(dir, &id)
		p.identityFacts(dir, &id, idAll, "cip_identity")
	}
}

func (p *parser) sendData(dir dissect.Dir, h header, body []byte) {
	r := wire.New(body)
	r.Skip(6) // interface handle, timeout
	count, ok := parseCPF(&r, &p.cpf)
	if !ok {
		if count > maxItems {
			p.env.Weird("enip_cpf_item_count", "")
		} else {
			p.env.Weird("enip_truncated", commandName(h.command))
		}
		return
	}
	for i := 0; i < p.cpf.n; i++ {
		it := p.cpf.items[i]
		switch it.typ {
		case itemUnconnectedData:
			p.cip(dir, it.data, false, h.context, 0, 0)
		case itemConnectedData:
			if len(it.data) < 2 {
				p.env.Weird("enip_truncated", "connected data item")
				continue
			}
			seq := binary.LittleEndian.Uint16(it.data)
			p.cip(dir, it.data[2:], true, uint64(seq), seq, 0)
		}
	}
}

// cip handles one CIP message of an unconnected (key = sender context) or connected (key =
// sequence count) exchange.
func (p *parser) cip(dir dissect.Dir, b []byte, connected bool, key uint64, seq uint16, depth int) {
	m, ok := parseMsg(b)
	if !ok {
		p.env.Weird("cip_truncated", "")
		return
	}
	if !m.resp {
		p.role(dir)
		mode := 0
		if connected {
			mode = 1
		}
		p.reqSeen[mode] = true
		e := p.newPending(dir, connected, key)
		e.req = subOf(&m)
		p.request(dir, &m, connected, seq, e, depth, false)
		return
	}
	e := p.match(dir, connected, key)
	if e == nil {
		mode := 0
		if connected {
			mode = 1
		}
		if p.reqSeen[mode] {
			p.env.Weird("cip_unmatched_response", "")
		}
	}
	var req *subReq
	if e != nil {
		switch {
		case e.hasInner && e.inner.code == m.code:
			req = &e.inner
		case e.req.code == m.code:
			req = &e.req
		}
	}
	p.response(dir, &m, connected, seq, req, e, depth)
	if e != nil {
		e.used = false
	}
}

func subOf(m *msg) subReq {
	return subReq{code: m.code, class: m.path.class, instance: m.path.instance, attr: m.path.attribute,
		hasClass: m.path.hasClass, hasInst: m.path.hasInst, hasAttr: m.path.hasAttr}
}

// request logs a CIP request and what it carries. e is the pending entry (nil for
// nested services past the remembered depth); sub says m is embedded in e's request.
func (p *parser) request(dir dissect.Dir, m *msg, connected bool, seq uint16, e *pending, depth int, sub bool) {
	p.env.Command(serviceName(m.code, m.path.class, m.path.hasClass))
	var pc pccc
	hasPCCC := false
	if m.code == svcExecutePCCC && (!m.path.hasClass || m.path.class == classPCCC) {
		pc, hasPCCC = parsePCCC(m.data)
	}
	p.logCIP(dir, m, connected, seq, m.path.class, m.path.hasClass, &pc, hasPCCC)
	p.requestEvents(dir, m, &pc, hasPCCC)

	isCM := m.path.hasClass && m.path.class == classConnMgr
	switch {
	case m.code == svcMultipleService && depth < maxDepth:
		it := newMulti(m.data)
		for {
			_, b, more := it.next()
			if !more {
				break
			}
			sm := &p.msgs[depth+1] // per-depth storage: a local would escape through the recursion
			var ok bool
			if *sm, ok = parseMsg(b); !ok || sm.resp {
				p.env.Weird("cip_truncated", "Multiple Service Packet")
				continue
			}
			if e != nil && !sub && e.nsub < maxSub {
				e.sub[e.nsub] = subOf(sm)
				e.nsub++
			}
			p.request(dir, sm, connected, seq, e, depth+1, true)
		}
		if it.bad > 0 {
			p.env.Weird("cip_bad_multiple_service", "")
		}
	case m.code == svcUnconnectedSend && isCM && depth < maxDepth:
		inner, ok := unconnectedSend(m.data)
		if !ok {
			p.env.Weird("cip_truncated", "Unconnected Send")
			return
		}
		im := &p.msgs[depth+1]
		if *im, ok = parseMsg(inner); !ok || im.resp {
			p.env.Weird("cip_truncated", "Unconnected Send")
			return
		}
		if e != nil && !sub {
			e.inner, e.hasInner = subOf(im), true
		}
		p.request(dir, im, connected, seq, e, depth+1, true)
	case (m.code == svcForwardOpen || m.code == svcLargeForwardOpen) && isCM:
		if fo, ok := parseForwardOpenReq(m.data, m.code == svcLargeForwardOpen); ok && e != nil {
			e.fo, e.hasFO = fo, true
		}
	case m.code == svcForwardClose && isCM:
		if serial, vendor, origSerial, ok := parseForwardClose(m.data); ok {
			p.conns().close(serial, vendor, origSerial)
		}
	}
}

// response logs a CIP response. req is the request it answers, when paired.
func (p *parser) response(dir dissect.Dir, m *msg, connected bool, seq uint16, req *subReq, e *pending, depth int) {
	var class uint32
	hasClass := false
	if req != nil {
		class, hasClass = req.class, req.hasClass
	}
	var pc pccc
	hasPCCC := false
	if m.code == svcExecutePCCC && (!hasClass || class == classPCCC) {
		pc, hasPCCC = parsePCCC(m.data)
	}
	p.logCIP(dir, m, connected, seq, class, hasClass, &pc, hasPCCC)
	if m.status != 0x00 && m.status != 0x06 { // 0x06 partial transfer is normal flow control
		if n := cipStatusName(m.status); n != "" {
			p.env.Weird("cip_error_status", n)
		} else {
			p.env.Weird("cip_error_status", "")
		}
	}
	switch {
	case m.code == svcMultipleService && depth < maxDepth:
		it := newMulti(m.data)
		for {
			i, b, more := it.next()
			if !more {
				break
			}
			sm := &p.msgs[depth+1]
			var ok bool
			if *sm, ok = parseMsg(b); !ok || !sm.resp {
				p.env.Weird("cip_truncated", "Multiple Service Packet")
				continue
			}
			var sr *subReq
			if e != nil && i < e.nsub && e.sub[i].code == sm.code {
				sr = &e.sub[i]
			}
			p.response(dir, sm, connected, seq, sr, nil, depth+1)
		}
		if it.bad > 0 {
			p.env.Weird("cip_bad_multiple_service", "")
		}
	case (m.code == svcForwardOpen || m.code == svcLargeForwardOpen) && m.status == 0 && (!hasClass || class == classConnMgr):
		if fo, ok := parseForwardOpenReply(m.data); ok {
			var tr uint8
			if e != nil && e.hasFO {
				tr = e.fo.transport
			}
			p.forwardOpened(dir, fo, tr)
		}
	case hasClass && class == classIdentity && m.status == 0:
		p.identityReply(dir, m, req)
	}
}

// logCIP writes one cip.log line. class names the service of a response (from its request).
func (p *parser) logCIP(dir dissect.Dir, m *msg, connected bool, seq uint16, class uint32, hasClass bool, pc *pccc, hasPCCC bool) {
	r := p.envelope(p.env.Log("cip"), dir)
	if connected && seq != 0 {
		r.Uint("cip_sequence_count", uint64(seq))
	}
	if m.resp {
		r.Str("direction", "response")
	} else {
		r.Str("direction", "request")
	}
	r.HexUint("cip_service_code", uint64(m.code), 2).Str("cip_service", serviceName(m.code, class, hasClass))
	if m.resp {
		r.HexUint("cip_status_code", uint64(m.status), 2)
		if n := cipStatusName(m.status); n != "" {
			r.Str("cip_status", n)
		} else {
			r.Bytes("cip_status", p.hexName("Unknown CIP Status-", uint64(m.status), 2))
		}
		if m.hasExt {
			r.HexUint("cip_extended_status_code", uint64(m.extStatus), 4)
			if n := extStatusName(m.extStatus); n != "" {
				r.Str("cip_extended_status", n)
			} else {
				r.Bytes("cip_extended_status", p.hexName("Unknown Extended Status-", uint64(m.extStatus), 4))
			}
		}
	} else {
		if m.path.hasClass {
			r.HexUint("class_id", uint64(m.path.class), 2).Str("class_name", className(m.path.class))
		}
		if m.path.hasInst {
			r.HexUint("instance_id", uint64(m.path.instance), 2)
		}
		if m.path.hasAttr {
			r.HexUint("attribute_id", uint64(m.path.attribute), 2)
		}
	}
	if hasPCCC {
		r.HexUint("pccc_command_code", uint64(pc.cmd), 2)
		if m.resp {
			r.HexUint("pccc_status_code", uint64(pc.sts), 2)
		}
		if pc.hasFnc {
			r.HexUint("pccc_function_code", uint64(pc.fnc), 2).Str("pccc_function", pcccFunctionName(pc.cmd, pc.fnc))
		}
	}
	r.Done()
}

// requestEvents reports operational events for a request.
func (p *parser) requestEvents(dir dissect.Dir, m *msg, pc *pccc, hasPCCC bool) {
	cls := m.path.class
	isCM := m.path.hasClass && cls == classConnMgr
	kind := ""
	switch m.code {
	case svcReset:
		if m.path.hasClass && cls == classIdentity {
			kind = dissect.EvRestart
		}
	case svcStart:
		kind = dissect.EvPLCStart
	case svcStop:
		kind = dissect.EvPLCStop
	case svcSetAttributeSingle, svcSetAttributesAll, svcSetAttributeList:
		kind = dissect.EvWrite
	case svcWriteTag, svcWriteTagFragmented, svcReadModifyWrite:
		// Logix data table services: only a tag path (symbolic, or the Symbol object 0x6B)
		// makes these codes writes; on other objects they are object-specific services.
		if !isCM && (m.path.symbol != nil || (m.path.hasClass && cls == classSymbol)) {
			kind = dissect.EvWrite
		}
	case svcExecutePCCC:
		if hasPCCC && pc.hasFnc || hasPCCC && pc.cmd == 0x08 {
			switch pcccEventKind(pc.cmd, pc.fnc) {
			case "program_download":
				kind = dissect.EvProgramDownload
			case "program_upload":
				kind = dissect.EvProgramUpload
			case "mode_change":
				kind = dissect.EvModeChange
			case "write":
				kind = dissect.EvWrite
			}
		}
	}
	if kind == "" {
		return
	}
	p.env.Event(dir, kind, p.eventDetail(m, pc, hasPCCC))
}

// eventDetail describes a request: service, object path or tag, PCCC function. It allocates
// (events are rare next to PDUs).
func (p *parser) eventDetail(m *msg, pc *pccc, hasPCCC bool) string {
	b := append(p.scratch[:0], serviceName(m.code, m.path.class, m.path.hasClass)...)
	if m.path.hasClass {
		b = append(b, " class=0x"...)
		b = strconv.AppendUint(b, uint64(m.path.class), 16)
	}
	if m.path.hasInst {
		b = append(b, " instance=0x"...)
		b = strconv.AppendUint(b, uint64(m.path.instance), 16)
	}
	if m.path.hasAttr {
		b = append(b, " attribute=0x"...)
		b = strconv.AppendUint(b, uint64(m.path.attribute), 16)
	}
	if m.path.symbol != nil {
		b = append(b, " tag="...)
		b = append(b, m.path.symbol...)
	}
	if hasPCCC && pc.hasFnc {
		b = append(b, " pccc="...)
		b = append(b, pcccFunctionName(pc.cmd, pc.fnc)...)
	}
	return string(b)
}

// newPending stores a request, evicting the oldest entry when the table is full. Entries are
// allocated one by one as a flow needs them (a session rarely has more than a few requests
// outstanding; a 128-entry table up front cost 64 KiB per session).
func (p *parser) newPending(dir dissect.Dir, connected bool, key uint64) *pending {
	free, oldest := -1, -1
	for i, e := range p.pend {
		if !e.used {
			if free < 0 {
				free = i
			}
			continue
		}
		if e.connected == connected && e.key == key && e.reqDir == dir {
			free = i // a retransmission or reuse of the key replaces the old request
			break
		}
		if oldest < 0 || e.ts < p.pend[oldest].ts {
			oldest = i
		}
	}
	if free < 0 {
		if len(p.pend) < maxPending {
			p.pend = append(p.pend, new(pending))
			free = len(p.pend) - 1
		} else {
			if !p.flooded {
				p.flooded = true
				p.env.Weird("enip_pending_flood", "")
			}
			free = oldest
		}
	}
	e := p.pend[free]
	*e = pending{used: true, connected: connected, key: key, reqDir: dir, ts: p.env.TS}
	return e
}

// match finds the request a response from dir answers.
func (p *parser) match(dir dissect.Dir, connected bool, key uint64) *pending {
	for _, e := range p.pend {
		if e.used && e.connected == connected && e.key == key && e.reqDir != dir {
			return e
		}
	}
	return nil
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
