package opcua

import (
	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/wire"
)

// service decodes the body of a complete message of a known service, positioned after its
// request or response header, and writes the service logs, facts and events.
// Spec: Part 4 §5 (service parameters) with the Part 6 binary encoding.
func (p *parser) service(dir dissect.Dir, ms *msgStart, r *wire.Reader, link *[16]byte, reqID uint32, trunc bool) {
	switch ms.svc {
	case idOpenSecureChannelReq:
		p.openSecureChannelReq(dir, r, link)
	case idOpenSecureChannelRes:
		p.openSecureChannelRes(dir, r, link)
	case idGetEndpointsReq:
		p.getEndpointsReq(dir, r, link)
	case idGetEndpointsRes:
		p.getEndpointsRes(dir, r, link)
	case idCreateSessionReq:
		p.createSessionReq(dir, r, link)
	case idCreateSessionRes:
		p.createSessionRes(dir, r, link)
	case idActivateSessionReq:
		p.activateSessionReq(dir, r, link)
	case idActivateSessionRes:
		p.activateSessionRes(dir, r, link)
	case idCloseSessionReq:
		del := r.U8()
		if r.Err() == nil {
			p.begin(logCloseSession, dir).Bytes("opcua_link_id", link[:]).Bool("del_subscriptions", del != 0).Done()
		}
	case idBrowseReq:
		p.browseReq(dir, r, link)
	case idBrowseNextReq:
		p.browseNextReq(dir, r, link)
	case idBrowseRes:
		p.browseRes(dir, r, link, "BrowseResponse")
	case idBrowseNextRes:
		p.browseRes(dir, r, link, "BrowseNextResponse")
	case idReadReq:
		p.readReq(dir, r, link)
	case idReadRes:
		p.readRes(dir, r, link)
	case idWriteReq:
		p.writeReq(dir, r, link)
	case idWriteRes:
		p.writeRes(dir, r, link)
	case idCreateSubscriptionReq:
		p.createSubscriptionReq(dir, r, link)
	case idCreateSubscriptionRes:
		p.createSubscriptionRes(dir, r, link)
	case idCreateMonitoredItemsReq:
		p.createMonitoredItemsReq(dir, r, link)
	case idCreateMonitoredItemsRes:
		p.createMonitoredItemsRes(dir, r, link)
	case idCallReq:
		p.callReq(dir, r)
	case idAddNodesReq, idDeleteNodesReq, idAddReferencesReq, idDeleteReferencesReq:
		p.nodeManagementReq(dir, ms, r)
	case idHistoryUpdateReq:
		p.env.Event(dir, dissect.EvWrite, "HistoryUpdateRequest")
	default:
		return
	}
	if r.Err() != nil && !trunc {
		p.weirdOnceFlow(onceDecoding, weirdDecodingError, ms.name)
	}
}

// openSecureChannelReq. Spec: Part 4 §5.5.2.2.
func (p *parser) openSecureChannelReq(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	ver, typ, mode := r.U32LE(), r.U32LE(), r.U32LE()
	nonce, _ := readString(r)
	life := r.U32LE()
	if r.Err() != nil {
		return
	}
	p.begin(logOpenSecureChannel, dir).Bytes("opcua_link_id", link[:]).
		Uint("client_proto_ver", uint64(ver)).Uint("sec_token_request_type", uint64(typ)).
		Uint("message_security_mode", uint64(mode)).Bytes("client_nonce", nonce).
		Uint("req_lifetime", uint64(life)).Done()
	if mode == 1 {
		p.weirdOnceFlow(onceSecurityNone, weirdSecurityNone, "MessageSecurityMode None")
	}
}

