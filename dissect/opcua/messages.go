package opcua

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/wire"
)

// Log names (ICSNPP icsnpp-opcua-binary).
const (
	logMain                 = "opcua_binary"
	logOpenSecureChannel    = "opcua_binary_opensecure_channel"
	logGetEndpoints         = "opcua_binary_get_endpoints"
	logGetEndpointsDesc     = "opcua_binary_get_endpoints_description"
	logGetEndpointsToken    = "opcua_binary_get_endpoints_user_token"
	logCreateSession        = "opcua_binary_create_session"
	logCreateSessionEP      = "opcua_binary_create_session_endpoints"
	logCreateSessionToken   = "opcua_binary_create_session_user_token"
	logActivateSession      = "opcua_binary_activate_session"
	logCloseSession         = "opcua_binary_close_session"
	logBrowse               = "opcua_binary_browse"
	logBrowseDesc           = "opcua_binary_browse_description"
	logBrowseResult         = "opcua_binary_browse_result"
	logBrowseRefs           = "opcua_binary_browse_response_references"
	logRead                 = "opcua_binary_read"
	logReadNodes            = "opcua_binary_read_nodes_to_read"
	logReadResults          = "opcua_binary_read_results"
	logWrite                = "opcua_binary_write"
	logCreateSubscription   = "opcua_binary_create_subscription"
	logCreateMonitoredItems = "opcua_binary_create_monitored_items"
	logCreateItem           = "opcua_binary_create_monitored_items_create_item"
	logStatusCode           = "opcua_binary_status_code_detail"
)

// Anomaly names (weird.log).
const (
	weirdUnknownType     = "opcua_unknown_message_type"
	weirdBadChunkType    = "opcua_bad_chunk_type"
	weirdBadChunkSize    = "opcua_bad_chunk_size"
	weirdChunkTooLarge   = "opcua_chunk_too_large"
	weirdChunkLimit      = "opcua_chunk_limit_exceeded"
	weirdChunkSequence   = "opcua_chunk_sequence_error"
	weirdChunkAbort      = "opcua_chunk_abort"
	weirdErrorMessage    = "opcua_error_message"
	weirdDecodingError   = "opcua_decoding_error"
	weirdUnknownService  = "opcua_unknown_service"
	weirdUnmatched       = "opcua_unmatched_response"
	weirdRequestFlood    = "opcua_request_flood"
	weirdSecurityNone    = "opcua_security_none"
	weirdEncrypted       = "opcua_encrypted_body"
	weirdAnonymousToken  = "opcua_anonymous_token_offered"
	weirdCleartextToken  = "opcua_cleartext_password_token_offered"
	weirdCleartextPasswd = "opcua_cleartext_password"
)

// Once-per-flow bits.
const (
	onceSecurityNone = 1 << iota
	onceEncrypted
	onceAnonymous
	onceCleartextToken
	onceUnknownService
	onceDecoding
	onceUnmatched
)

// Fact slots.
const (
	factServerAppURI = 1 << iota
	factServerProduct
	factServerName
	factClientAppURI
	factClientProduct
	factClientName
)

func msgTypeName(mt uint32) string {
	switch mt {
	case mtHEL:
		return "HEL"
	case mtACK:
		return "ACK"
	case mtERR:
		return "ERR"
	case mtRHE:
		return "RHE"
	case mtOPN:
		return "OPN"
	case mtMSG:
		return "MSG"
	case mtCLO:
		return "CLO"
	}
	return "UNK"
}

func chunkName(c byte) string {
	switch c {
	case chunkFinal:
		return "F"
	case chunkIntermediate:
		return "C"
	case chunkAbort:
		return "A"
	}
	return "?"
}

// itoa formats v for an anomaly detail (rare path: allocates the string).
func itoa(scratch *[]byte, v uint64) string {
	*scratch = strconv.AppendUint((*scratch)[:0], v, 10)
	return string(*scratch)
}

