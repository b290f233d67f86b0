package bacnet

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// errorServiceName is the bacnet_property pdu_service of an Error-PDU (ICSNPP: "ERROR: " +
// the confirmed service name).
func errorServiceName(svc uint8) string {
	switch svc {
	case svcReadProperty:
		return "ERROR: read_property"
	case svcReadPropertyMultiple:
		return "ERROR: read_property_multiple"
	case svcWriteProperty:
		return "ERROR: write_property"
	}
	return "ERROR: write_property_multiple"
}

// propRow is one bacnet_property row.
type propRow struct {
	invoke      uint8
	service     string
	typ, inst   uint32
	prop        uint32
	idx         uint32
	hasIdx      bool
	val         []byte
	hasVal      bool
	prio        uint32
	hasPrio     bool
	rows        int // rows written for the APDU so far
	overflowed  bool
	isResponder bool
}

func (p *parser) propRow(row *propRow) {
	if row.rows >= maxRows {
		if !row.overflowed {
			row.overflowed = true
			p.env.Weird("bacnet_too_many_values", "more than 4096 property values in one APDU")
		}
		return
	}
	row.rows++
	r := p.begin(logProperty).Uint("invoke_id", uint64(row.invoke)).Str("pdu_service", row.service)
	start := len(p.scr)
	p.scr = appendObjectType(p.scr, row.typ)
	r.Bytes("object_type", p.scr[start:])
	r.Uint("instance_number", uint64(row.inst))
	start = len(p.scr)
	p.scr = appendProperty(p.scr, row.prop)
	r.Bytes("property", p.scr[start:])
	if row.hasIdx {
		r.Uint("array_index", uint64(row.idx))
	}
	if row.hasVal {
		r.Bytes("value", row.val)
	}
	if row.hasPrio {
		r.Uint("priority", uint64(row.prio))
	}
	p.done(r)
}

// request handles the service parameters of a confirmed request.
func (p *parser) request(a *apdu, body []byte, complete bool) {
	s := &p.pend[p.dir][a.invoke]
	if s.used {
		p.unanswered++
	}
	s.used, s.service = true, a.service
	p.sawReq[p.dir] = true
	p.roles()
	if !complete {
		return
	}
	r := tagReader{b: body}
	switch a.service {
	case svcReadProperty:
		p.readPropertyRequest(a, &r)
	case svcReadPropertyMultiple:
		p.readPropertyMultipleRequest(a, &r)
	case svcWriteProperty:
		p.writeProperty(a, &r)
	case svcWritePropMultiple:
		p.writePropertyMultiple(a, &r)
	case svcDeviceCommControl:
		p.deviceCommControl(a, &r)
	case svcReinitializeDevice:
		p.reinitializeDevice(a, &r)
	case svcAtomicReadFile, svcAtomicWriteFile:
		p.atomicFile(a, &r)
	default:
		return
	}
	if r.bad {
		p.env.Weird("bacnet_truncated_tag", "malformed or truncated tag in service parameters")
	}
}

// complexAck handles the service parameters of a complex ACK.
func (p *parser) complexAck(a *apdu, body []byte) {
	r := tagReader{b: body}
	switch a.service {
	case svcReadProperty:
		p.readPropertyAck(a, &r)
	case svcReadPropertyMultiple:
		p.readPropertyMultipleAck(a, &r)
	default:
		return
	}
	if r.bad {
		p.env.Weird("bacnet_truncated_tag", "malformed or truncated tag in service parameters")
	}
}

// objectRef reads a context-tagged object identifier.
func objectRef(r *tagReader, n uint32) (typ, inst uint32, ok bool) {
	t, more := r.next()
	if !more || !t.isCtx(n) {
		return 0, 0, false
	}
	return objectID(t.data)
}