// openSecureChannelRes. Spec: Part 4 §5.5.2.2 (ChannelSecurityToken §7.8).
func (p *parser) openSecureChannelRes(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	ver, ch, tok := r.U32LE(), r.U32LE(), r.U32LE()
	created := readDateTime(r)
	life := r.U32LE()
	nonce, _ := readString(r)
	if r.Err() != nil {
		return
	}
	p.begin(logOpenSecureChannel, dir).Bytes("opcua_link_id", link[:]).
		Uint("server_proto_ver", uint64(ver)).Uint("sec_token_sec_channel_id", uint64(ch)).
		Uint("sec_token_id", uint64(tok)).Float("sec_token_created_at", created).
		Uint("sec_token_revised_time", uint64(life)).Bytes("server_nonce", nonce).Done()
}

// appDesc is an ApplicationDescription. Spec: Part 4 §7.1.
type appDesc struct {
	uri, product, gateway, discovery                 []byte
	uriNull, productNull, gatewayNull, discoveryNull bool
	name                                             localizedText
	appType                                          uint32
}

func readAppDesc(r *wire.Reader, a *appDesc) {
	a.uri, a.uriNull = readString(r)
	a.product, a.productNull = readString(r)
	readLocalizedText(r, &a.name)
	a.appType = r.U32LE()
	a.gateway, a.gatewayNull = readString(r)
	a.discovery, a.discoveryNull = readString(r)
	n := readCount(r) // discovery URLs
	for i := 0; i < n && r.Err() == nil; i++ {
		readString(r)
	}
}

// appFields adds an ApplicationDescription's fields.
func appFields(rec *dissect.Record, a *appDesc) {
	if !a.uriNull {
		rec.Bytes("application_uri", a.uri)
	}
	if !a.productNull {
		rec.Bytes("product_uri", a.product)
	}
	rec.Uint("encoding_mask", uint64(a.name.mask))
	if a.name.hasLocale {
		rec.Bytes("locale", a.name.locale)
	}
	if a.name.hasText {
		rec.Bytes("text", a.name.text)
	}
	rec.Uint("application_type", uint64(a.appType))
	if !a.gatewayNull {
		rec.Bytes("gateway_server_uri", a.gateway)
	}
	if !a.discoveryNull {
		rec.Bytes("discovery_profile_uri", a.discovery)
	}
}

// endpoint is an EndpointDescription; tokens holds its encoded UserTokenPolicy array.
// Spec: Part 4 §7.10.
type endpoint struct {
	url, policy, transport         []byte
	urlNull, policyNull, transNull bool
	app                            appDesc
	cert                           []byte
	certLen                        int32
	mode                           uint32
	tokens                         []byte
	level                          byte
}

func readEndpoint(r *wire.Reader, e *endpoint) {
	e.url, e.urlNull = readString(r)
	readAppDesc(r, &e.app)
	e.cert = readLenBytes(r, &e.certLen)
	e.mode = r.U32LE()
	e.policy, e.policyNull = readString(r)
	rest := r.Rest()
	start := r.Pos()
	n := readCount(r)
	for i := 0; i < n && r.Err() == nil; i++ {
		readString(r)
		r.U32LE()
		readString(r)
		readString(r)
		readString(r)
	}
	if r.Err() == nil {
		e.tokens = rest[:r.Pos()-start]
	} else {
		e.tokens = nil
	}
	e.transport, e.transNull = readString(r)
	e.level = r.U8()
}

