package mms

import "errors"

// This file holds the pure decoders of the ISO upper layers on TCP port 102: the session SPDU
// (X.225), the presentation PPDUs used by MMS (X.226 CP-type, CPA-PPDU and fully encoded user
// data), ACSE APDUs (X.227) and MMS PDUs (ISO 9506-2). They take byte slices and fill values
// that alias them; none allocates.

// Decoding errors. Sentinels: comparing them does not allocate.
var (
	errSessionShort  = errors.New("mms: session SPDU shorter than its length")
	errSessionNoData = errors.New("mms: session SPDU without user data")
	errPresentation  = errors.New("mms: presentation PPDU not understood")
	errACSE          = errors.New("mms: ACSE APDU not understood")
	errMMSShape      = errors.New("mms: MMS PDU does not follow ISO 9506-2")
)

// spdu is one decoded session SPDU (or the GIVE TOKENS + DATA TRANSFER pair that carries
// every data PPDU). user is the SS-user data: the c1/c2 parameter of a connection-phase SPDU,
// the user information field of a DATA TRANSFER.
type spdu struct {
	si   uint8
	user []byte
}

// spduLen reads a session length indicator (one octet, or 0xff and two octets). Spec: X.225
// §8.2.5.
func spduLen(b []byte) (l, n int, ok bool) {
	if len(b) < 1 {
		return 0, 0, false
	}
	if b[0] != 0xff {
		return int(b[0]), 1, true
	}
	if len(b) < 3 {
		return 0, 0, false
	}
	return int(b[1])<<8 | int(b[2]), 3, true
}

// parseSPDU decodes the SPDU at the start of a TSDU. Spec: X.225 §8.3.
func parseSPDU(b []byte) (s spdu, err error) {
	if len(b) < 2 {
		return s, errSessionShort
	}
	s.si = b[0]
	l, n, ok := spduLen(b[1:])
	if !ok || 1+n+l > len(b) {
		return s, errSessionShort
	}
	params := b[1+n : 1+n+l]
	rest := b[1+n+l:]
	if (s.si == spduDataTransfer || s.si == spduPleaseTokens) && len(rest) > 0 {
		// A category 0 GIVE/PLEASE TOKENS SPDU is followed by the DATA TRANSFER in the same
		// TSDU (X.225 §6.3.7); the user information follows the DT's parameters.
		if rest[0] != spduDataTransfer {
			return s, errSessionNoData
		}
		l, n, ok = spduLen(rest[1:])
		if !ok || 1+n+l > len(rest) {
			return s, errSessionShort
		}
		s.si = spduDataTransfer
		s.user = rest[1+n+l:]
		return s, nil
	}
	if s.si == spduDataTransfer {
		return s, errSessionNoData
	}
	for len(params) >= 2 {
		code := params[0]
		pl, pn, ok := spduLen(params[1:])
		if !ok || 1+pn+pl > len(params) {
			return s, errSessionShort
		}
		if code == spUserData || code == spExtendedUserData {
			s.user = params[1+pn : 1+pn+pl]
		}
		params = params[1+pn+pl:]
	}
	if len(s.user) == 0 {
		return s, errSessionNoData
	}
	return s, nil
}

// pdv is one presentation data value: the context it belongs to and the encoded APDU.
type pdv struct {
	pci  uint64
	data []byte // single-ASN1-type: the APDU element; octet-aligned: its encoding
}

// maxPDVs bounds the PDV-lists decoded from one fully-encoded-data value.
const maxPDVs = 4

// parseFullyEncoded decodes User-data fully-encoded-data ([APPLICATION 1] SEQUENCE OF
// PDV-list) into out and returns how many PDVs it holds. Spec: X.226 §8.4.2.
func parseFullyEncoded(b []byte, out *[maxPDVs]pdv) (int, error) {
	t, _, err := readTLV(b)
	if err != nil {
		return 0, err
	}
	if !t.is(classApplication, true, 1) {
		return 0, errPresentation
	}
	it := berIter{b: t.val}
	n := 0
	for list, ok := it.next(); ok; list, ok = it.next() {
		if !list.is(classUniversal, true, 16) || n == maxPDVs {
			return n, errPresentation
		}
		var d pdv
		have := false
		in := berIter{b: list.val}
		for e, ok := in.next(); ok; e, ok = in.next() {
			switch {
			case e.is(classUniversal, false, 2):
				d.pci, _ = berUint(e.val)
			case e.is(classContext, true, 0): // single-ASN1-type
				d.data, have = e.val, true
			case e.is(classContext, false, 1): // octet-aligned
				d.data, have = e.val, true
			}
		}
		if in.err != nil {
			return n, in.err
		}
		if have {
			out[n] = d
			n++
		}
	}
	return n, it.err
}