// quoteType renders the first header bytes for an anomaly detail.
func quoteType(scratch *[]byte, b []byte) string {
	*scratch = strconv.AppendQuote((*scratch)[:0], string(b))
	return string(*scratch)
}

// begin starts a record in log with ICSNPP's direction fields: is_orig and the sender and
// receiver of the message.
func (p *parser) begin(log string, dir dissect.Dir) *dissect.Record {
	r := p.env.Log(log).Bool("is_orig", dir == dissect.Orig)
	if f := p.env.Flow; f != nil && f.Orig.IP.IsValid() {
		src, dst := f.Orig, f.Resp
		if dir == dissect.Resp {
			src, dst = dst, src
		}
		r.Addr("source_h", src.IP).Uint("source_p", uint64(src.Port))
		r.Addr("destination_h", dst.IP).Uint("destination_p", uint64(dst.Port))
	}
	return r
}

// mainRow starts an opcua_binary.log record for a message.
func (p *parser) mainRow(dir dissect.Dir, h header, link *[16]byte) *dissect.Record {
	return p.begin(logMain, dir).Bytes("opcua_link_id", link[:]).
		Str("msg_type", msgTypeName(h.mt)).Str("is_final", chunkName(h.chunk)).
		Uint("msg_size", uint64(h.size))
}

// helloAck logs a HEL or ACK message. Spec: Part 6 §7.1.2.3-4.
func (p *parser) helloAck(dir dissect.Dir, h header, r *wire.Reader, hello bool) {
	version, rcv, snd, maxMsg, maxChunk := r.U32LE(), r.U32LE(), r.U32LE(), r.U32LE(), r.U32LE()
	var url []byte
	urlNull := true
	if hello {
		url, urlNull = readString(r)
	}
	link := p.nextLink()
	rec := p.mainRow(dir, h, &link).Uint("version", uint64(version)).
		Uint("rcv_buf_size", uint64(rcv)).Uint("snd_buf_size", uint64(snd)).
		Uint("max_msg_size", uint64(maxMsg)).Uint("max_chunk_cnt", uint64(maxChunk))
	if hello && !urlNull {
		rec.Bytes("endpoint_url", url)
	}
	rec.Done()
	if r.Err() != nil {
		p.env.Weird(weirdDecodingError, msgTypeName(h.mt))
	}
}

// reverseHello logs an RHE message (server-initiated connection). Spec: Part 6 §7.1.2.6.
func (p *parser) reverseHello(dir dissect.Dir, h header, r *wire.Reader) {
	readString(r) // server URI
	url, null := readString(r)
	link := p.nextLink()
	rec := p.mainRow(dir, h, &link)
	if !null {
		rec.Bytes("endpoint_url", url)
	}
	rec.Done()
	if r.Err() != nil {
		p.env.Weird(weirdDecodingError, "RHE")
	}
}

// errMsg logs an ERR message and reports it as an anomaly. Spec: Part 6 §7.1.2.5.
func (p *parser) errMsg(dir dissect.Dir, h header, r *wire.Reader) {
	code := r.U32LE()
	reason, null := readString(r)
	link := p.nextLink()
	rec := p.mainRow(dir, h, &link).Uint("error", uint64(code))
	if !null {
		rec.Bytes("reason", reason)
	}
	rec.Done()
	detail := statusName(code) + " " + strconv.Quote(string(reason))
	p.env.Weird(weirdErrorMessage, detail)
	p.env.Event(dir, dissect.EvException, "ERR "+detail)
}

// secHeader is what the security and sequence headers of an OPN/MSG/CLO chunk show.
// Spec: Part 6 §6.7.2.3 Tables 42-44.
type secHeader struct {
	channel    uint32
	token      uint32
	policyLen  int32
	policy     []byte
	sndCertLen int32
	sndCert    []byte
	rcvCertLen int32
	rcvCert    []byte
	seq        uint32
	reqID      uint32
}