// endpoints decodes an EndpointDescription array and writes one row per endpoint in epLog
// (linked by epLink) and its user token policies in tokLog. It also reports the server's
// identity facts and the insecure configurations it offers.
func (p *parser) endpoints(dir dissect.Dir, r *wire.Reader, epLog, urlKey, linkKey string, epLink *[16]byte, tokLog string) {
	n := readCount(r)
	for i := 0; i < n && r.Err() == nil; i++ {
		e := &p.ep
		readEndpoint(r, e)
		if r.Err() != nil {
			return
		}
		if i >= maxItems {
			continue
		}
		tokLink := p.nextLink()
		rec := p.begin(epLog, dir).Bytes(linkKey, epLink[:])
		if !e.urlNull {
			rec.Bytes(urlKey, e.url)
		}
		appFields(rec, &e.app)
		if e.certLen > 0 {
			p.scratch = appendHexTrunc(p.scratch[:0], e.cert)
			rec.Uint("cert_size", uint64(e.certLen)).Bytes("server_cert", p.scratch)
		}
		rec.Uint("message_security_mode", uint64(e.mode))
		if !e.policyNull {
			rec.Bytes("security_policy_uri", e.policy)
		}
		rec.Bytes("user_token_link_id", tokLink[:])
		if !e.transNull {
			rec.Bytes("transport_profile_uri", e.transport)
		}
		rec.Uint("security_level", uint64(e.level)).Done()

		// The server describes itself: identity facts about the responder.
		p.factOnce(factServerAppURI, dir, dissect.AttrModel, e.app.uri, "application_uri")
		p.factOnce(factServerProduct, dir, dissect.AttrSoftware, e.app.product, "product_uri")
		p.factOnce(factServerName, dir, dissect.AttrName, e.app.name.text, "application_name")

		tr := wire.New(e.tokens)
		tn := readCount(&tr)
		for j := 0; j < tn && tr.Err() == nil; j++ {
			pol, polNull := readString(&tr)
			typ := tr.U32LE()
			issued, issuedNull := readString(&tr)
			ep, epNull := readString(&tr)
			sp, spNull := readString(&tr)
			if tr.Err() != nil {
				break
			}
			trec := p.begin(tokLog, dir).Bytes("user_token_link_id", tokLink[:])
			if !polNull {
				trec.Bytes("user_token_policy_id", pol)
			}
			trec.Uint("user_token_type", uint64(typ))
			if !issuedNull {
				trec.Bytes("user_token_issued_type", issued)
			}
			if !epNull {
				trec.Bytes("user_token_endpoint_url", ep)
			}
			if !spNull {
				trec.Bytes("user_token_sec_policy_uri", sp)
			}
			trec.Done()
			switch typ {
			case 0:
				p.weirdOnceFlow(onceAnonymous, weirdAnonymousToken, string(e.url))
			case 1:
				// The password travels in clear when neither the token nor the endpoint
				// applies a security policy.
				tokPolicyNone := spNull || len(sp) == 0 || string(sp) == policyNone
				if tokPolicyNone && (e.mode == 1 || string(e.policy) == policyNone) {
					p.weirdOnceFlow(onceCleartextToken, weirdCleartextToken, string(e.url))
				}
			}
		}
	}
}

// getEndpointsReq. Spec: Part 4 §5.4.4.
func (p *parser) getEndpointsReq(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	url, null := readString(r)
	if r.Err() != nil {
		return
	}
	rec := p.begin(logGetEndpoints, dir).Bytes("opcua_link_id", link[:])
	if !null {
		rec.Bytes("endpoint_url", url)
	}
	rec.Done()
}

// getEndpointsRes. Spec: Part 4 §5.4.4.
func (p *parser) getEndpointsRes(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	epLink := p.nextLink()
	p.begin(logGetEndpoints, dir).Bytes("opcua_link_id", link[:]).
		Bytes("endpoint_description_link_id", epLink[:]).Done()
	p.endpoints(dir, r, logGetEndpointsDesc, "endpoint_uri", "endpoint_description_link_id", &epLink, logGetEndpointsToken)
}

