package modbus

import (
	"bytes"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// logModbus writes one modbus.log line (Zeek base fields: tid, unit, func, pdu_type,
// exception).
func (p *parser) logModbus(h header, pduType, exception string) {
	r := p.env.Log(logModbus).
		Uint("tid", uint64(h.tid)).
		Uint("unit", uint64(h.unit)).
		Str("func", funcNames[h.fc]).
		Str("pdu_type", pduType)
	if exception != "" {
		r.Str("exception", exception)
	}
	r.Done()
}

// logDetailed writes one modbus_detailed.log line (ICSNPP) for a transaction: pe is the
// request (nil when unseen), resp the normal response (nil when none), exc the exception
// code of an exception response. base is the function code without the exception bit.
func (p *parser) logDetailed(tid uint16, unit uint8, base FuncCode, pe *pending, resp *body, exc *uint8, link []byte) {
	var req *body
	if pe != nil {
		req = &pe.q
	}
	r := p.env.Log(logDetailed).
		Uint("tid", uint64(tid)).
		Uint("unit", uint64(unit)).
		Str("func", funcNames[base])

	switch base {
	case fcDiagnostics, fcReadWriteMultipleRegisters, fcEncapInterfaceTransport:
		// ICSNPP logs these functions' specifics in their own fields or logs.
	default:
		if req != nil && req.hasAddr {
			r.Uint("address", uint64(req.addr))
		} else if resp != nil && resp.hasAddr {
			r.Uint("address", uint64(resp.addr))
		}
		switch {
		case base == fcReadFIFOQueue:
			if resp != nil && resp.hasQty {
				r.Uint("quantity", uint64(resp.qty))
			}
		case req != nil && req.hasQty:
			r.Uint("quantity", uint64(req.qty))
		case resp != nil && resp.hasQty:
			r.Uint("quantity", uint64(resp.qty))
		}
	}

	// Values. Read bit responses carry whole bytes: the bits past the requested quantity are
	// padding and go to response_data, as ICSNPP does.
	pad := -1
	if base != fcReadWriteMultipleRegisters {
		if req != nil {
			appendValues(r, "request_values", req, req.nvals)
		}
		if resp != nil {
			n := resp.nvals
			if resp.vkind == valBits && req != nil && req.hasQty && int(req.qty) < n {
				n, pad = int(req.qty), int(req.qty)
			}
			appendValues(r, "response_values", resp, n)
		}
	}
	if len(link) > 0 {
		r.Bytes("modbus_detailed_link_id", link)
	}
	r.Bool("matched", pe != nil && (resp != nil || exc != nil))
	if req != nil && req.hasSub {
		r.Bytes("request_subfunction_code", p.subName(req.sub))
	}
	if resp != nil && resp.hasSub {
		r.Bytes("response_subfunction_code", p.subName(resp.sub))
	}
	if req != nil && len(req.data) > 0 && base != fcEncapInterfaceTransport {
		r.Bytes("request_data", p.escape(req.data))
	}
	switch {
	case pad >= 0:
		p.scratch = p.scratch[:0]
		for i := pad; i < resp.nvals; i++ {
			if i > pad {
				p.scratch = append(p.scratch, ',')
			}
			p.scratch = append(p.scratch, '0'+(resp.vals[i/8]>>(i%8))&1)
		}
		r.Bytes("response_data", p.scratch)
	case resp != nil && len(resp.data) > 0 && base != fcEncapInterfaceTransport:
		r.Bytes("response_data", p.escape(resp.data))
	}
	if exc != nil {
		r.Str("exception_code", exceptionNames[*exc])
	}
	if base == fcEncapInterfaceTransport {
		switch {
		case req != nil && req.hasMEI:
			r.Bytes("mei_type", p.meiName(req.mei))
		case resp != nil && resp.hasMEI:
			r.Bytes("mei_type", p.meiName(resp.mei))
		}
	}
	r.Done()
}

// logUnanswered writes the detailed line of a request that got no response, at the
// request's time.
func (p *parser) logUnanswered(pe *pending) {
	ts := p.env.TS
	p.env.TS = pe.ts
	var link []byte
	if pe.hasLink {
		link = pe.link[:]
	}
	p.logDetailed(pe.tid, pe.unit, pe.fc, pe, nil, nil, link)
	p.env.TS = ts
}

// appendValues adds the first n values of q as a number array.
func appendValues(r *dissect.Record, key string, q *body, n int) {
	switch q.vkind {
	case valBits:
		n = min(n, 8*len(q.vals))
		if n <= 0 {
			return
		}
		r.Array(key)
		for i := 0; i < n; i++ {
			r.ElemUint(uint64(q.vals[i/8]>>(i%8)) & 1)
		}
		r.End()
	case valRegs:
		n = min(n, len(q.vals)/2)
		if n <= 0 {
			return
		}
		r.Array(key)
		for i := 0; i < n; i++ {
			r.ElemUint(uint64(q.vals[2*i])<<8 | uint64(q.vals[2*i+1]))
		}
		r.End()
	case valCount:
		r.Array(key).ElemUint(uint64(q.value)).End()
	}
}

// appendRegs adds b as an array of big-endian registers.
func appendRegs(r *dissect.Record, key string, b []byte) {
	if len(b) < 2 {
		return
	}
	r.Array(key)
	for i := 0; i+1 < len(b); i += 2 {
		r.ElemUint(uint64(b[i])<<8 | uint64(b[i+1]))
	}
	r.End()
}

// escape renders b the way Zeek prints binary strings: printable ASCII as is, other bytes
// as \xNN. The result lives in p.scratch until the next call.
func (p *parser) escape(b []byte) []byte {
	const digits = "0123456789abcdef"
	p.scratch = p.scratch[:0]
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' {
			p.scratch = append(p.scratch, c)
		} else {
			p.scratch = append(p.scratch, '\\', 'x', digits[c>>4], digits[c&15])
		}
	}
	return p.scratch
}