// readLenBytes reads an Int32 length and that many bytes (none for -1 or 0).
func readLenBytes(r *wire.Reader, n *int32) []byte {
	*n = readI32(r)
	if *n <= 0 {
		if *n < -1 {
			forceErr(r)
		}
		return nil
	}
	if int(*n) > r.Len() {
		forceErr(r)
		return nil
	}
	return r.Bytes(int(*n))
}

// reqHeader is a RequestHeader. Spec: Part 4 §7.28, Part 6 §5.2.
type reqHeader struct {
	auth    nodeID
	ts      float64
	handle  uint32
	retDiag uint32
	audit   []byte
	timeout uint32
	addType nodeID
	addEnc  byte
}

func readReqHeader(r *wire.Reader, h *reqHeader) {
	readNodeID(r, &h.auth, false)
	h.ts = readDateTime(r)
	h.handle = r.U32LE()
	h.retDiag = r.U32LE()
	h.audit, _ = readString(r)
	h.timeout = r.U32LE()
	var e extObject
	readExtObject(r, &e)
	h.addType, h.addEnc = e.typeID, e.encoding
}

// resHeader is a ResponseHeader. Spec: Part 4 §7.29.
type resHeader struct {
	ts       float64
	handle   uint32
	status   uint32
	diagMask byte
	addType  nodeID
	addEnc   byte
}

func readResHeader(r *wire.Reader, h *resHeader) {
	h.ts = readDateTime(r)
	h.handle = r.U32LE()
	h.status = r.U32LE()
	h.diagMask = skipDiagInfo(r, 0)
	n := readCount(r) // string table
	for i := 0; i < n && r.Err() == nil; i++ {
		readString(r)
	}
	var e extObject
	readExtObject(r, &e)
	h.addType, h.addEnc = e.typeID, e.encoding
}

// msgStart is the decoded start of a message body: its type id and service header.
type msgStart struct {
	typeID nodeID
	svc    uint32
	name   string
	kind   serviceKind
	req    reqHeader
	res    resHeader
}

// readMsgStart decodes the encodeable object's type id and, for a known service, its
// request or response header.
func readMsgStart(r *wire.Reader, m *msgStart) {
	readNodeID(r, &m.typeID, false)
	m.svc, m.name, m.kind = 0, "", kindNone
	if r.Err() != nil {
		return
	}
	if m.typeID.ns == 0 && m.typeID.kind() <= nidNumeric {
		m.svc = m.typeID.num
		m.name, m.kind = serviceName(m.svc)
	}
	switch m.kind {
	case kindRequest:
		readReqHeader(r, &m.req)
	case kindResponse:
		readResHeader(r, &m.res)
	}
}

// plausibleBody reports whether b (a chunk body after the sequence header) starts with the
// type id of a known service: the test that tells a signed-only body from an encrypted one.
func plausibleBody(b []byte) bool {
	r := wire.New(b)
	var n nodeID
	readNodeID(&r, &n, false)
	if r.Err() != nil || n.ns != 0 || n.kind() > nidNumeric {
		return false
	}
	_, k := serviceName(n.num)
	return k != kindNone
}

