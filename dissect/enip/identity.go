package enip

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/wire"
)

// Identity attributes present in a reply (bit i-1 = attribute i).
const (
	idVendor = 1 << iota
	idDeviceType
	idProductCode
	idRevision
	idStatus
	idSerial
	idName
	idState
	idAll = idVendor | idDeviceType | idProductCode | idRevision | idStatus | idSerial | idName
)

// logIdentity writes a cip_identity.log line (ICSNPP fields; the ListIdentity-only fields are
// omitted for Get_Attributes_All replies).
func (p *parser) logIdentity(dir dissect.Dir, id *identity) {
	r := p.envelope(p.env.Log("cip_identity"), dir)
	if id.hasSock {
		r.Uint("encapsulation_version", uint64(id.encapVersion))
		b := strconv.AppendUint(p.scratch[:0], uint64(id.sockAddr[0]), 10)
		for _, o := range id.sockAddr[1:] {
			b = append(b, '.')
			b = strconv.AppendUint(b, uint64(o), 10)
		}
		r.Bytes("socket_address", b).Uint("socket_port", uint64(id.sockPort))
	}
	r.Uint("vendor_id", uint64(id.vendor))
	if n := vendorName(id.vendor); n != "" {
		r.Str("vendor_name", n)
	} else {
		r.Str("vendor_name", "Unknown")
	}
	r.Uint("device_type_id", uint64(id.deviceType)).Str("device_type_name", deviceTypeName(id.deviceType))
	r.Uint("product_code", uint64(id.productCode))
	r.Bytes("revision", p.revision(id.major, id.minor))
	r.HexUint("device_status", uint64(id.status), 4)
	r.HexUint("serial_number", uint64(id.serial), 8)
	r.Bytes("product_name", id.name)
	if id.hasState {
		r.HexUint("device_state", uint64(id.state), 4)
	}
	r.Done()
}

func (p *parser) revision(major, minor uint8) []byte {
	b := strconv.AppendUint(p.scratch[:0], uint64(major), 10)
	b = append(b, '.')
	return strconv.AppendUint(b, uint64(minor), 10)
}

// identityFacts reports what an identity reply says about the device on side. Repeats of the
// same identity on a flow are not reported again.
func (p *parser) identityFacts(side dissect.Dir, id *identity, mask int, src string) {
	sig := uint64(mask)<<56 ^ uint64(id.vendor)<<40 ^ uint64(id.productCode)<<24 ^
		uint64(id.major)<<16 ^ uint64(id.minor)<<8 ^ uint64(id.serial)*0x9E3779B97F4A7C15 ^ uint64(len(id.name))
	if mask&(idState) != 0 {
		sig ^= uint64(id.state) << 4
	}
	if sig == p.idSig[side] {
		return
	}
	p.idSig[side] = sig
	e := p.env
	if mask&idVendor != 0 {
		e.Fact(side, dissect.AttrVendorID, strconv.FormatUint(uint64(id.vendor), 10), src+".vendor_id")
		e.Fact(side, dissect.AttrVendor, vendorName(id.vendor), src+".vendor_name")
	}
	if mask&idDeviceType != 0 {
		n := deviceTypeName(id.deviceType)
		if n == "unknown" {
			n = strconv.FormatUint(uint64(id.deviceType), 10)
		}
		e.Fact(side, dissect.AttrDeviceType, n, src+".device_type_name")
	}
	if mask&idProductCode != 0 {
		e.Fact(side, dissect.AttrProductCode, strconv.FormatUint(uint64(id.productCode), 10), src+".product_code")
	}
	if mask&idRevision != 0 {
		e.Fact(side, dissect.AttrFirmware, string(p.revision(id.major, id.minor)), src+".revision")
	}
	if mask&idSerial != 0 {
		e.Fact(side, dissect.AttrSerial, string(p.hexName("", uint64(id.serial), 8)), src+".serial_number")
	}
	if mask&idName != 0 && len(id.name) > 0 {
		e.Fact(side, dissect.AttrModel, string(id.name), src+".product_name")
	}
	if (mask&idState != 0 || id.hasState) && (id.state == 4 || id.state == 5) {
		e.Event(side, dissect.EvDeviceFlag, "identity state major fault")
	}
}

// identityReply decodes replies from the Identity object (class 0x01) by the service asked.
func (p *parser) identityReply(dir dissect.Dir, m *msg, req *subReq) {
	if req == nil || (req.hasInst && req.instance == 0) {
		return // class-level attributes
	}
	var id identity
	r := wire.New(m.data)
	switch req.code {
	case svcGetAttributesAll:
		if !parseIdentityAttrs(&r, &id) {
			p.env.Weird("cip_truncated", "Identity Get_Attributes_All")
			return
		}
		p.logIdentity(dir, &id)
		mask := idAll
		if id.hasState {
			mask |= idState
		}
		p.identityFacts(dir, &id, mask, "cip_identity")
	case svcGetAttributeSingle:
		if !req.hasAttr {
			return
		}
		if mask := identityAttr(&r, &id, req.attr); mask != 0 {
			p.identityFacts(dir, &id, mask, "cip.identity")
		}
	case svcGetAttributeList:
		n := r.U16LE()
		mask := 0
		for i := 0; i < int(n) && r.Err() == nil; i++ {
			attr := r.U16LE()
			st := r.U16LE()
			if r.Err() != nil {
				break
			}
			if st != 0 {
				continue // no value follows a failed attribute
			}
			got := identityAttr(&r, &id, uint32(attr))
			if got == 0 {
				break // unknown size: the rest cannot be delimited
			}
			mask |= got
		}
		if mask != 0 {
			p.identityFacts(dir, &id, mask, "cip.identity")
		}
	}
}

// identityAttr reads one Identity instance attribute into id and returns its mask bit, or 0.
func identityAttr(r *wire.Reader, id *identity, attr uint32) int {
	var m int
	switch attr {
	case 1:
		id.vendor, m = r.U16LE(), idVendor
	case 2:
		id.deviceType, m = r.U16LE(), idDeviceType
	case 3:
		id.productCode, m = r.U16LE(), idProductCode
	case 4:
		id.major = r.U8()
		id.minor = r.U8()
		m = idRevision
	case 5:
		id.status, m = r.U16LE(), idStatus
	case 6:
		id.serial, m = r.U32LE(), idSerial
	case 7:
		n := r.U8()
		id.name, m = r.Bytes(int(n)), idName
	case 8:
		id.state, id.hasState, m = r.U8(), true, idState
	}
	if r.Err() != nil {
		return 0
	}
	return m
}