// subName returns a diagnostics sub-function's name, or "unknown-N".
func (p *parser) subName(sub uint16) []byte {
	p.scratch = p.scratch[:0]
	if s := diagName(sub); s != "" {
		p.scratch = append(p.scratch, s...)
	} else {
		p.scratch = strconv.AppendUint(append(p.scratch, "unknown-"...), uint64(sub), 10)
	}
	return p.scratch
}

// meiName returns the MEI type's name, or "unknown-N".
func (p *parser) meiName(mei uint8) []byte {
	p.scratch = p.scratch[:0]
	switch mei {
	case meiReadDeviceID:
		p.scratch = append(p.scratch, meiReadDeviceName...)
	case meiCANopen:
		p.scratch = append(p.scratch, meiCANopenName...)
	default:
		p.scratch = strconv.AppendUint(append(p.scratch, "unknown-"...), uint64(mei), 10)
	}
	return p.scratch
}

// logExtra starts a line of one of ICSNPP's per-function logs: envelope, direction and the
// sender/receiver addresses, link id, MBAP fields and REQUEST/RESPONSE.
func (p *parser) logExtra(log string, dir dissect.Dir, link []byte, h header, rr string) *dissect.Record {
	r := p.env.Log(log).Bool("is_orig", dir == dissect.Orig)
	src, dst := p.env.Flow.Orig, p.env.Flow.Resp
	if dir == dissect.Resp {
		src, dst = dst, src
	}
	if src.IP.IsValid() {
		r.Addr("source_h", src.IP).Uint("source_p", uint64(src.Port))
		r.Addr("destination_h", dst.IP).Uint("destination_p", uint64(dst.Port))
	}
	if len(link) > 0 {
		r.Bytes("modbus_detailed_link_id", link)
	}
	return r.Uint("tid", uint64(h.tid)).
		Uint("unit", uint64(h.unit)).
		Str("func", funcNames[h.fc]).
		Str("request_response", rr)
}

