package cdp

import (
	"bytes"
	"strings"

	"github.com/quietwire/quietwire/dissect"
)

const logCDP = "cdp"

// parser handles one (source MAC, destination MAC, VLAN) CDP pseudo-flow: one sender's
// advertisements on one port.
type parser struct {
	env      *dissect.Env
	p        pdu
	lastHash uint64 // hash of the last advertisement whose facts were sent
	reported uint8  // problem bits already reported on this pseudo-flow
	// Address strings of the last advertisement, rebuilt only when it changes.
	addrStr, mgmtStr []string
}

func newParser(env *dissect.Env) dissect.Parser { return &parser{env: env} }

// Parse decodes one CDP advertisement (the bytes after the SNAP header).
func (s *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	env, p := s.env, &s.p
	parse(b, p)
	if new := p.problems &^ s.reported; new != 0 {
		s.reported |= new
		s.weirds(new, len(b))
	}
	if p.problems&probVersion != 0 || len(b) < headerLen {
		return len(b), nil
	}
	env.PDU()
	changed := false
	if sum := hash(b[headerLen:]); sum != s.lastHash {
		s.lastHash, changed = sum, true
		s.addrStr, s.mgmtStr = s.addrStr[:0], s.mgmtStr[:0]
		for _, a := range p.addrs[:p.nAddrs] {
			s.addrStr = append(s.addrStr, a.String())
		}
		for _, a := range p.mgmt[:p.nMgmt] {
			s.mgmtStr = append(s.mgmtStr, a.String())
		}
	}
	s.log()
	if changed {
		s.facts()
	}
	return len(b), nil
}

func (s *parser) weirds(bits uint8, n int) {
	env := s.env
	if bits&probTruncated != 0 {
		env.Weird(weirdTruncated, "TLV or header beyond the frame")
	}
	if bits&probVersion != 0 {
		env.Weird(weirdBadVersion, "version is neither 1 nor 2")
	}
	if bits&probBadTLV != 0 {
		env.Weird(weirdBadTLV, "TLV length impossible for its type")
	}
	if bits&probTooMany != 0 {
		env.Weird(weirdTooMany, "more than 8 addresses in one TLV")
	}
}

// log writes the cdp.log record of s.p.
func (s *parser) log() {
	env, p := s.env, &s.p
	r := env.LogBare(logCDP).Str("uid", env.Flow.UID)
	r.MAC("src_mac", env.Flow.Orig.MAC).MAC("dst_mac", env.Flow.Resp.MAC)
	if env.Flow.VLAN != 0 {
		r.Uint("vlan", uint64(env.Flow.VLAN))
	}
	r.Uint("version", uint64(p.version)).Uint("ttl", uint64(p.ttl))
	if p.has&hasDeviceID != 0 {
		r.Bytes("device_id", p.deviceID)
	}
	if len(s.addrStr) > 0 {
		r.Array("addresses")
		for _, a := range s.addrStr {
			r.ElemStr(a)
		}
		r.End()
	}
	if p.has&hasPortID != 0 {
		r.Bytes("port_id", p.portID)
	}
	if p.has&hasCaps != 0 {
		r.Array("capabilities")
		for i, n := range capNames {
			if p.caps&(1<<i) != 0 {
				r.ElemStr(n)
			}
		}
		r.End()
	}
	if p.has&hasSoftware != 0 {
		r.Bytes("software_version", p.software)
	}
	if p.has&hasPlatform != 0 {
		r.Bytes("platform", p.platform)
	}
	if p.has&hasNativeVLAN != 0 {
		r.Uint("native_vlan", uint64(p.nativeVLAN))
	}
	if p.has&hasDuplex != 0 {
		d := "half"
		if p.fullDuplex {
			d = "full"
		}
		r.Str("duplex", d)
	}
	if p.has&hasVTP != 0 {
		r.Bytes("vtp_domain", p.vtpDomain)
	}
	if p.has&hasSystemName != 0 {
		r.Bytes("system_name", p.systemName)
	}
	if len(s.mgmtStr) > 0 {
		r.Array("mgmt_addresses")
		for _, a := range s.mgmtStr {
			r.ElemStr(a)
		}
		r.End()
	}
	if p.otherAddrs > 0 {
		r.Uint("other_addresses", uint64(p.otherAddrs))
	}
	r.Done()
}

// facts describes the sender (Orig) from the advertisement in s.p.
func (s *parser) facts() {
	env, p := s.env, &s.p
	if p.has&hasDeviceID != 0 {
		env.Fact(dissect.Orig, dissect.AttrHostname, string(p.deviceID), "cdp.device_id")
	}
	if p.has&hasPlatform != 0 {
		env.Fact(dissect.Orig, dissect.AttrModel, string(p.platform), "cdp.platform")
	}
	if p.has&hasSoftware != 0 {
		line := versionLine(p.software)
		env.Fact(dissect.Orig, dissect.AttrSoftware, string(line), "cdp.software_version")
		env.Fact(dissect.Orig, dissect.AttrFirmware, string(versionNumber(line)), "cdp.software_version")
	}
	if isCisco(p.platform) || isCisco(p.software) {
		env.Fact(dissect.Orig, dissect.AttrVendor, "Cisco", "cdp.platform")
	}
	if p.has&hasCaps != 0 {
		env.Fact(dissect.Orig, dissect.AttrDeviceType, deviceType(p.caps), "cdp.capabilities")
	}
	for _, a := range s.addrStr {
		env.Fact(dissect.Orig, dissect.AttrIP, a, "cdp.addresses")
	}
	for _, a := range s.mgmtStr {
		env.Fact(dissect.Orig, dissect.AttrIP, a, "cdp.mgmt_addresses")
	}
	if p.has&hasPortID != 0 {
		env.Fact(dissect.Orig, "switch_port", string(p.portID), "cdp.port_id")
	}
}

// versionLine returns the line of a multi-line software version TLV that holds the
// version ("IOS (tm) 1600 Software (C1600-NY-L), Version 11.2(12)P, RELEASE SOFTWARE
// (fc1)"), or the first line.
func versionLine(sw []byte) []byte {
	first := sw
	for i, line := range bytes.Split(sw, []byte{'\n'}) {
		line = bytes.TrimSpace(line)
		if i == 0 {
			first = line
		}
		if bytes.Contains(line, []byte("Version ")) {
			return line
		}
	}
	return first
}

// versionNumber extracts "11.2(12)P" from "..., Version 11.2(12)P, RELEASE ...", or nil.
func versionNumber(line []byte) []byte {
	i := bytes.Index(line, []byte("Version "))
	if i < 0 {
		return nil
	}
	v := line[i+len("Version "):]
	if j := bytes.IndexAny(v, ", "); j >= 0 {
		v = v[:j]
	}
	return v
}

func isCisco(b []byte) bool {
	return len(b) >= 5 && strings.EqualFold(string(b[:5]), "cisco")
}

// hash is FNV-1a: equal advertisements (a switch repeating itself) hash alike.
func hash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// Gap is meaningless for frames.
func (s *parser) Gap(dir dissect.Dir, lost int) {}

// Close has nothing pending: every advertisement is logged when parsed.
func (s *parser) Close() {}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