// ctxUnsigned reads the context tag n as an unsigned when it is next; present is false when
// another tag is next (the parameter is absent).
func ctxUnsigned(r *tagReader, n uint32) (v uint32, present bool) {
	t, ok := r.peek()
	if !ok || !t.isCtx(n) {
		return 0, false
	}
	r.next()
	return uint32(unsigned(t.data)), true
}

// ReadProperty-Request (15.5.1.1): objectIdentifier [0], propertyIdentifier [1],
// propertyArrayIndex [2] OPTIONAL.
func (p *parser) readPropertyRequest(a *apdu, r *tagReader) {
	row := propRow{invoke: a.invoke, service: "read-property-request"}
	var ok bool
	if row.typ, row.inst, ok = objectRef(r, 0); !ok {
		return
	}
	if row.prop, ok = ctxUnsigned(r, 1); !ok {
		return
	}
	row.idx, row.hasIdx = ctxUnsigned(r, 2)
	p.propRow(&row)
}

// ReadProperty-ACK (15.5.1.3): objectIdentifier [0], propertyIdentifier [1],
// propertyArrayIndex [2] OPTIONAL, propertyValue [3]. One row per application-tagged value
// inside propertyValue, as ICSNPP logs arrays and lists.
func (p *parser) readPropertyAck(a *apdu, r *tagReader) {
	row := propRow{invoke: a.invoke, service: "read-property-ack"}
	var ok bool
	if row.typ, row.inst, ok = objectRef(r, 0); !ok {
		return
	}
	if row.prop, ok = ctxUnsigned(r, 1); !ok {
		return
	}
	row.idx, row.hasIdx = ctxUnsigned(r, 2)
	if t, more := r.next(); !more || !t.isOpen(3) {
		return
	}
	p.values(&row, r, 3, false)
}

// values writes one row per application-tagged value up to the closing tag closeN. When
// emptyRow is set a block without values still produces one row (ICSNPP's RPM behaviour).
func (p *parser) values(row *propRow, r *tagReader, closeN uint32, emptyRow bool) {
	depth, n := 0, 0
	for {
		t, more := r.next()
		if !more {
			return
		}
		if t.open {
			depth++
			continue
		}
		if t.close {
			if depth == 0 {
				if n == 0 && emptyRow {
					row.hasVal = false
					p.propRow(row)
				}
				return
			}
			depth--
			continue
		}
		if t.ctx {
			continue
		}
		p.val, row.hasVal = appendValue(p.val[:0], t, row.prop)
		row.val = p.val
		if n == 0 && row.hasVal {
			p.identity(row)
		}
		n++
		p.propRow(row)
	}
}

// identity turns the first value of a device object's identity properties into facts about
// the responder.
func (p *parser) identity(row *propRow) {
	if row.typ != objDevice || row.hasIdx || !p.local() {
		return
	}
	switch row.prop {
	case propVendorName:
		p.fact(p.dir, slotVendor, dissect.AttrVendor, row.val, "device.vendor-name")
	case propVendorIdentifier:
		p.fact(p.dir, slotVendorID, dissect.AttrVendorID, row.val, "device.vendor-identifier")
	case propModelName:
		p.fact(p.dir, slotModel, dissect.AttrModel, row.val, "device.model-name")
	case propFirmwareRevision:
		p.fact(p.dir, slotFirmware, dissect.AttrFirmware, row.val, "device.firmware-revision")
	case propAppSoftwareVersion:
		p.fact(p.dir, slotSoftware, dissect.AttrSoftware, row.val, "device.application-software-version")
	case propObjectName:
		p.fact(p.dir, slotName, dissect.AttrName, row.val, "device.object-name")
	}
}