// secure handles an OPN, MSG or CLO chunk. Spec: Part 6 §6.7.2.
func (p *parser) secure(dir dissect.Dir, h header, c []byte, trunc bool) {
	d := &p.dirs[dir&1]
	r := wire.New(c[hdrLen:])
	var sh secHeader
	sh.channel = r.U32LE()
	if h.mt == mtOPN {
		sh.policy = readLenBytes(&r, &sh.policyLen)
		sh.sndCert = readLenBytes(&r, &sh.sndCertLen)
		sh.rcvCert = readLenBytes(&r, &sh.rcvCertLen)
	} else {
		sh.token = r.U32LE()
	}
	hdrErr := r.Err() != nil
	seqAt := r.Pos()

	plain := !hdrErr
	if h.mt == mtOPN && !hdrErr {
		if string(sh.policy) == policyNone {
			p.security = secNone
			p.weirdOnceFlow(onceSecurityNone, weirdSecurityNone, policyNone)
		} else {
			p.security = secSecured
			plain = false // asymmetric encryption covers the sequence header and body
		}
	} else if plain && p.security != secNone {
		// Signed-only bodies are in clear; encrypted ones are not. A continuation chunk
		// follows its message's first chunk, which passed this test.
		cont := d.msgOn && h.chunk != chunkAbort
		if !cont && h.chunk != chunkAbort {
			plain = len(c) >= hdrLen+seqAt+8 && plausibleBody(c[hdrLen+seqAt+8:])
		}
	}
	if plain {
		sh.seq = r.U32LE()
		sh.reqID = r.U32LE()
	}

	link := p.nextLink()
	if !plain {
		rec := p.mainRow(dir, h, &link)
		p.secFields(rec, h, &sh, false)
		rec.Bool("encrypted", true).Done()
		if hdrErr {
			p.env.Weird(weirdDecodingError, msgTypeName(h.mt)+" security header")
		} else {
			p.weirdOnceFlow(onceEncrypted, weirdEncrypted, msgTypeName(h.mt))
		}
		d.resetMsg()
		return
	}

	switch {
	case h.chunk == chunkAbort:
		code := r.U32LE()
		reason, null := readString(&r)
		rec := p.mainRow(dir, h, &link)
		p.secFields(rec, h, &sh, true)
		rec.Uint("error", uint64(code))
		if !null {
			rec.Bytes("reason", reason)
		}
		rec.Done()
		p.env.Weird(weirdChunkAbort, statusName(code))
		d.resetMsg()
		return

	case d.msgOn && sh.reqID == d.msgReqID:
		// Continuation of a multi-chunk message.
		rec := p.mainRow(dir, h, &link)
		p.secFields(rec, h, &sh, true)
		rec.Done()
		body := r.Rest()
		d.msgChunks++
		if !d.msgDrop && (trunc || d.msgChunks > maxChunks || len(d.msg)+len(body) > maxMessage) {
			d.msgDrop = true
			d.msg = d.msg[:0]
			p.env.Weird(weirdChunkLimit, itoa(&p.scratch, uint64(d.msgChunks)))
		}
		if !d.msgDrop {
			d.msg = append(d.msg, body...)
		}
		if h.chunk == chunkFinal {
			if !d.msgDrop {
				mr := wire.New(d.msg)
				var ms msgStart
				readMsgStart(&mr, &ms)
				if mr.Err() == nil && ms.kind != kindNone {
					p.service(dir, &ms, &mr, &d.msgLink, sh.reqID, false)
				}
			}
			d.resetMsg()
		}
		return
	}

	if d.msgOn {
		p.env.Weird(weirdChunkSequence, itoa(&p.scratch, uint64(sh.reqID)))
		d.resetMsg()
	}
	// First (or only) chunk of a message: its body starts with the type id.
	bodyAt := r.Pos()
	var ms msgStart
	readMsgStart(&r, &ms)
	hdrOK := r.Err() == nil
	if hdrOK && ms.kind == kindRequest && ms.name != "" {
		p.env.Command(ms.name)
	}
	var statusLink [16]byte
	rec := p.mainRow(dir, h, &link)
	p.secFields(rec, h, &sh, true)
	if ms.typeID.mask != 0 || ms.typeID.num != 0 || hdrOK {
		rec.Uint("encoding_mask", uint64(ms.typeID.mask)).Uint("namespace_idx", uint64(ms.typeID.ns))
		if ms.typeID.kind() <= nidNumeric {
			rec.Uint("identifier", uint64(ms.typeID.num))
		}
		if ms.name != "" {
			rec.Str("identifier_str", ms.name)
		}
	}
	if hdrOK {
		switch ms.kind {
		case kindRequest:
			p.reqHdrFields(rec, &ms.req)
		case kindResponse:
			statusLink = p.nextLink()
			p.resHdrFields(rec, &ms.res, &statusLink)
		}
	}
	rec.Done()
	if hdrOK && ms.kind == kindResponse {
		p.statusDetail(dir, &statusLink, srcResponseHeader, ms.res.status)
	}
	if ms.kind == kindNone && ms.typeID.mask <= nidNumeric && r.Err() == nil {
		p.weirdOnceFlow(onceUnknownService, weirdUnknownService, itoa(&p.scratch, uint64(ms.typeID.num)))
	}

	// Pairing and roles.
	switch ms.kind {
	case kindRequest:
		if !p.roleSent {
			p.setRoles(dir.Flip())
		}
		p.addPending(sh.reqID, ms.svc)
	case kindResponse:
		if !p.roleSent {
			p.setRoles(dir)
		}
		if _, ok := p.takePending(sh.reqID); !ok && p.sawRequest && !p.afterGap {
			p.weirdOnceFlow(onceUnmatched, weirdUnmatched, itoa(&p.scratch, uint64(sh.reqID)))
		}
	}

	if h.chunk == chunkIntermediate {
		d.msgOn, d.msgReqID, d.msgLink, d.msgChunks = true, sh.reqID, link, 1
		d.msg = append(d.msg[:0], c[hdrLen+bodyAt:]...)
		if trunc {
			d.msgDrop = true
		}
		return
	}
	if hdrOK && ms.kind != kindNone && !trunc {
		p.service(dir, &ms, &r, &link, sh.reqID, trunc)
	}
}