// createSessionReq. Spec: Part 4 §5.6.2.
func (p *parser) createSessionReq(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	var a appDesc
	readAppDesc(r, &a)
	server, serverNull := readString(r)
	url, urlNull := readString(r)
	name, nameNull := readString(r)
	nonce, nonceNull := readString(r)
	var certLen int32
	cert := readLenBytes(r, &certLen)
	timeout := readDouble(r)
	maxRes := r.U32LE()
	if r.Err() != nil {
		return
	}
	rec := p.begin(logCreateSession, dir).Bytes("opcua_link_id", link[:])
	appFields(rec, &a)
	if !serverNull {
		rec.Bytes("server_uri", server)
	}
	if !urlNull {
		rec.Bytes("endpoint_url", url)
	}
	if !nameNull {
		rec.Bytes("session_name", name)
	}
	if !nonceNull {
		p.scratch = appendHexTrunc(p.scratch[:0], nonce)
		rec.Bytes("client_nonce", p.scratch)
	}
	if certLen > 0 {
		p.scratch = appendHexTrunc(p.scratch[:0], cert)
		rec.Uint("client_cert_size", uint64(certLen)).Bytes("client_cert", p.scratch)
	}
	rec.Uint("req_session_timeout", uint64(timeout)).Uint("max_res_msg_size", uint64(maxRes)).Done()
	p.factOnce(factClientAppURI, dir, dissect.AttrModel, a.uri, "application_uri")
	p.factOnce(factClientProduct, dir, dissect.AttrSoftware, a.product, "product_uri")
	p.factOnce(factClientName, dir, dissect.AttrName, a.name.text, "application_name")
}

// createSessionRes. Spec: Part 4 §5.6.2.
func (p *parser) createSessionRes(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	var sid, auth nodeID
	readNodeID(r, &sid, false)
	readNodeID(r, &auth, false)
	timeout := readDouble(r)
	nonce, nonceNull := readString(r)
	var certLen int32
	cert := readLenBytes(r, &certLen)
	epRest := r.Rest()
	epStart := r.Pos()
	n := readCount(r)
	for i := 0; i < n && r.Err() == nil; i++ {
		readEndpoint(r, &p.ep)
	}
	epBytes := epRest[:r.Pos()-epStart]
	n = readCount(r) // server software certificates (deprecated)
	for i := 0; i < n && r.Err() == nil; i++ {
		readString(r)
		readString(r)
	}
	alg, algNull := readString(r)
	sig, sigNull := readString(r)
	maxReq := r.U32LE()
	if r.Err() != nil {
		return
	}
	epLink := p.nextLink()
	rec := p.begin(logCreateSession, dir).Bytes("opcua_link_id", link[:])
	p.nodeFields(rec, &keysSessionID, &sid)
	p.nodeFields(rec, &keysAuthToken, &auth)
	rec.Uint("revised_session_timeout", uint64(timeout))
	if !nonceNull {
		p.scratch = appendHexTrunc(p.scratch[:0], nonce)
		rec.Bytes("server_nonce", p.scratch)
	}
	if certLen > 0 {
		p.scratch = appendHexTrunc(p.scratch[:0], cert)
		rec.Uint("server_cert_size", uint64(certLen)).Bytes("server_cert", p.scratch)
	}
	rec.Bytes("endpoint_link_id", epLink[:])
	if !algNull {
		rec.Bytes("algorithm", alg)
	}
	if !sigNull {
		p.scratch = appendHexTrunc(p.scratch[:0], sig)
		rec.Bytes("signature", p.scratch)
	}
	rec.Uint("max_req_msg_size", uint64(maxReq)).Done()
	er := wire.New(epBytes)
	p.endpoints(dir, &er, logCreateSessionEP, "endpoint_url", "endpoint_link_id", &epLink, logCreateSessionToken)
}