// logMaskWrite writes a modbus_mask_write_register.log line (FC 22).
func (p *parser) logMaskWrite(dir dissect.Dir, h header, q *body, link []byte, rr string) {
	r := p.logExtra(logMaskWrite, dir, link, h, rr)
	if q.hasAddr {
		r.Uint("address", uint64(q.addr)).
			Uint("and_mask", uint64(q.andMask)).
			Uint("or_mask", uint64(q.orMask))
	}
	r.Done()
}

// logReadWrite writes a modbus_read_write_multiple_registers.log line (FC 23).
func (p *parser) logReadWrite(dir dissect.Dir, h header, q *body, link []byte, rr string) {
	r := p.logExtra(logReadWrite, dir, link, h, rr)
	if rr == "REQUEST" {
		r.Uint("write_start_address", uint64(q.writeAddr))
		appendRegs(r, "write_registers", q.writeRegs)
		r.Uint("read_start_address", uint64(q.readAddr)).
			Uint("read_quantity", uint64(q.readQty))
	} else {
		appendRegs(r, "read_registers", q.vals)
	}
	r.Done()
}

// logDeviceIDRequest writes the modbus_read_device_identification.log line of a request
// (FC 43 / MEI 14): read device id code and the first object asked for.
func (p *parser) logDeviceIDRequest(dir dissect.Dir, h header, q *body, link []byte) {
	r := p.logExtra(logDeviceID, dir, link, h, "REQUEST").Str("mei_type", "READ-DEVICE-IDENTIFICATION")
	if len(q.data) >= 2 {
		r.Uint("device_id_code", uint64(q.data[0])).
			HexUint("object_id_code", uint64(q.data[1]), 2).
			Str("object_id", objectName(q.data[1]))
	}
	r.Done()
}

// logDeviceIDResponse writes one modbus_read_device_identification.log line per object of
// a response, and reports the identity objects as facts about the server.
func (p *parser) logDeviceIDResponse(dir dissect.Dir, h header, q *body, link []byte) {
	d, ok := parseDeviceID(q.data)
	if !ok {
		p.env.Weird(weirdMalformedPDU, probTruncated)
		p.logExtra(logDeviceID, dir, link, h, "RESPONSE").Str("mei_type", "READ-DEVICE-IDENTIFICATION").Done()
		return
	}
	objs := d.objects
	logged := 0
	for i := 0; i < int(d.count); i++ {
		id, value, rest, ok := nextObject(objs)
		if !ok {
			p.env.Weird(weirdMalformedPDU, probTruncated)
			break
		}
		objs = rest
		p.logExtra(logDeviceID, dir, link, h, "RESPONSE").
			Str("mei_type", "READ-DEVICE-IDENTIFICATION").
			HexUint("conformity_level_code", uint64(d.conformity), 2).
			Str("conformity_level", conformityName(d.conformity)).
			Uint("device_id_code", uint64(d.code)).
			HexUint("object_id_code", uint64(id), 2).
			Str("object_id", objectName(id)).
			Bytes("object_value", value).
			Done()
		logged++
		p.identityFact(dir, id, value)
	}
	if logged == 0 {
		p.logExtra(logDeviceID, dir, link, h, "RESPONSE").
			Str("mei_type", "READ-DEVICE-IDENTIFICATION").
			HexUint("conformity_level_code", uint64(d.conformity), 2).
			Str("conformity_level", conformityName(d.conformity)).
			Uint("device_id_code", uint64(d.code)).
			Done()
	}
}

// identityFact reports a Read Device Identification object as a fact about the server.
func (p *parser) identityFact(side dissect.Dir, id uint8, value []byte) {
	switch id {
	case objVendorName:
		p.fact(side, slotVendor, dissect.AttrVendor, value, "read_device_identification.vendor_name")
	case objProductCode:
		p.fact(side, slotProductCode, dissect.AttrProductCode, value, "read_device_identification.product_code")
	case objMajorMinorRevision:
		p.fact(side, slotRevision, dissect.AttrFirmware, value, "read_device_identification.major_minor_revision")
	case objProductName:
		p.fact(side, slotProductName, dissect.AttrModel, value, "read_device_identification.product_name")
	case objModelName:
		p.fact(side, slotModelName, dissect.AttrModel, value, "read_device_identification.model_name")
	case objUserApplicationName:
		p.fact(side, slotUserApp, dissect.AttrName, value, "read_device_identification.user_application_name")
	}
}