// secFields adds the channel, token, security and sequence header fields.
func (p *parser) secFields(rec *dissect.Record, h header, sh *secHeader, withSeq bool) {
	rec.Uint("sec_channel_id", uint64(sh.channel))
	if h.mt != mtOPN {
		rec.Uint("sec_token_id", uint64(sh.token))
	} else {
		rec.Int("sec_policy_uri_len", int64(sh.policyLen))
		if sh.policyLen >= 0 {
			rec.Bytes("sec_policy_uri", sh.policy)
		}
		rec.Int("snd_cert_len", int64(sh.sndCertLen))
		if sh.sndCertLen > 0 {
			p.scratch = appendHexTrunc(p.scratch[:0], sh.sndCert)
			rec.Bytes("snd_cert", p.scratch)
		}
		rec.Int("rcv_cert_len", int64(sh.rcvCertLen))
		if sh.rcvCertLen > 0 {
			p.scratch = appendHexTrunc(p.scratch[:0], sh.rcvCert)
			rec.Bytes("rcv_cert", p.scratch)
		}
	}
	if withSeq {
		rec.Uint("seq_number", uint64(sh.seq)).Uint("request_id", uint64(sh.reqID))
	}
}

// reqHdrFields adds the request header fields of opcua_binary.log.
func (p *parser) reqHdrFields(rec *dissect.Record, h *reqHeader) {
	p.nodeFields(rec, &keysReqHdr, &h.auth)
	rec.Float("req_hdr_timestamp", h.ts).Uint("req_hdr_request_handle", uint64(h.handle)).
		Uint("req_hdr_return_diag", uint64(h.retDiag)).Bytes("req_hdr_audit_entry_id", h.audit).
		Uint("req_hdr_timeout_hint", uint64(h.timeout)).
		Uint("req_hdr_add_hdr_type_id", uint64(h.addType.num)).
		Uint("req_hdr_add_hdr_enc_mask", uint64(h.addEnc))
}

