package smb

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func u16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// utf16le encodes s as UTF-16LE without terminator.
func utf16le(s string) []byte {
	var b []byte
	for _, r := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, r)
	}
	return b
}

// nbss frames an SMB message as a NetBIOS session message (type 0, 24-bit length).
func nbss(msg []byte) []byte {
	n := len(msg)
	return append([]byte{0, byte(n >> 16), byte(n >> 8), byte(n)}, msg...)
}

// smb2Msg builds one SMB2 message: the 64-byte header then body (whose offsets, when it
// has any, count from the header start, i.e. 64 + position in body).
func smb2Msg(cmd uint16, mid uint64, resp bool, status uint32, tid uint32, body []byte) []byte {
	flags := uint32(0)
	if resp {
		flags = smb2FlagResponse
	}
	h := cat(
		[]byte{0xfe, 'S', 'M', 'B'}, // ProtocolId
		u16(64),                     // StructureSize
		u16(1),                      // CreditCharge
		u32(status),                 // Status
		u16(cmd),                    // Command
		u16(1),                      // Credits
		u32(flags),                  // Flags
		u32(0),                      // NextCommand
		u64(mid),                    // MessageId
		u32(0xfeff),                 // ProcessId
		u32(tid),                    // TreeId
		u64(0x4000000001),           // SessionId
		make([]byte, 16),            // Signature
	)
	return append(h, body...)
}

func fileIDBytes(p, v uint64) []byte { return cat(u64(p), u64(v)) }

// SMB2 bodies used across tests.
func treeConnectReq(path string) []byte {
	p := utf16le(path)
	return cat(u16(9), u16(0), u16(64+8), u16(uint16(len(p))), p)
}

func treeConnectResp(shareType byte) []byte {
	return cat(u16(16), []byte{shareType, 0}, u32(0), u32(0), u32(0x1f01ff))
}

func createReq(name string, options uint32) []byte {
	n := utf16le(name)
	b := cat(u16(57), []byte{0, 0}, u32(2), u64(0), u64(0),
		u32(0x0012019f), // DesiredAccess
		u32(0x80),       // FileAttributes
		u32(7),          // ShareAccess
		u32(1),          // CreateDisposition FILE_OPEN
		u32(options),    // CreateOptions
		u16(64+56),      // NameOffset
		u16(uint16(len(n))),
		u32(0), u32(0))
	return append(b, n...)
}

const (
	ftCreated  = 132537000000000000 // 2020-12-29T07:20:00Z
	ftModified = 132537036000000000 // one hour later
)

func createResp(persistent, volatile, size uint64) []byte {
	return cat(u16(89), []byte{0, 0}, u32(1),
		u64(ftCreated), u64(ftModified), u64(ftModified), u64(ftModified),
		u64(4096), u64(size), u32(0x20), u32(0),
		fileIDBytes(persistent, volatile), u32(0), u32(0))
}

func readReq(persistent, volatile uint64) []byte {
	return cat(u16(49), []byte{0x50, 0}, u32(4096), u64(0), fileIDBytes(persistent, volatile),
		u32(1), u32(0), u32(0), u16(0), u16(0), []byte{0})
}

func readResp(data []byte) []byte {
	return cat(u16(17), []byte{64 + 16, 0}, u32(uint32(len(data))), u32(0), u32(0), data)
}

func writeReq(persistent, volatile uint64, data []byte) []byte {
	return cat(u16(49), u16(64+48), u32(uint32(len(data))), u64(0), fileIDBytes(persistent, volatile),
		u32(0), u32(0), u16(0), u16(0), u32(0), data)
}

func closeReq(persistent, volatile uint64) []byte {
	return cat(u16(24), u16(0), u32(0), fileIDBytes(persistent, volatile))
}

func ioctlReq(persistent, volatile uint64, in []byte) []byte {
	return cat(u16(57), u16(0), u32(fsctlPipeTransceive), fileIDBytes(persistent, volatile),
		u32(64+56), u32(uint32(len(in))), u32(0), u32(0), u32(0), u32(4280), u32(1), u32(0), in)
}

func ioctlResp(persistent, volatile uint64, out []byte) []byte {
	return cat(u16(49), u16(0), u32(fsctlPipeTransceive), fileIDBytes(persistent, volatile),
		u32(64+48), u32(0), u32(64+48), u32(uint32(len(out))), u32(0), u32(0), out)
}

func setInfoReq(persistent, volatile uint64, class byte, buf []byte) []byte {
	return cat(u16(33), []byte{1, class}, u32(uint32(len(buf))), u16(64+32), u16(0), u32(0),
		fileIDBytes(persistent, volatile), buf)
}

