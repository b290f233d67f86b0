package lldp

import "github.com/quietwire/quietwire/dissect"

const logLLDP = "lldp"

// parser handles one (source MAC, destination MAC, VLAN) LLDP pseudo-flow: one sender's
// LLDPDUs on one port.
type parser struct {
	env      *dissect.Env
	p        pdu
	lastHash uint64 // hash of the last LLDPDU whose facts were sent
	// Strings of the last LLDPDU's repeated values, rebuilt only when the LLDPDU changes
	// (array elements are strings: building them per frame would allocate).
	mgmtStr, vlanStr []string
	reported         uint8 // problem bits already reported on this pseudo-flow
}

func newParser(env *dissect.Env) dissect.Parser { return &parser{env: env} }

// Parse decodes one LLDPDU (the bytes after the Ethertype).
func (s *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	env := s.env
	p := &s.p
	parse(b, p)
	if new := p.problems &^ s.reported; new != 0 {
		s.reported |= new
		s.weirds(new)
	}
	if p.has&(hasChassis|hasPort) == 0 {
		return len(b), nil // nothing identifies the sender: not an LLDPDU worth a line
	}
	env.PDU()
	changed := false
	if sum := hash(b); sum != s.lastHash {
		s.lastHash, changed = sum, true
		s.mgmtStr, s.vlanStr = s.mgmtStr[:0], s.vlanStr[:0]
		for _, a := range p.mgmt[:p.nMgmt] {
			s.mgmtStr = append(s.mgmtStr, a.String())
		}
		for _, n := range p.vlanNames[:p.nVLAN] {
			s.vlanStr = append(s.vlanStr, string(n))
		}
	}
	s.log()
	if changed {
		s.facts()
	}
	return len(b), nil
}

func (s *parser) weirds(bits uint8) {
	p := &s.p
	names := [...]string{weirdTruncated, weirdMandatory, weirdBadTLV, weirdDuplicate, weirdTooManyAddresses}
	for i, n := range names {
		if bits&(1<<i) != 0 {
			addl := ""
			if p.first == 1<<i { // the frame's first problem carries the detail
				addl = p.detail
			}
			s.env.Weird(n, addl)
		}
	}
}

// log writes the lldp.log record of s.p.
func (s *parser) log() {
	env, p := s.env, &s.p
	r := env.LogBare(logLLDP).Str("uid", env.Flow.UID)
	r.MAC("src_mac", env.Flow.Orig.MAC).MAC("dst_mac", env.Flow.Resp.MAC)
	if env.Flow.VLAN != 0 {
		r.Uint("vlan", uint64(env.Flow.VLAN))
	}
	if p.has&hasChassis != 0 {
		r.Str("chassis_id_subtype", chassisSubtypeName(p.chassisSub))
		idField(r, "chassis_id", true, p.chassisSub, p.chassisID)
	}
	if p.has&hasPort != 0 {
		r.Str("port_id_subtype", portSubtypeName(p.portSub))
		idField(r, "port_id", false, p.portSub, p.portID)
	}
	if p.has&hasTTL != 0 {
		r.Uint("ttl", uint64(p.ttl))
	}
	if p.has&hasPortDesc != 0 {
		r.Bytes("port_description", p.portDesc)
	}
	if p.has&hasSysName != 0 {
		r.Bytes("system_name", p.sysName)
	}
	if p.has&hasSysDesc != 0 {
		r.Bytes("system_description", p.sysDesc)
	}
	if p.has&hasCaps != 0 {
		capsField(r, "capabilities", p.sysCaps)
		capsField(r, "enabled_capabilities", p.enCaps)
	}
	if p.nMgmt > 0 {
		r.Array("mgmt_addresses")
		for _, a := range s.mgmtStr {
			r.ElemStr(a)
		}
		r.End()
	}
	if p.has&hasPVID != 0 {
		r.Uint("port_vlan_id", uint64(p.pvid))
	}
	if p.nVLAN > 0 {
		r.Array("vlan_ids")
		for _, v := range p.vlanIDs[:p.nVLAN] {
			r.ElemUint(uint64(v))
		}
		r.End()
		r.Array("vlan_names")
		for _, n := range s.vlanStr {
			r.ElemStr(n)
		}
		r.End()
	}
	if p.has&hasMACPHY != 0 {
		r.Bool("autoneg_supported", p.autonegSupported).Bool("autoneg_enabled", p.autonegEnabled)
		r.Uint("mau_type", uint64(p.mau))
	}
	if p.has&hasMaxFrame != 0 {
		r.Uint("max_frame_size", uint64(p.maxFrame))
	}
	if p.vendorTLVs > 0 {
		r.Uint("vendor_tlvs", uint64(p.vendorTLVs))
	}
	r.Done()
}

// hash is FNV-1a over the LLDPDU: equal frames (a switch repeating itself) hash alike.
func hash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// idField writes a chassis or port id: a MAC or IP for those subtypes, else the text.
func idField(r *dissect.Record, k string, chassis bool, sub uint8, v []byte) {
	switch kind, a := idValue(chassis, sub, v); kind {
	case idMAC:
		r.MAC(k, [6]byte(v))
	case idAddr:
		r.Addr(k, a)
	default:
		r.Bytes(k, v)
	}
}

// idString spells a chassis or port id for a fact (allocates: facts are rare).
func idString(chassis bool, sub uint8, v []byte) string {
	switch kind, a := idValue(chassis, sub, v); kind {
	case idMAC:
		return string(dissect.AppendMAC(nil, [6]byte(v)))
	case idAddr:
		return a.String()
	}
	return string(v)
}

func capsField(r *dissect.Record, k string, caps uint16) {
	r.Array(k)
	for i, n := range capNames {
		if caps&(1<<i) != 0 {
			r.ElemStr(n)
		}
	}
	r.End()
}

// facts describes the sender (the frame's source, Orig) from the LLDPDU in s.p.
func (s *parser) facts() {
	env, p := s.env, &s.p
	if p.has&hasSysName != 0 {
		env.Fact(dissect.Orig, dissect.AttrHostname, string(p.sysName), "lldp.system_name")
	}
	if p.has&hasSysDesc != 0 {
		env.Fact(dissect.Orig, dissect.AttrSoftware, string(p.sysDesc), "lldp.system_description")
	}
	if p.has&hasCaps != 0 {
		caps, field := p.enCaps, "lldp.enabled_capabilities"
		if caps == 0 {
			caps, field = p.sysCaps, "lldp.capabilities"
		}
		env.Fact(dissect.Orig, dissect.AttrDeviceType, deviceType(caps), field)
	}
	for _, a := range s.mgmtStr {
		env.Fact(dissect.Orig, dissect.AttrIP, a, "lldp.mgmt_address")
	}
	if p.has&hasChassis != 0 {
		if kind, _ := idValue(true, p.chassisSub, p.chassisID); kind == idMAC {
			env.Fact(dissect.Orig, dissect.AttrMAC, idString(true, p.chassisSub, p.chassisID), "lldp.chassis_id")
		}
	}
	if p.has&hasPort != 0 {
		env.Fact(dissect.Orig, "switch_port", idString(false, p.portSub, p.portID), "lldp.port_id")
	}
}

// Gap is meaningless for frames.
func (s *parser) Gap(dir dissect.Dir, lost int) {}

// Close has nothing pending: every LLDPDU is logged when parsed.
func (s *parser) Close() {}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