// resHdrFields adds the response header fields of opcua_binary.log.
func (p *parser) resHdrFields(rec *dissect.Record, h *resHeader, statusLink *[16]byte) {
	rec.Float("res_hdr_timestamp", h.ts).Uint("res_hdr_request_handle", uint64(h.handle)).
		Bytes("status_code_link_id", statusLink[:]).
		Uint("res_hdr_service_diag_encoding", uint64(h.diagMask)).
		Uint("res_hdr_add_hdr_type_id", uint64(h.addType.num)).
		Uint("res_hdr_add_hdr_enc_mask", uint64(h.addEnc))
}

// nodeKeys are the field names of one flattened NodeId in a log.
type nodeKeys struct {
	mask, ns, num, str, guid, opaque, uri, server string
}

var (
	keysReqHdr      = nodeKeys{"req_hdr_node_id_type", "req_hdr_node_id_namespace_idx", "req_hdr_node_id_numeric", "req_hdr_node_id_string", "req_hdr_node_id_guid", "req_hdr_node_id_opaque", "", ""}
	keysSessionID   = nodeKeys{"session_id_encoding_mask", "session_id_namespace_idx", "session_id_numeric", "session_id_string", "session_id_guid", "session_id_opaque", "", ""}
	keysAuthToken   = nodeKeys{"auth_token_encoding_mask", "auth_token_namespace_idx", "auth_token_numeric", "auth_token_string", "auth_token_guid", "auth_token_opaque", "", ""}
	keysExtObj      = nodeKeys{"ext_obj_type_id_encoding_mask", "ext_obj_type_id_namespace_idx", "ext_obj_type_id_numeric", "ext_obj_type_id_string", "ext_obj_type_id_guid", "ext_obj_type_id_opaque", "", ""}
	keysBrowseView  = nodeKeys{"browse_view_id_encoding_mask", "browse_view_id_namespace_idx", "browse_view_id_numeric", "browse_view_id_string", "browse_view_id_guid", "browse_view_id_opaque", "", ""}
	keysBrowseDesc  = nodeKeys{"browse_description_encoding_mask", "browse_description_namespace_idx", "browse_description_numeric", "browse_description_string", "browse_description_guid", "browse_description_opaque", "", ""}
	keysBrowseRef   = nodeKeys{"browse_description_ref_encoding_mask", "browse_description_ref_namespace_idx", "browse_description_ref_numeric", "browse_description_ref_string", "browse_description_ref_guid", "browse_description_ref_opaque", "", ""}
	keysRespRef     = nodeKeys{"browse_response_ref_encoding_mask", "browse_response_ref_namespace_idx", "browse_response_ref_numeric", "browse_response_ref_string", "browse_response_ref_guid", "browse_response_ref_opaque", "", ""}
	keysRespRefType = nodeKeys{"browse_response_ref_type_encoding_mask", "browse_response_ref_type_namespace_idx", "browse_response_ref_type_numeric", "browse_response_ref_type_string", "browse_response_ref_type_guid", "browse_response_ref_type_opaque", "browse_response_ref_type_namespace_uri", "browse_response_ref_type_server_idx"}
	keysRespTypeDef = nodeKeys{"browse_response_type_def_encoding_mask", "browse_response_type_def_namespace_idx", "browse_response_type_def_numeric", "browse_response_type_def_string", "browse_response_type_def_guid", "browse_response_type_def_opaque", "browse_response_type_def_namespace_uri", "browse_response_type_def_server_idx"}
	keysNode        = nodeKeys{"node_id_encoding_mask", "node_id_namespace_idx", "node_id_numeric", "node_id_string", "node_id_guid", "node_id_opaque", "", ""}
	keysMonitorItem = nodeKeys{"item_to_monitor_node_id_encoding_mask", "item_to_monitor_node_id_namespace_idx", "item_to_monitor_node_id_numeric", "item_to_monitor_node_id_string", "item_to_monitor_node_id_guid", "item_to_monitor_node_id_opaque", "", ""}
	keysFilterType  = nodeKeys{"monitoring_parameters_filter_info_type_id_node_id_encoding_mask", "monitoring_parameters_filter_info_type_id_node_id_namespace_idx", "monitoring_parameters_filter_info_type_id_node_id_numeric", "monitoring_parameters_filter_info_type_id_node_id_string", "monitoring_parameters_filter_info_type_id_node_id_guid", "monitoring_parameters_filter_info_type_id_node_id_opaque", "", ""}
)

