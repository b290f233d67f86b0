package pndcp

import "net/netip"

// dcp is one decoded DCP PDU. Slices alias the frame.
type dcp struct {
	frameID      uint16
	service      uint8
	serviceType  uint8
	xid          uint32
	delay        uint16 // ResponseDelayFactor (Identify request) or reserved
	name         []byte // NameOfStation (a filter in an Identify request)
	alias        []byte
	typeOfSt     []byte // DeviceVendorValue ("S7-1500", …)
	vendorID     uint16
	deviceID     uint16
	hasIDs       bool
	role         uint8
	hasRole      bool
	ip, mask, gw netip.Addr
	mac          [6]byte
	hasMAC       bool
	control      uint8 // last Control suboption seen (Set request)
	blockError   uint8 // Set response
	hasError     bool
	all          bool // All selector (Identify All)
	opts         [maxOptions][2]uint8
	nopts        int
	malformed    bool
}

func (d *dcp) addOpt(opt, sub uint8) {
	if d.nopts < maxOptions {
		d.opts[d.nopts] = [2]uint8{opt, sub}
		d.nopts++
	}
}

// parseDCP decodes a DCP PDU (after the frame id). It returns false when the header is
// short; block-level problems set d.malformed and keep what was decoded before them.
func (d *dcp) parse(b []byte) bool {
	if len(b) < 10 {
		return false
	}
	d.service, d.serviceType = b[0], b[1]
	d.xid = uint32(b[2])<<24 | uint32(b[3])<<16 | uint32(b[4])<<8 | uint32(b[5])
	d.delay = uint16(b[6])<<8 | uint16(b[7])
	n := int(b[8])<<8 | int(b[9])
	data := b[10:]
	if n > len(data) {
		d.malformed = true
	} else {
		data = data[:n]
	}
	response := d.serviceType&0x01 != 0
	if d.service == svcGet && !response {
		// Get.req: a list of Option/Suboption pairs.
		for len(data) >= 2 {
			d.addOpt(data[0], data[1])
			data = data[2:]
		}
		return true
	}
	// Blocks carry a BlockInfo (responses, Hello) or a BlockQualifier (Set.req) before their
	// data; Identify.req filters and the Set response's Control/Response block do not.
	info := d.service == svcHello || (response && (d.service == svcIdentify || d.service == svcGet)) ||
		(d.service == svcSet && !response)
	for len(data) > 0 {
		if len(data) < 4 {
			d.malformed = true
			break
		}
		opt, sub := data[0], data[1]
		l := int(data[2])<<8 | int(data[3])
		if 4+l > len(data) {
			d.malformed = true
			break
		}
		v := data[4 : 4+l]
		next := 4 + l + l&1 // blocks are padded to an even length
		if next > len(data) {
			next = len(data)
		}
		data = data[next:]
		d.addOpt(opt, sub)
		if opt == optAll && sub == 0xFF {
			d.all = true
			continue
		}
		if info && !(opt == optControl && sub == 4) {
			if len(v) < 2 {
				d.malformed = true
				continue
			}
			v = v[2:]
		}
		d.block(opt, sub, v)
	}
	return true
}

// block stores the value of one block.
func (d *dcp) block(opt, sub uint8, v []byte) {
	switch {
	case opt == optIP && sub == 1 && len(v) >= 6:
		copy(d.mac[:], v)
		d.hasMAC = true
	case opt == optIP && (sub == 2 || sub == 3) && len(v) >= 12:
		d.ip = netip.AddrFrom4([4]byte(v[0:4]))
		d.mask = netip.AddrFrom4([4]byte(v[4:8]))
		d.gw = netip.AddrFrom4([4]byte(v[8:12]))
	case opt == optDevice && sub == 1:
		d.typeOfSt = v
	case opt == optDevice && sub == 2:
		d.name = v
	case opt == optDevice && sub == 3 && len(v) >= 4:
		d.vendorID = uint16(v[0])<<8 | uint16(v[1])
		d.deviceID = uint16(v[2])<<8 | uint16(v[3])
		d.hasIDs = true
	case opt == optDevice && sub == 4 && len(v) >= 1:
		d.role, d.hasRole = v[0], true
	case opt == optDevice && sub == 6:
		d.alias = v
	case opt == optControl && sub == 4 && len(v) >= 3:
		d.blockError, d.hasError = v[2], true
	case opt == optControl:
		d.control = sub
	}
}

// rtTrailer reads the APDU status at the end of a cyclic frame: CycleCounter, DataStatus,
// TransferStatus.
func rtTrailer(b []byte) (cycle uint16, status uint8, ok bool) {
	if len(b) < 4 {
		return 0, 0, false
	}
	t := b[len(b)-4:]
	return uint16(t[0])<<8 | uint16(t[1]), t[2], true
}

// DataStatus bits (IEC 61158-6-10 §4.7.2.1.3).
const (
	dsDataValid     = 0x04 // 1: valid
	dsProviderRun   = 0x10 // 1: RUN, 0: STOP
	dsStationNormal = 0x20 // 1: no problem, 0: problem detected
)
