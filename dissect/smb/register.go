package smb

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "smb",
		Transport: dissect.TCP,
		Ports:     []uint16{445, 139, 135},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logMapping, logFiles, logNTLM, logDCERPC, "weird"},
	})
}

// Probe recognises, from the first bytes of one direction:
//   - a NetBIOS session message (type 0, 24-bit length) carrying an SMB1/SMB2/SMB3 header
//     (\xffSMB, \xfeSMB, \xfdSMB, \xfcSMB), as on TCP 445 and after session setup on 139;
//   - a NetBIOS session request (type 0x81) with two encoded NetBIOS names (TCP 139);
//   - a DCE/RPC v5 bind or alter_context PDU (client) or bind_ack (server) on any port.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) == 0 {
		return dissect.NeedMore
	}
	switch b[0] {
	case 0x00:
		if len(b) < 8 {
			if len(b) >= 5 && b[4] != 0xff && b[4] != 0xfe && b[4] != 0xfd && b[4] != 0xfc {
				return dissect.NoMatch
			}
			return dissect.NeedMore
		}
		n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
		if !isSMBMagic(b[4:8]) || n < 32 && b[4] == 0xff || n < 64 && b[4] == 0xfe {
			return dissect.NoMatch
		}
		return dissect.Match
	case 0x81:
		// Session request: length 68 for two level-1 encoded names ("\x20" + 32 letters A-P + NUL).
		if len(b) < 4 {
			return dissect.NeedMore
		}
		if b[1]&0xfe != 0 {
			return dissect.NoMatch
		}
		if len(b) < 8 {
			return dissect.NeedMore
		}
		if b[4] != 0x20 {
			return dissect.NoMatch
		}
		for _, c := range b[5:min(len(b), 37)] {
			if c < 'A' || c > 'P' {
				return dissect.NoMatch
			}
		}
		if len(b) < 37 {
			return dissect.NeedMore
		}
		return dissect.Match
	case 0x82, 0x85:
		if len(b) >= 4 && (b[1] != 0 || b[2] != 0 || b[3] != 0) {
			return dissect.NoMatch
		}
		return dissect.NeedMore
	case 0x05:
		return probeRPC(dir, b)
	}
	return dissect.NoMatch
}

func probeRPC(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < rpcHeaderLen {
		if len(b) >= 2 && b[1] > 1 {
			return dissect.NoMatch
		}
		return dissect.NeedMore
	}
	if !plausibleRPC(b) {
		return dissect.NoMatch
	}
	ptype := b[2]
	le := b[4]&0x10 != 0
	n := int(rpcU16(b, 8, le))
	switch {
	case (ptype == rpcBind || ptype == rpcAlter) && dir == dissect.Orig:
		if n < 28+44 || n > 8192 {
			return dissect.NoMatch
		}
		if len(b) < 29 {
			return dissect.NeedMore
		}
		if k := int(b[24]); k == 0 || 28+44*k > n {
			return dissect.NoMatch
		}
	case ptype == rpcBindAck && dir == dissect.Resp:
		if n < 28 || n > 8192 {
			return dissect.NoMatch
		}
	default:
		return dissect.NoMatch
	}
	if len(b) < n {
		return dissect.NeedMore
	}
	return dissect.Match
}