// ReadPropertyMultiple-Request (15.7.1.1): a list of ReadAccessSpecification:
// objectIdentifier [0], listOfPropertyReferences [1] { propertyIdentifier [0],
// propertyArrayIndex [1] OPTIONAL }.
func (p *parser) readPropertyMultipleRequest(a *apdu, r *tagReader) {
	row := propRow{invoke: a.invoke, service: "read-property-multiple-request"}
	for {
		var ok bool
		if row.typ, row.inst, ok = objectRef(r, 0); !ok {
			return
		}
		if t, more := r.next(); !more || !t.isOpen(1) {
			return
		}
		for {
			t, more := r.next()
			if !more || t.isClose(1) {
				break
			}
			if !t.isCtx(0) {
				return
			}
			row.prop = uint32(unsigned(t.data))
			row.idx, row.hasIdx = ctxUnsigned(r, 1)
			p.propRow(&row)
		}
	}
}

// ReadPropertyMultiple-ACK (15.7.1.3): a list of ReadAccessResult: objectIdentifier [0],
// listOfResults [1] { propertyIdentifier [2], propertyArrayIndex [3] OPTIONAL,
// propertyValue [4] | propertyAccessError [5] }. Errors are logged with the value
// "PropertyError" as ICSNPP does.
func (p *parser) readPropertyMultipleAck(a *apdu, r *tagReader) {
	row := propRow{invoke: a.invoke, service: "read-property-multiple-ack", isResponder: true}
	for {
		var ok bool
		if row.typ, row.inst, ok = objectRef(r, 0); !ok {
			return
		}
		if t, more := r.next(); !more || !t.isOpen(1) {
			return
		}
		for {
			t, more := r.next()
			if !more || t.isClose(1) {
				break
			}
			if !t.isCtx(2) {
				return
			}
			row.prop = uint32(unsigned(t.data))
			row.idx, row.hasIdx = ctxUnsigned(r, 3)
			t, more = r.next()
			switch {
			case more && t.isOpen(4):
				p.values(&row, r, 4, true)
			case more && t.isOpen(5):
				row.val, row.hasVal = append(p.val[:0], "PropertyError"...), true
				p.propRow(&row)
				if !r.skipBlock() {
					return
				}
			default:
				return
			}
		}
	}
}

// firstValue renders the first application-tagged value of a value block whose opening tag
// was consumed, and consumes the block up to its closing tag.
func (p *parser) firstValue(r *tagReader, prop uint32) ([]byte, bool) {
	depth := 0
	var v []byte
	got := false
	for {
		t, more := r.next()
		if !more {
			return v, got
		}
		switch {
		case t.open:
			depth++
		case t.close:
			if depth == 0 {
				return v, got
			}
			depth--
		case !t.ctx && !got:
			p.val, got = appendValue(p.val[:0], t, prop)
			v = p.val
			if !got {
				got, v = false, nil
			}
		}
	}
}

// WriteProperty-Request (15.9.1.1): objectIdentifier [0], propertyIdentifier [1],
// propertyArrayIndex [2] OPTIONAL, propertyValue [3], priority [4] OPTIONAL.
func (p *parser) writeProperty(a *apdu, r *tagReader) {
	row := propRow{invoke: a.invoke, service: "write-property"}
	var ok bool
	if row.typ, row.inst, ok = objectRef(r, 0); !ok {
		return
	}
	if row.prop, ok = ctxUnsigned(r, 1); !ok {
		return
	}
	row.idx, row.hasIdx = ctxUnsigned(r, 2)
	if t, more := r.next(); !more || !t.isOpen(3) {
		return
	}
	row.val, row.hasVal = p.firstValue(r, row.prop)
	row.prio, row.hasPrio = ctxUnsigned(r, 4)
	p.propRow(&row)
	p.writeEvent(&row)
}