// ctxDef is one presentation context of a CP-type: its identifier and abstract syntax.
type ctxDef struct {
	pci uint64
	as  []byte
}

// maxContexts bounds the presentation-context-definition-list entries remembered.
const maxContexts = 8

// parseConnectPPDU decodes a CP-type (connect) or CPA-PPDU (accept) set: it fills defs
// with the proposed contexts (CP only) and returns the user data. Spec: X.226 §8.2.
func parseConnectPPDU(b []byte, defs *[maxContexts]ctxDef) (ndefs int, user []byte, err error) {
	t, _, err := readTLV(b)
	if err != nil {
		return 0, nil, err
	}
	if !t.is(classUniversal, true, 17) { // SET
		return 0, nil, errPresentation
	}
	it := berIter{b: t.val}
	for e, ok := it.next(); ok; e, ok = it.next() {
		if !e.is(classContext, true, 2) { // normal-mode-parameters
			continue
		}
		in := berIter{b: e.val}
		for {
			before := in.b
			p, ok := in.next()
			if !ok {
				break
			}
			switch {
			case p.is(classContext, true, 4): // presentation-context-definition-list
				li := berIter{b: p.val}
				for c, ok := li.next(); ok && ndefs < maxContexts; c, ok = li.next() {
					ci := berIter{b: c.val}
					var d ctxDef
					for f, ok := ci.next(); ok; f, ok = ci.next() {
						switch {
						case f.is(classUniversal, false, 2):
							d.pci, _ = berUint(f.val)
						case f.is(classUniversal, false, 6) && d.as == nil:
							d.as = f.val
						}
					}
					defs[ndefs] = d
					ndefs++
				}
			case p.is(classApplication, true, 1): // fully-encoded user data
				user = before[:len(before)-len(in.b)]
			}
		}
		if in.err != nil {
			return ndefs, nil, in.err
		}
	}
	if it.err != nil {
		return ndefs, nil, it.err
	}
	if user == nil {
		return ndefs, nil, errPresentation
	}
	return ndefs, user, nil
}

// acse is a decoded ACSE APDU.
type acse struct {
	kind   uint32 // 0 AARQ, 1 AARE, 2 RLRQ, 3 RLRE, 4 ABRT
	result int64  // AARE result: 0 accepted, 1 rejected (permanent), 2 rejected (transient)
	auth   bool   // AARQ carries calling-authentication-value
	user   []byte // the MMS PDU of user-information (single-ASN1-type or octet-aligned)
}

// parseACSE decodes an ACSE APDU. Spec: X.227 §7 (AARQ-apdu ::= [APPLICATION 0] …).
func parseACSE(b []byte) (a acse, err error) {
	t, _, err := readTLV(b)
	if err != nil {
		return a, err
	}
	if t.cls != classApplication || !t.cons || t.tag > 4 {
		return a, errACSE
	}
	a.kind = t.tag
	it := berIter{b: t.val}
	for e, ok := it.next(); ok; e, ok = it.next() {
		if e.cls != classContext {
			continue
		}
		switch {
		case a.kind == 1 && e.tag == 2 && e.cons: // AARE result
			if r, ok := (&berIter{b: e.val}).next(); ok && r.is(classUniversal, false, 2) {
				a.result, _ = berInt(r.val)
			}
		case a.kind == 0 && e.tag == 12: // calling-authentication-value
			a.auth = true
		case e.tag == 30 && e.cons: // user-information: SEQUENCE OF EXTERNAL
			ext := berIter{b: e.val}
			for x, ok := ext.next(); ok && a.user == nil; x, ok = ext.next() {
				if !x.is(classUniversal, true, 8) {
					continue
				}
				in := berIter{b: x.val}
				for f, ok := in.next(); ok; f, ok = in.next() {
					if f.is(classContext, true, 0) || f.is(classContext, false, 1) {
						a.user = f.val
					}
				}
			}
		}
	}
	return a, it.err
}

// maxNames bounds the object names kept (and logged) per MMS PDU.
const maxNames = 16