func sessionSetupReq(blob []byte) []byte {
	return cat(u16(25), []byte{0, 1}, u32(1), u32(0), u16(64+24), u16(uint16(len(blob))), u64(0), blob)
}

func sessionSetupResp(blob []byte) []byte {
	return cat(u16(9), u16(0), u16(64+8), u16(uint16(len(blob))), blob)
}

func negotiateResp(dialect uint16) []byte {
	return cat(u16(65), u16(1), u16(dialect), u16(0), make([]byte, 16), u32(0x2f),
		u32(65536), u32(65536), u32(65536), u64(0), u64(0), u16(0), u16(0), u32(0))
}

// NTLMSSP messages ([MS-NLMP] 2.2.1).
func ntlmNegotiate() []byte {
	return cat([]byte("NTLMSSP\x00"), u32(1), u32(0xe2088297), make([]byte, 16))
}

func avPair(id uint16, s string) []byte {
	v := utf16le(s)
	return cat(u16(id), u16(uint16(len(v))), v)
}

func ntlmChallenge() []byte {
	ti := cat(avPair(2, "PLANT"), avPair(1, "HMI01"), avPair(4, "plant.local"),
		avPair(3, "hmi01.plant.local"), avPair(5, "plant.local"), u32(0))
	tn := utf16le("PLANT")
	const payload = 56
	return cat([]byte("NTLMSSP\x00"), u32(2),
		u16(uint16(len(tn))), u16(uint16(len(tn))), u32(payload), // TargetName
		u32(0xe2898215),                                                          // NegotiateFlags (unicode, version)
		[]byte{1, 2, 3, 4, 5, 6, 7, 8},                                           // ServerChallenge
		make([]byte, 8),                                                          // Reserved
		u16(uint16(len(ti))), u16(uint16(len(ti))), u32(payload+uint32(len(tn))), // TargetInfo
		[]byte{10, 0, 0x61, 0x4a, 0, 0, 0, 15}, // Version 10.0 build 19041
		tn, ti)
}

func ntlmAuthenticate(domain, user, host string) []byte {
	d, u, h := utf16le(domain), utf16le(user), utf16le(host)
	nt := make([]byte, 24)
	const payload = 88
	off := uint32(payload)
	sb := func(b []byte) []byte {
		r := cat(u16(uint16(len(b))), u16(uint16(len(b))), u32(off))
		off += uint32(len(b))
		return r
	}
	lmB, ntB, dB, uB, hB, kB := sb(nil), sb(nt), sb(d), sb(u), sb(h), sb(nil)
	return cat([]byte("NTLMSSP\x00"), u32(3), lmB, ntB, dB, uB, hB, kB,
		u32(0xe2888215), []byte{10, 0, 0x61, 0x4a, 0, 0, 0, 15}, make([]byte, 16),
		nt, d, u, h)
}

// DCE/RPC PDUs (C706 12.6).
func rpcHdr(ptype, flags byte, callID uint32, body []byte) []byte {
	n := 16 + len(body)
	return cat([]byte{5, 0, ptype, flags, 0x10, 0, 0, 0}, u16(uint16(n)), u16(0), u32(callID), body)
}

func rpcBindPDU(callID uint32, uuid string, ver uint16) []byte {
	u, _ := parseUUID(uuid)
	ndr, _ := parseUUID("8a885d04-1ceb-11c9-9fe8-08002b104860")
	body := cat(u16(4280), u16(4280), u32(0), []byte{1, 0, 0, 0},
		u16(0), []byte{1, 0}, u[:], u16(ver), u16(0), ndr[:], u32(2))
	return rpcHdr(rpcBind, 3, callID, body)
}

func rpcBindAckPDU(callID uint32, secAddr string) []byte {
	sa := append([]byte(secAddr), 0)
	body := cat(u16(4280), u16(4280), u32(0x1234), u16(uint16(len(sa))), sa)
	for (16+len(body))%4 != 0 {
		body = append(body, 0)
	}
	ndr, _ := parseUUID("8a885d04-1ceb-11c9-9fe8-08002b104860")
	body = cat(body, []byte{1, 0, 0, 0}, u16(0), u16(0), ndr[:], u32(2))
	return rpcHdr(rpcBindAck, 3, callID, body)
}

func rpcRequestPDU(callID uint32, opnum uint16, stub []byte) []byte {
	return rpcHdr(rpcRequest, 3, callID, cat(u32(uint32(len(stub))), u16(0), u16(opnum), stub))
}

func rpcResponsePDU(callID uint32, stub []byte) []byte {
	return rpcHdr(rpcResponse, 3, callID, cat(u32(uint32(len(stub))), u16(0), []byte{0, 0}, stub))
}