// WritePropertyMultiple-Request (15.10.1.1): a list of WriteAccessSpecification:
// objectIdentifier [0], listOfProperties [1] { propertyIdentifier [0], propertyArrayIndex [1]
// OPTIONAL, propertyValue [2], priority [3] OPTIONAL }.
func (p *parser) writePropertyMultiple(a *apdu, r *tagReader) {
	row := propRow{invoke: a.invoke, service: "write-property-multiple"}
	events := 0
	for {
		var ok bool
		if row.typ, row.inst, ok = objectRef(r, 0); !ok {
			return
		}
		if t, more := r.next(); !more || !t.isOpen(1) {
			return
		}
		for {
			t, more := r.next()
			if !more || t.isClose(1) {
				break
			}
			if !t.isCtx(0) {
				return
			}
			row.prop = uint32(unsigned(t.data))
			row.idx, row.hasIdx = ctxUnsigned(r, 1)
			if t, more := r.next(); !more || !t.isOpen(2) {
				return
			}
			row.val, row.hasVal = p.firstValue(r, row.prop)
			row.prio, row.hasPrio = ctxUnsigned(r, 3)
			p.propRow(&row)
			if events < maxWriteEvents {
				events++
				p.writeEvent(&row)
			}
		}
	}
}

// writeEvent reports a property write: "analog-output:101 present-value[2]=5.000000 priority=8".
func (p *parser) writeEvent(row *propRow) {
	d := appendObjectType(nil, row.typ)
	d = append(d, ':')
	d = strconv.AppendUint(d, uint64(row.inst), 10)
	d = append(d, ' ')
	d = appendProperty(d, row.prop)
	if row.hasIdx {
		d = append(d, '[')
		d = strconv.AppendUint(d, uint64(row.idx), 10)
		d = append(d, ']')
	}
	if row.hasVal {
		d = append(d, '=')
		d = append(d, row.val...)
	}
	if row.hasPrio {
		d = append(d, " priority="...)
		d = strconv.AppendUint(d, uint64(row.prio), 10)
	}
	p.env.Event(p.dir, dissect.EvWrite, string(d))
}

// DeviceCommunicationControl-Request (16.1.1.1): timeDuration [0] OPTIONAL, enable-disable
// [1], password [2] OPTIONAL. The password is never logged: only whether one was sent.
func (p *parser) deviceCommControl(a *apdu, r *tagReader) {
	dur, hasDur := ctxUnsigned(r, 0)
	state, hasState := ctxUnsigned(r, 1)
	t, more := r.next()
	hasPw := more && t.isCtx(2) && len(t.data) > 1
	rec := p.begin(logDevice).Uint("invoke_id", uint64(a.invoke)).Str("pdu_service", "device_communication_control")
	if hasDur && dur != 0 { // ICSNPP leaves a zero duration unset
		rec.Uint("time_duration", uint64(dur))
	}
	if hasState {
		rec.Bytes("device_state", p.lbl(name(dccStateNames[:], state), "Unknown State-", state))
	}
	if hasPw {
		rec.Str("password", "<redacted>")
	}
	p.done(rec)
	d := "device_communication_control " + name(dccStateNames[:], state)
	if hasDur {
		d += " duration=" + strconv.FormatUint(uint64(dur), 10) + "min"
	}
	p.env.Event(p.dir, dissect.EvConfigWrite, d)
	if hasPw {
		p.env.Event(p.dir, dissect.EvPassword, "device_communication_control password supplied")
	}
}

// ReinitializeDevice-Request (16.4.1.1): reinitializedStateOfDevice [0], password [1]
// OPTIONAL.
func (p *parser) reinitializeDevice(a *apdu, r *tagReader) {
	state, hasState := ctxUnsigned(r, 0)
	t, more := r.next()
	hasPw := more && t.isCtx(1) && len(t.data) > 1
	rec := p.begin(logDevice).Uint("invoke_id", uint64(a.invoke)).Str("pdu_service", "reinitialize_device")
	if hasState {
		rec.Bytes("device_state", p.lbl(name(reinitStateNames[:], state), "Unknown State-", state))
	}
	if hasPw {
		rec.Str("password", "<redacted>")
	}
	p.done(rec)
	p.env.Event(p.dir, dissect.EvRestart, "reinitialize_device "+name(reinitStateNames[:], state))
	if hasPw {
		p.env.Event(p.dir, dissect.EvPassword, "reinitialize_device password supplied")
	}
}