// objName is an MMS ObjectName: domain-specific (domain and item), VMD- or AA-specific
// (item only).
type objName struct {
	domain, item []byte
}

// msg is a decoded MMS PDU, the fields mms.log reports. Byte slices alias the input.
type msg struct {
	kind      uint32 // pdu* constant
	invoke    uint64
	hasInvoke bool
	svc       int32 // confirmed service tag, or unconfirmed service, -1 when none
	objClass  int32 // GetNameList basicObjectClass, -1 when none
	vmdScope  bool  // GetNameList objectScope vmdSpecific
	scope     []byte
	names     [maxNames]objName
	nnames    int
	total     int // names seen, including those past maxNames
	file      []byte
	prog      []byte
	reportID  []byte
	result    string
	errCode   int64
	hasErr    bool
	failures  int // Read/Write results that are DataAccessErrors
	vendor    []byte
	model     []byte
	revision  []byte
	more      int8   // GetNameList moreFollows: -1 absent, 0 false, 1 true
	noService bool   // a confirmed request/response without its service element
	idList    []byte // GetNameList listOfIdentifier content, all of it
}

func (m *msg) reset() {
	*m = msg{svc: -1, objClass: -1, more: -1}
}

func (m *msg) addName(domain, item []byte) {
	m.total++
	if m.nnames < maxNames {
		m.names[m.nnames] = objName{domain, item}
		m.nnames++
	}
}

// decodeMMS decodes the MMS PDU element b into m. Spec: ISO 9506-2:2003 §7.
func decodeMMS(b []byte, m *msg) error {
	m.reset()
	t, _, err := readTLV(b)
	if err != nil {
		return err
	}
	if t.cls != classContext || t.tag > pduConcludeError {
		return errMMSShape
	}
	m.kind = t.tag
	switch m.kind {
	case pduConfirmedRequest, pduConfirmedResponse:
		if !t.cons {
			return errMMSShape
		}
		it := berIter{b: t.val}
		id, ok := it.next()
		if !ok || !id.is(classUniversal, false, 2) {
			return errMMSShape
		}
		m.invoke, m.hasInvoke = berUint(id.val)
		for s, ok := it.next(); ok; s, ok = it.next() {
			if s.is(classUniversal, true, 16) { // listOfModifier
				continue
			}
			if s.cls != classContext || s.tag == 79 { // service-ext
				continue
			}
			m.svc = int32(s.tag)
			if m.kind == pduConfirmedRequest {
				request(&s, m)
			} else {
				response(&s, m)
			}
			break
		}
		if it.err != nil {
			return it.err
		}
		m.noService = m.svc < 0
	case pduUnconfirmed:
		it := berIter{b: t.val}
		s, ok := it.next()
		if !ok || s.cls != classContext {
			if it.err != nil {
				return it.err
			}
			return errMMSShape
		}
		m.svc = int32(s.tag)
		if s.tag == 0 && s.cons {
			informationReport(s.val, m)
		}
	case pduConfirmedError:
		it := berIter{b: t.val}
		for e, ok := it.next(); ok; e, ok = it.next() {
			switch {
			case e.is(classContext, false, 0):
				m.invoke, m.hasInvoke = berUint(e.val)
			case e.is(classContext, true, 2):
				serviceError(e.val, m)
			}
		}
		return it.err
	case pduReject:
		it := berIter{b: t.val}
		for e, ok := it.next(); ok; e, ok = it.next() {
			if e.cls != classContext || e.cons {
				continue
			}
			if e.tag == 0 {
				m.invoke, m.hasInvoke = berUint(e.val)
			} else {
				m.result = name(rejectClassNames[:], uint64(e.tag), "unknown")
				m.errCode, _ = berInt(e.val)
				m.hasErr = true
			}
		}
		return it.err
	case pduCancelRequest, pduCancelResponse:
		m.invoke, m.hasInvoke = berUint(t.val)
	case pduCancelError:
		it := berIter{b: t.val}
		for e, ok := it.next(); ok; e, ok = it.next() {
			switch {
			case e.is(classContext, false, 0):
				m.invoke, m.hasInvoke = berUint(e.val)
			case e.is(classContext, true, 1):
				serviceError(e.val, m)
			}
		}
		return it.err
	case pduInitiateError, pduConcludeError:
		serviceError(t.val, m)
	}
	return nil
}