// nodeFields flattens a NodeId into a record as ICSNPP does: the encoding mask as a "0x.."
// string, the namespace (absent for the two-byte encoding) and the identifier in the field
// of its kind.
func (p *parser) nodeFields(rec *dissect.Record, k *nodeKeys, n *nodeID) {
	rec.HexUint(k.mask, uint64(n.mask), 2)
	if n.kind() != nidTwoByte {
		rec.Uint(k.ns, uint64(n.ns))
	}
	switch n.kind() {
	case nidTwoByte, nidFourByte, nidNumeric:
		rec.Uint(k.num, uint64(n.num))
	case nidString:
		rec.Bytes(k.str, n.str)
	case nidGUID:
		p.scratch = appendGUID(p.scratch[:0], &n.guid)
		rec.Bytes(k.guid, p.scratch)
	case nidOpaque:
		p.scratch = appendHexTrunc(p.scratch[:0], n.str)
		rec.Bytes(k.opaque, p.scratch)
	}
	if k.uri != "" && n.hasURI {
		rec.Bytes(k.uri, n.nsURI)
	}
	if k.server != "" && n.hasServer {
		rec.Uint(k.server, uint64(n.server))
	}
}

// appendNodeText appends the usual text form of a NodeId ("ns=1;s=the.answer", "i=85") for
// event details.
func appendNodeText(b []byte, n *nodeID) []byte {
	if n.ns != 0 {
		b = append(b, "ns="...)
		b = strconv.AppendUint(b, uint64(n.ns), 10)
		b = append(b, ';')
	}
	switch n.kind() {
	case nidTwoByte, nidFourByte, nidNumeric:
		b = append(b, "i="...)
		b = strconv.AppendUint(b, uint64(n.num), 10)
	case nidString:
		b = append(b, "s="...)
		b = append(b, n.str...)
	case nidGUID:
		b = append(b, "g="...)
		b = appendGUID(b, &n.guid)
	default:
		b = append(b, "b="...)
		b = appendHexTrunc(b, n.str)
	}
	return b
}

// statusDetail writes one opcua_binary_status_code_detail.log row. Spec: Part 4 §7.34.1
// (StatusCode bit layout).
func (p *parser) statusDetail(dir dissect.Dir, link *[16]byte, source int, code uint32) {
	sev := code >> 30
	info := (code >> 10) & 3
	rec := p.begin(logStatusCode, dir).Bytes("status_code_link_id", link[:]).
		Uint("source", uint64(source)).Str("source_str", statusSourceName(source)).
		Uint("source_level", 0).HexUint("status_code", uint64(code), 8).
		Uint("severity", uint64(sev)).Str("severity_str", severityName(sev)).
		Uint("sub_code", uint64((code>>16)&0x0fff)).Str("sub_code_str", statusName(code)).
		Bool("structure_changed", code&(1<<15) != 0).Bool("semantics_changed", code&(1<<14) != 0).
		Uint("info_type", uint64(info)).Str("info_type_str", infoTypeName(info))
	if info == 1 {
		lim := (code >> 8) & 3
		hist := code & 3
		rec.Uint("limit_bits", uint64(lim)).Str("limit_bits_str", limitBitsName(lim)).
			Bool("overflow", code&(1<<7) != 0).
			Uint("historian_bits", uint64(hist)).Str("historian_bits_str", historianBitsName(hist)).
			Bool("historianPartial", code&(1<<2) != 0).Bool("historianExtraData", code&(1<<3) != 0).
			Bool("historianMultiValue", code&(1<<4) != 0)
	}
	rec.Done()
}