// deviceResult writes the bacnet_device_control row of a response to
// DeviceCommunicationControl or ReinitializeDevice.
func (p *parser) deviceResult(a *apdu, svc uint8, result string, code []byte) {
	r := p.begin(logDevice).Uint("invoke_id", uint64(a.invoke)).Str("pdu_service", confirmedNames[svc])
	r.Str("result", result)
	if code != nil {
		r.Bytes("result_code", code)
	}
	p.done(r)
}

// AtomicReadFile-Request (14.1.1.1) / AtomicWriteFile-Request (14.2.1.1): fileIdentifier
// (application object id), then streamAccess [0] or recordAccess [1] with the start position.
// A transfer is many requests of one file: the event is reported when the file or the
// service changes, not for every block.
func (p *parser) atomicFile(a *apdu, r *tagReader) {
	t, more := r.next()
	if !more || !t.isApp(appObjectID) {
		return
	}
	typ, inst, _ := objectID(t.data)
	key := uint64(a.service)<<32 | uint64(typ)<<22 | uint64(inst) // one event per file and direction of transfer
	if p.lastFile[p.dir] == key+1 {
		return
	}
	p.lastFile[p.dir] = key + 1
	d := confirmedNames[a.service] + " " + string(appendObjectType(nil, typ)) + ":" + strconv.FormatUint(uint64(inst), 10)
	if t, more = r.next(); more && t.open {
		if t.num == 0 {
			d += " stream"
		} else {
			d += " record"
		}
		if t, more = r.next(); more && t.isApp(appSigned) {
			d += " start=" + strconv.FormatInt(signed(t.data), 10)
		}
	}
	p.env.Event(p.dir, dissect.EvFileTransfer, d)
}

// unconfirmed handles the discovery services: Who-Is, I-Am, Who-Has, I-Have.
func (p *parser) unconfirmed(a *apdu) {
	r := tagReader{b: a.body}
	switch a.service {
	case usvcWhoIs:
		p.whoIs(&r)
	case usvcIAm:
		p.iAm(&r)
	case usvcWhoHas:
		p.whoHas(&r)
	case usvcIHave:
		p.iHave(&r)
	default:
		return
	}
	if r.bad {
		p.env.Weird("bacnet_truncated_tag", "malformed or truncated tag in service parameters")
	}
}

// appendRange appends the "low-high" device instance range of Who-Is/Who-Has, or "All".
func appendRange(b []byte, lo, hi uint32, ok bool) []byte {
	if !ok {
		return append(b, "All"...)
	}
	b = strconv.AppendUint(b, uint64(lo), 10)
	b = append(b, '-')
	return strconv.AppendUint(b, uint64(hi), 10)
}

// Who-Is-Request (16.10.1.1): deviceInstanceRangeLowLimit [0] OPTIONAL,
// deviceInstanceRangeHighLimit [1] OPTIONAL.
func (p *parser) whoIs(r *tagReader) {
	lo, okLo := ctxUnsigned(r, 0)
	hi, okHi := ctxUnsigned(r, 1)
	rec := p.begin(logDiscovery).Str("pdu_service", "who-is")
	start := len(p.scr)
	p.scr = appendRange(p.scr, lo, hi, okLo && okHi)
	rng := p.scr[start:]
	rec.Bytes("range", rng)
	p.done(rec)
	if !p.scanSent {
		p.scanSent = true
		p.env.Event(p.dir, dissect.EvScan, "who-is "+string(rng))
	}
}