// serviceError reads ServiceError's errorClass: result is the class name, errCode the code.
func serviceError(b []byte, m *msg) {
	it := berIter{b: b}
	for e, ok := it.next(); ok; e, ok = it.next() {
		if e.is(classContext, true, 0) {
			if c, ok := (&berIter{b: e.val}).next(); ok && c.cls == classContext {
				m.result = name(errorClassNames[:], uint64(c.tag), "unknown")
				m.errCode, _ = berInt(c.val)
				m.hasErr = true
			}
			return
		}
	}
}

// objectName reads an ObjectName alternative: vmd-specific [0], domain-specific [1],
// aa-specific [2]. Spec: ISO 9506-2 §7.5.
func objectName(e *tlv, m *msg) bool {
	if e.cls != classContext {
		return false
	}
	switch {
	case e.tag == 0 && !e.cons, e.tag == 2 && !e.cons:
		m.addName(nil, e.val)
		return true
	case e.tag == 1 && e.cons:
		it := berIter{b: e.val}
		d, ok1 := it.next()
		i, ok2 := it.next()
		if ok1 && ok2 && d.is(classUniversal, false, 26) && i.is(classUniversal, false, 26) {
			m.addName(d.val, i.val)
			return true
		}
	}
	return false
}

// explicitName reads a [n] EXPLICIT ObjectName (the tag wraps the CHOICE).
func explicitName(b []byte, m *msg) {
	if e, ok := (&berIter{b: b}).next(); ok {
		objectName(&e, m)
	}
}

// variableAccess reads a VariableAccessSpecification alternative: listOfVariable [0]
// (SEQUENCE OF { VariableSpecification, … }, where name [0] holds an ObjectName) or
// variableListName [1] (an ObjectName). Spec: ISO 9506-2 §14.1.
func variableAccess(e *tlv, m *msg) {
	switch {
	case e.is(classContext, true, 0):
		it := berIter{b: e.val}
		for v, ok := it.next(); ok; v, ok = it.next() {
			if spec, ok := (&berIter{b: v.val}).next(); ok && spec.is(classContext, true, 0) {
				explicitName(spec.val, m)
			}
		}
	case e.is(classContext, true, 1):
		explicitName(e.val, m)
	}
}

// fileName reads the first component of a FileName (SEQUENCE OF GraphicString).
func fileName(b []byte) []byte {
	if c, ok := (&berIter{b: b}).next(); ok && !c.cons {
		return c.val
	}
	return nil
}

// request decodes the parts of a confirmed service request that mms.log reports.
func request(s *tlv, m *msg) {
	v := s.val
	it := berIter{b: v}
	switch s.tag {
	case svcGetNameList:
		for e, ok := it.next(); ok; e, ok = it.next() {
			switch {
			case e.is(classContext, true, 0): // objectClass
				if c, ok := (&berIter{b: e.val}).next(); ok && c.is(classContext, false, 0) {
					if x, ok := berUint(c.val); ok && x < 1<<30 {
						m.objClass = int32(x)
					}
				}
			case e.is(classContext, true, 1): // objectScope
				if c, ok := (&berIter{b: e.val}).next(); ok && c.cls == classContext {
					switch c.tag {
					case 0:
						m.vmdScope = true
					case 1:
						m.scope = c.val
					}
				}
			}
		}
	case svcRead:
		for e, ok := it.next(); ok; e, ok = it.next() {
			if e.is(classContext, true, 1) {
				if a, ok := (&berIter{b: e.val}).next(); ok {
					variableAccess(&a, m)
				}
			}
		}
	case svcWrite:
		if e, ok := it.next(); ok {
			variableAccess(&e, m)
		}
	case svcGetVariableAccessAttributes:
		if e, ok := it.next(); ok && e.is(classContext, true, 0) {
			explicitName(e.val, m)
		}
	case svcGetNamedVariableListAttributes:
		explicitName(v, m)
	case svcDefineNamedVariableList:
		for e, ok := it.next(); ok; e, ok = it.next() {
			if e.is(classContext, true, 0) {
				variableAccess(&e, m)
			} else {
				objectName(&e, m)
			}
		}
	case svcDeleteNamedVariableList, svcDeleteVariableAccess:
		for e, ok := it.next(); ok; e, ok = it.next() {
			switch {
			case e.is(classContext, true, 1):
				li := berIter{b: e.val}
				for n, ok := li.next(); ok; n, ok = li.next() {
					objectName(&n, m)
				}
			case e.is(classContext, false, 2):
				m.scope = e.val
			}
		}
	case svcDownloadSegment, svcInitiateUploadSequence, svcDeleteDomain, 37: // domain Identifier
		if !s.cons {
			m.scope = v
		}
	case svcInitiateDownloadSequence, svcTerminateDownloadSequence, svcRequestDomainDownload,
		svcRequestDomainUpload, svcLoadDomainContent, svcStoreDomainContent:
		for e, ok := it.next(); ok; e, ok = it.next() {
			if e.is(classContext, false, 0) {
				m.scope = e.val
			} else if e.is(classContext, true, 4) && m.file == nil { // fileName
				m.file = fileName(e.val)
			}
		}
	case svcDeleteProgramInvocation:
		if !s.cons {
			m.prog = v
		}
	case svcStart, svcStop, svcResume, svcReset, svcKill, 38, 45: // programInvocationName first
		if s.cons {
			if e, ok := it.next(); ok && e.is(classUniversal, false, 26) {
				m.prog = e.val
			}
		} else {
			m.prog = v
		}
	case svcFileOpen, svcFileDirectory, svcFileRename:
		if e, ok := it.next(); ok && e.is(classContext, true, 0) {
			m.file = fileName(e.val)
		}
	case svcFileDelete:
		m.file = fileName(v)
	case svcObtainFile:
		for e, ok := it.next(); ok; e, ok = it.next() {
			if e.is(classContext, true, 1) { // sourceFile
				m.file = fileName(e.val)
			}
		}
	}
}