// fact reports attr = value about side when value differs from what slot last reported on
// this flow (identity reads are often polled).
func (p *parser) fact(side dissect.Dir, slot int, attr string, value []byte, field string) {
	value = bytes.Trim(value, " \x00\t\r\n")
	if len(value) == 0 || bytes.Equal(p.lastFact[slot], value) {
		return
	}
	p.lastFact[slot] = append(p.lastFact[slot][:0], value...)
	p.env.Fact(side, attr, string(value), field)
}

// stationFact reports a unit id answered by the server as its station address, once per
// unit and flow. Only individual serial addresses (1..247) are reported: 0 is broadcast,
// 248..255 are reserved, and 255 is the usual "no serial unit" value on Modbus/TCP.
func (p *parser) stationFact(side dissect.Dir, unit uint8) {
	if unit == 0 || unit > 247 || p.units[unit/64]&(1<<(unit%64)) != 0 {
		return
	}
	p.units[unit/64] |= 1 << (unit % 64)
	p.env.Fact(side, dissect.AttrStationAddr, strconv.Itoa(int(unit)), "mbap.unit_id")
}

// responseFacts reports what a normal response says about the server.
func (p *parser) responseFacts(side dissect.Dir, fc FuncCode, q *body) {
	if fc != fcReportServerID || len(q.data) < 2 {
		return
	}
	// §6.13: server id (device specific length), run indicator (0x00 OFF, 0xFF ON),
	// additional data. The server id length is not on the wire: take the common one-byte
	// id when the second byte is a run indicator, else a run indicator in the last byte.
	d := q.data
	run, add := -1, d
	switch {
	case d[1] == 0x00 || d[1] == 0xFF:
		run, add = int(d[1]), d[2:]
	case d[len(d)-1] == 0x00 || d[len(d)-1] == 0xFF:
		run, add = int(d[len(d)-1]), d[:len(d)-1]
	}
	switch run {
	case 0xFF:
		p.fact(side, slotRunIndicator, dissect.AttrPLCMode, []byte("run"), "report_server_id.run_indicator")
	case 0x00:
		p.fact(side, slotRunIndicator, dissect.AttrPLCMode, []byte("stop"), "report_server_id.run_indicator")
	}
	if s := longestPrintable(add); len(s) >= 4 {
		p.fact(side, slotSoftware, dissect.AttrSoftware, s, "report_server_id.additional_data")
	}
}

// longestPrintable returns the longest run of printable ASCII in b.
func longestPrintable(b []byte) []byte {
	best, start := b[:0], -1
	for i := 0; i <= len(b); i++ {
		printable := i < len(b) && b[i] >= 0x20 && b[i] < 0x7f
		if printable && start < 0 {
			start = i
		}
		if !printable && start >= 0 {
			if i-start > len(best) {
				best = b[start:i]
			}
			start = -1
		}
	}
	return best
}