// I-Am-Request (16.10.3? 16.10.1.2): iAmDeviceIdentifier, maxAPDULengthAccepted,
// segmentationSupported, vendorID, all application-tagged.
func (p *parser) iAm(r *tagReader) {
	t, more := r.next()
	if !more || !t.isApp(appObjectID) {
		return
	}
	typ, inst, _ := objectID(t.data)
	r.next() // max APDU length accepted
	r.next() // segmentation supported
	vt, hasVendor := r.next()
	hasVendor = hasVendor && vt.isApp(appUnsigned)
	vendor := unsigned(vt.data)
	rec := p.begin(logDiscovery).Str("pdu_service", "i-am")
	start := len(p.scr)
	p.scr = appendObjectType(p.scr, typ)
	rec.Bytes("object_type", p.scr[start:]).Uint("instance_number", uint64(inst))
	if hasVendor {
		start = len(p.scr)
		p.scr = appendVendor(p.scr, vendor)
		rec.Bytes("vendor", p.scr[start:])
	}
	p.done(rec)
	if !p.local() {
		return // the device is behind a router or a BBMD: its facts are not the sender's
	}
	if typ == objDevice {
		p.val = strconv.AppendUint(p.val[:0], uint64(inst), 10)
		p.fact(p.dir, slotInstance, dissect.AttrStationAddr, p.val, "i_am.device_instance")
	}
	if hasVendor {
		p.val = strconv.AppendUint(p.val[:0], vendor, 10)
		p.fact(p.dir, slotVendorID, dissect.AttrVendorID, p.val, "i_am.vendor_id")
		if vendor < uint64(len(vendorNames)) {
			p.val = append(p.val[:0], vendorNames[vendor]...)
			p.fact(p.dir, slotVendor, dissect.AttrVendor, p.val, "i_am.vendor_id")
		}
	}
}

// Who-Has-Request (16.9.1.1): deviceInstanceRangeLowLimit [0] OPTIONAL,
// deviceInstanceRangeHighLimit [1] OPTIONAL, object: objectIdentifier [2] | objectName [3].
func (p *parser) whoHas(r *tagReader) {
	lo, okLo := ctxUnsigned(r, 0)
	hi, okHi := ctxUnsigned(r, 1)
	rec := p.begin(logDiscovery).Str("pdu_service", "who-has")
	t, more := r.next()
	hasName := false
	if more && t.isCtx(2) {
		if typ, inst, ok := objectID(t.data); ok {
			start := len(p.scr)
			p.scr = appendObjectType(p.scr, typ)
			rec.Bytes("object_type", p.scr[start:]).Uint("instance_number", uint64(inst))
		}
	} else if more && t.isCtx(3) {
		p.val, hasName = appendCharString(p.val[:0], t.data)
	}
	start := len(p.scr)
	p.scr = appendRange(p.scr, lo, hi, okLo && okHi)
	rec.Bytes("range", p.scr[start:])
	if hasName {
		rec.Bytes("object_name", p.val)
	} else {
		rec.Str("object_name", "N/A")
	}
	p.done(rec)
}

// I-Have-Request (16.9.1.2? 16.8): deviceIdentifier, objectIdentifier, objectName, all
// application-tagged.
func (p *parser) iHave(r *tagReader) {
	rec := p.begin(logDiscovery).Str("pdu_service", "i-have")
	if t, more := r.next(); more && t.isApp(appObjectID) {
		if typ, inst, ok := objectID(t.data); ok {
			start := len(p.scr)
			p.scr = appendObjectType(p.scr, typ)
			rec.Bytes("device_id_type", p.scr[start:]).Uint("device_id_number", uint64(inst))
		}
	}
	if t, more := r.next(); more && t.isApp(appObjectID) {
		if typ, inst, ok := objectID(t.data); ok {
			start := len(p.scr)
			p.scr = appendObjectType(p.scr, typ)
			rec.Bytes("object_type", p.scr[start:]).Uint("instance_number", uint64(inst))
		}
	}
	if t, more := r.next(); more && t.isApp(appCharString) {
		var ok bool
		if p.val, ok = appendCharString(p.val[:0], t.data); ok {
			rec.Bytes("object_name", p.val)
		}
	}
	p.done(rec)
}