// accessResults reads a SEQUENCE OF AccessResult (Read) or of Write results: failure [0]
// IMPLICIT DataAccessError, anything else is a success.
func accessResults(b []byte, m *msg) {
	it := berIter{b: b}
	for e, ok := it.next(); ok; e, ok = it.next() {
		if e.is(classContext, false, 0) {
			code, _ := berUint(e.val)
			if m.failures == 0 {
				m.result = name(dataAccessErrors[:], code, "unknown")
				m.errCode, m.hasErr = int64(code), true
			}
			m.failures++
		}
	}
	if m.failures == 0 {
		m.result = "success"
	}
}

// response decodes the parts of a confirmed service response that mms.log reports.
func response(s *tlv, m *msg) {
	v := s.val
	it := berIter{b: v}
	m.result = "success"
	switch s.tag {
	case svcRead:
		for e, ok := it.next(); ok; e, ok = it.next() {
			if e.is(classContext, true, 1) { // listOfAccessResult
				accessResults(e.val, m)
			}
		}
	case svcWrite:
		accessResults(v, m)
	case svcGetNameList:
		for e, ok := it.next(); ok; e, ok = it.next() {
			switch {
			case e.is(classContext, true, 0):
				m.idList = e.val
				li := berIter{b: e.val}
				for id, ok := li.next(); ok; id, ok = li.next() {
					if id.is(classUniversal, false, 26) {
						m.addName(nil, id.val)
					}
				}
			case e.is(classContext, false, 1):
				m.more = 0
				if len(e.val) == 1 && e.val[0] != 0 {
					m.more = 1
				}
			}
		}
		if m.more < 0 {
			m.more = 1 // DEFAULT TRUE
		}
	case svcIdentify:
		for e, ok := it.next(); ok; e, ok = it.next() {
			if e.cls != classContext || e.cons {
				continue
			}
			switch e.tag {
			case 0:
				m.vendor = e.val
			case 1:
				m.model = e.val
			case 2:
				m.revision = e.val
			}
		}
	}
}

// informationReport reads the variable access specification and, for IEC 61850 reports
// (variable list "RPT"), the RptID that is the first access result. Spec: ISO 9506-2 §14.7,
// IEC 61850-8-1 §17.2.
func informationReport(b []byte, m *msg) {
	it := berIter{b: b}
	spec, ok := it.next()
	if !ok {
		return
	}
	variableAccess(&spec, m)
	res, ok := it.next()
	if !ok || !res.is(classContext, true, 0) || m.nnames != 1 || string(m.names[0].item) != "RPT" {
		return
	}
	if id, ok := (&berIter{b: res.val}).next(); ok && id.is(classContext, false, 10) {
		m.reportID = id.val
	}
}