// step is one chunk fed to the parser.
type step struct {
	dir dissect.Dir
	b   []byte
}

func c2s(b []byte) step { return step{dissect.Orig, b} }
func s2c(b []byte) step { return step{dissect.Resp, b} }

// run feeds steps through a Stream (engine buffering semantics) on a flow to port, closes
// the parser and returns what it emitted.
func run(t testing.TB, port uint16, steps ...step) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("smb", dissecttest.Flow(6, port))
	s := &dissecttest.Stream{P: newParser(env)}
	for i, st := range steps {
		env.TS += 1000_000 // 1 ms per step
		if err := s.Write(t, st.dir, st.b); err != nil {
			t.Fatalf("step %d: Parse: %v", i, err)
		}
	}
	s.P.Close()
	return c
}

func fact(c *dissecttest.Capture, side dissect.Dir, attr string) []string {
	var out []string
	for _, f := range c.Facts {
		if f.Side == side && f.Attr == attr {
			out = append(out, f.Value)
		}
	}
	return out
}

// session is a typical SMB 3.1.1 session: negotiate, NTLM authentication, a tree connect to
// a disk share, a file opened, read and closed, then IPC$ and a srvsvc call over the pipe.
func session() []step {
	return []step{
		c2s(nbss(smb2Msg(smb2Negotiate, 0, false, 0, 0, cat(u16(36), u16(2), u16(1), u16(0), u32(0), make([]byte, 16), u64(0), u16(0x0302), u16(0x0311))))),
		s2c(nbss(smb2Msg(smb2Negotiate, 0, true, 0, 0, negotiateResp(0x0311)))),
		c2s(nbss(smb2Msg(smb2SessionSetup, 1, false, 0, 0, sessionSetupReq(ntlmNegotiate())))),
		s2c(nbss(smb2Msg(smb2SessionSetup, 1, true, statusMoreProcessing, 0, sessionSetupResp(ntlmChallenge())))),
		c2s(nbss(smb2Msg(smb2SessionSetup, 2, false, 0, 0, sessionSetupReq(ntlmAuthenticate("PLANT", "operator", "ENG-WS1"))))),
		s2c(nbss(smb2Msg(smb2SessionSetup, 2, true, 0, 0, sessionSetupResp(nil)))),
		c2s(nbss(smb2Msg(smb2TreeConnect, 3, false, 0, 0, treeConnectReq(`\\hmi01\recipes`)))),
		s2c(nbss(smb2Msg(smb2TreeConnect, 3, true, 0, 5, treeConnectResp(1)))),
		c2s(nbss(smb2Msg(smb2Create, 4, false, 0, 5, createReq(`line1\batch.csv`, 0)))),
		s2c(nbss(smb2Msg(smb2Create, 4, true, 0, 5, createResp(0x11, 0x22, 1234)))),
		c2s(nbss(smb2Msg(smb2Read, 5, false, 0, 5, readReq(0x11, 0x22)))),
		s2c(nbss(smb2Msg(smb2Read, 5, true, 0, 5, readResp([]byte("a,b,c\n"))))),
		c2s(nbss(smb2Msg(smb2Close, 6, false, 0, 5, closeReq(0x11, 0x22)))),
		c2s(nbss(smb2Msg(smb2TreeConnect, 7, false, 0, 0, treeConnectReq(`\\hmi01\IPC$`)))),
		s2c(nbss(smb2Msg(smb2TreeConnect, 7, true, 0, 9, treeConnectResp(2)))),
		c2s(nbss(smb2Msg(smb2Create, 8, false, 0, 9, createReq("srvsvc", 0)))),
		s2c(nbss(smb2Msg(smb2Create, 8, true, 0, 9, createResp(0x33, 0x44, 0)))),
		c2s(nbss(smb2Msg(smb2Write, 9, false, 0, 9, writeReq(0x33, 0x44, rpcBindPDU(1, "4b324fc8-1670-01d3-1278-5a47bf6ee188", 3))))),
		c2s(nbss(smb2Msg(smb2Read, 10, false, 0, 9, readReq(0x33, 0x44)))),
		s2c(nbss(smb2Msg(smb2Read, 10, true, 0, 9, readResp(rpcBindAckPDU(1, `\PIPE\srvsvc`))))),
		c2s(nbss(smb2Msg(smb2Ioctl, 11, false, 0, 9, ioctlReq(0x33, 0x44, rpcRequestPDU(2, 15, make([]byte, 40)))))),
		s2c(nbss(smb2Msg(smb2Ioctl, 11, true, 0, 9, ioctlResp(0x33, 0x44, rpcResponsePDU(2, make([]byte, 60)))))),
	}
}