// requestEvents reports the operational events a request stands for.
func (p *parser) requestEvents(dir dissect.Dir, h header, q *body) {
	kind := ""
	b := append(p.scratch[:0], funcNames[h.fc]...)
	switch h.fc {
	case fcWriteSingleCoil, fcWriteSingleRegister:
		kind = dissect.EvWrite
		b = appendKV(b, "unit", uint64(h.unit))
		b = appendKV(b, "address", uint64(q.addr))
		b = appendKV(b, "value", uint64(q.value))
	case fcWriteMultipleCoils, fcWriteMultipleRegisters:
		kind = dissect.EvWrite
		b = appendKV(b, "unit", uint64(h.unit))
		b = appendKV(b, "address", uint64(q.addr))
		b = appendKV(b, "quantity", uint64(q.qty))
	case fcMaskWriteRegister:
		kind = dissect.EvWrite
		b = appendKV(b, "unit", uint64(h.unit))
		b = appendKV(b, "address", uint64(q.addr))
		b = appendKV(b, "and_mask", uint64(q.andMask))
		b = appendKV(b, "or_mask", uint64(q.orMask))
	case fcReadWriteMultipleRegisters:
		kind = dissect.EvWrite
		b = appendKV(b, "unit", uint64(h.unit))
		b = appendKV(b, "address", uint64(q.writeAddr))
		b = appendKV(b, "quantity", uint64(q.writeQty))
	case fcWriteFileRecord:
		kind = dissect.EvWrite
		b = appendKV(b, "unit", uint64(h.unit))
		if q.nrefs > 0 {
			// The first sub-request: file, starting record, length in registers.
			b = appendKV(b, "file", uint64(q.fileNum))
			b = appendKV(b, "record", uint64(q.recordNum))
			b = appendKV(b, "quantity", uint64(q.recordLen))
		}
		b = appendKV(b, "records", uint64(q.nrefs))
	case fcDiagnostics:
		if !q.hasSub {
			break
		}
		kind = dissect.EvDiagnostic
		if q.sub == diagRestartCommunications {
			kind = dissect.EvRestart
		}
		b = append(b, ' ')
		b = append(b, p.subNameTo(q.sub)...)
		b = appendKV(b, "unit", uint64(h.unit))
	case fcEncapInterfaceTransport:
		kind = dissect.EvScan
		b = append(b, ' ')
		if q.hasMEI {
			b = append(b, p.meiNameTo(q.mei)...)
		}
		b = appendKV(b, "unit", uint64(h.unit))
	case fcReportServerID:
		kind = dissect.EvScan
		b = appendKV(b, "unit", uint64(h.unit))
	case 0x7D: // FIRMWARE_REPLACEMENT (Modicon legacy)
		kind = dissect.EvFirmwareUpdate
		b = appendKV(b, "unit", uint64(h.unit))
	}
	p.scratch = b
	if kind != "" {
		p.env.Event(dir, kind, string(b))
	}
}

// subNameTo and meiNameTo are subName and meiName for callers that already use p.scratch:
// they return constant strings or a fresh (rare) formatted one.
func (p *parser) subNameTo(sub uint16) string {
	if s := diagName(sub); s != "" {
		return s
	}
	return "unknown-" + strconv.Itoa(int(sub))
}

func (p *parser) meiNameTo(mei uint8) string {
	switch mei {
	case meiReadDeviceID:
		return meiReadDeviceName
	case meiCANopen:
		return meiCANopenName
	}
	return "unknown-" + strconv.Itoa(int(mei))
}

// exceptionEvent reports an exception response, issued by the server.
func (p *parser) exceptionEvent(dir dissect.Dir, h header, base FuncCode, exc uint8) {
	b := append(p.scratch[:0], funcNames[base]...)
	b = append(b, ' ')
	b = append(b, exceptionNames[exc]...)
	b = appendKV(b, "unit", uint64(h.unit))
	p.scratch = b
	p.env.Event(dir, dissect.EvException, string(b))
}

func appendKV(b []byte, k string, v uint64) []byte {
	b = append(b, ' ')
	b = append(b, k...)
	b = append(b, '=')
	return strconv.AppendUint(b, v, 10)
}

// nextLink returns a new modbus_detailed_link_id: 16 base62 characters derived from the flow
// uid and a per-flow counter, so replaying a capture gives the same ids.
func (p *parser) nextLink() [16]byte {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	p.linkSeq++
	h := uint64(14695981039346656037)
	if p.env.Flow != nil {
		for i := 0; i < len(p.env.Flow.UID); i++ {
			h = (h ^ uint64(p.env.Flow.UID[i])) * 1099511628211
		}
	}
	var out [16]byte
	x := h ^ p.linkSeq*0x9E3779B97F4A7C15
	for i := range out {
		// splitmix64 step per character.
		x += 0x9E3779B97F4A7C15
		z := x
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		out[i] = alphabet[z%62]
	}
	return out
}