// activateSessionReq. Spec: Part 4 §5.6.3 (identity tokens §7.36).
func (p *parser) activateSessionReq(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	calg, calgNull := readString(r)
	csig, csigNull := readString(r)
	n := readCount(r) // client software certificates
	for i := 0; i < n && r.Err() == nil; i++ {
		readString(r)
		readString(r)
	}
	n = readCount(r) // locale ids
	for i := 0; i < n && r.Err() == nil; i++ {
		readString(r)
	}
	var tok extObject
	readExtObject(r, &tok)
	ualg, ualgNull := readString(r)
	usig, usigNull := readString(r)
	if r.Err() != nil {
		return
	}
	rec := p.begin(logActivateSession, dir).Bytes("opcua_link_id", link[:])
	if !calgNull {
		rec.Bytes("client_algorithm", calg)
	}
	if !csigNull {
		p.scratch = appendHexTrunc(p.scratch[:0], csig)
		rec.Bytes("client_signature", p.scratch)
	}
	p.nodeFields(rec, &keysExtObj, &tok.typeID)
	tid := tok.typeID.num
	if name := typeName(tid); name != "" && tok.typeID.kind() <= nidNumeric {
		rec.Str("ext_obj_type_id_str", name)
	}
	rec.HexUint("ext_obj_encoding", uint64(tok.encoding), 2)
	var user, pass, encAlg []byte
	var userNull, encNull = true, true
	br := wire.New(tok.body)
	if tok.encoding == 1 {
		pol, polNull := readString(&br)
		if !polNull {
			rec.Bytes("ext_obj_policy_id", pol)
		}
		switch tid {
		case idUserNameIdentityToken:
			user, userNull = readString(&br)
			pass, _ = readString(&br)
			encAlg, encNull = readString(&br)
			if !userNull {
				rec.Bytes("ext_obj_user_name", user)
			}
			if br.Err() == nil {
				if encNull || len(encAlg) == 0 {
					// A clear-text password: ICSNPP logs it; a sensor must not store credentials,
					// so only its presence is kept (and reported as opcua_cleartext_password).
					if len(pass) > 0 {
						rec.Str("ext_obj_password", "<redacted>")
					}
				} else {
					p.scratch = appendHexTrunc(p.scratch[:0], pass)
					rec.Bytes("ext_obj_password", p.scratch)
					rec.Bytes("ext_obj_encryption_algorithom", encAlg)
				}
			}
		case idX509IdentityToken:
			if cd, null := readString(&br); !null {
				p.scratch = appendHexTrunc(p.scratch[:0], cd)
				rec.Bytes("ext_obj_certificate_data", p.scratch)
			}
		case idIssuedIdentityToken:
			if td, null := readString(&br); !null {
				p.scratch = appendHexTrunc(p.scratch[:0], td)
				rec.Bytes("ext_obj_token_data", p.scratch)
			}
			if ea, null := readString(&br); !null && len(ea) > 0 {
				rec.Bytes("ext_obj_encryption_algorithom", ea)
			}
		}
	}
	if !ualgNull {
		rec.Bytes("user_token_algorithm", ualg)
	}
	if !usigNull {
		p.scratch = appendHexTrunc(p.scratch[:0], usig)
		rec.Bytes("user_token_signature", p.scratch)
	}
	rec.Done()
	if tid == idUserNameIdentityToken && tok.encoding == 1 && br.Err() == nil {
		clear := encNull || len(encAlg) == 0
		detail := "UserNameIdentityToken user=" + string(user)
		if clear {
			detail += " password in clear"
			p.env.Weird(weirdCleartextPasswd, "user="+string(user))
		}
		p.env.Event(dir, dissect.EvLogin, detail)
	}
}

// activateSessionRes. Spec: Part 4 §5.6.3.
func (p *parser) activateSessionRes(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	nonce, nonceNull := readString(r)
	if r.Err() != nil {
		return
	}
	var stLink [16]byte
	rest := r.Rest()
	start := r.Pos()
	n := readCount(r)
	r.Skip(4 * n)
	results := rest[:r.Pos()-start]
	rec := p.begin(logActivateSession, dir).Bytes("opcua_link_id", link[:])
	if !nonceNull {
		p.scratch = appendHexTrunc(p.scratch[:0], nonce)
		rec.Bytes("server_nonce", p.scratch)
	}
	if n > 0 {
		stLink = p.nextLink()
		rec.Bytes("status_code_link_id", stLink[:])
	}
	rec.Done()
	if r.Err() == nil && n > 0 {
		sr := wire.New(results[4:])
		for i := 0; i < n && i < maxItems; i++ {
			p.statusDetail(dir, &stLink, srcActivateSession, sr.U32LE())
		}
	}
}
