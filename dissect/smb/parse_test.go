package smb

import (
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

func TestSession(t *testing.T) {
	c := run(t, 445, session()...)

	// ntlm.log: client names from AUTHENTICATE, server names from the CHALLENGE's AV pairs,
	// success from the final session setup status.
	nl := c.Logs("ntlm")
	if len(nl) != 1 {
		t.Fatalf("ntlm.log: %d lines, want 1", len(nl))
	}
	for k, want := range map[string]string{
		"username": "operator", "hostname": "ENG-WS1", "domainname": "PLANT",
		"server_nb_computer_name": "HMI01", "server_dns_computer_name": "hmi01.plant.local",
		"server_tree_name": "plant.local", "success": "true", "id.resp_p": "445",
	} {
		if got := nl[0].Get(k); got != want {
			t.Errorf("ntlm.%s = %q, want %q", k, got, want)
		}
	}

	// smb_mapping.log: one line per tree connect, share type from the response.
	m := c.Logs("smb_mapping")
	if len(m) != 2 || m[0].Get("path") != `\\hmi01\recipes` || m[0].Get("share_type") != "DISK" ||
		m[1].Get("path") != `\\hmi01\IPC$` || m[1].Get("share_type") != "PIPE" {
		t.Errorf("smb_mapping.log = %v", m)
	}

	// smb_files.log: the open and the read of the disk file, nothing for the pipe.
	f := c.Logs("smb_files")
	if len(f) != 2 {
		t.Fatalf("smb_files.log: %d lines, want 2: %v", len(f), f)
	}
	if f[0].Get("action") != "SMB::FILE_OPEN" || f[0].Get("name") != `line1\batch.csv` ||
		f[0].Get("path") != `\\hmi01\recipes` || f[0].Get("size") != "1234" ||
		f[0].Get("times.created") != "1609226400" || f[0].Get("times.modified") != "1609230000" {
		t.Errorf("open = %s", f[0].Raw)
	}
	if f[1].Get("action") != "SMB::FILE_READ" {
		t.Errorf("read = %s", f[1].Raw)
	}

	// dce_rpc.log: the srvsvc call over the pipe, named after the bind_ack's secondary address.
	d := c.Logs("dce_rpc")
	if len(d) != 1 || d[0].Get("endpoint") != "srvsvc" || d[0].Get("operation") != "NetrShareEnum" ||
		d[0].Get("named_pipe") != `\PIPE\srvsvc` || d[0].Get("rtt") != "0.001" {
		t.Errorf("dce_rpc.log = %v", d)
	}

	// Facts about each side.
	checks := []struct {
		side       dissect.Dir
		attr, want string
	}{
		{dissect.Resp, dissect.AttrRole, "smb_server"},
		{dissect.Orig, dissect.AttrRole, "smb_client"},
		{dissect.Resp, "smb_dialect", "SMB 3.1.1"},
		{dissect.Resp, dissect.AttrHostname, "hmi01.plant.local"},
		{dissect.Resp, "domain", "plant.local"},
		{dissect.Resp, dissect.AttrOS, "Windows NT 10.0 build 19041"},
		{dissect.Orig, dissect.AttrHostname, "ENG-WS1"},
		{dissect.Orig, "domain", "PLANT"},
	}
	for _, ck := range checks {
		got := fact(c, ck.side, ck.attr)
		if len(got) != 1 || got[0] != ck.want {
			t.Errorf("%s fact %s = %v, want [%s]", ck.side, ck.attr, got, ck.want)
		}
	}
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvFileTransfer || c.Events[0].Detail != `read line1\batch.csv` {
		t.Errorf("events = %+v", c.Events)
	}
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
}

// TestSMB2Commands checks single exchanges against the logs they must produce.
func TestSMB2Commands(t *testing.T) {
	open := []step{
		c2s(nbss(smb2Msg(smb2TreeConnect, 1, false, 0, 0, treeConnectReq(`\\plc\share`)))),
		s2c(nbss(smb2Msg(smb2TreeConnect, 1, true, 0, 3, treeConnectResp(1)))),
		c2s(nbss(smb2Msg(smb2Create, 2, false, 0, 3, createReq("old.txt", 0)))),
		s2c(nbss(smb2Msg(smb2Create, 2, true, 0, 3, createResp(1, 2, 10)))),
	}
	rename := cat(
		[]byte{0},       // ReplaceIfExists
		make([]byte, 7), // Reserved
		u64(0),          // RootDirectory
		u32(14),         // FileNameLength
		utf16le("new.txt"),
	)
	tests := []struct {
		name    string
		steps   []step
		log     string
		n       int
		field   string
		want    string
		weirdOK string
	}{
		{"rename", append(append([]step{}, open...),
			c2s(nbss(smb2Msg(smb2SetInfo, 3, false, 0, 3, setInfoReq(1, 2, 10, rename))))),
			"smb_files", 2, "prev_name", "old.txt", ""},
		{"delete via disposition", append(append([]step{}, open...),
			c2s(nbss(smb2Msg(smb2SetInfo, 3, false, 0, 3, setInfoReq(1, 2, 13, []byte{1}))))),
			"smb_files", 2, "action", "SMB::FILE_DELETE", ""},
		{"disposition without delete bit", append(append([]step{}, open...),
			c2s(nbss(smb2Msg(smb2SetInfo, 3, false, 0, 3, setInfoReq(1, 2, 13, []byte{0}))))),
			"smb_files", 1, "action", "SMB::FILE_OPEN", ""},
		{"write logged once", append(append([]step{}, open...),
			c2s(nbss(smb2Msg(smb2Write, 3, false, 0, 3, writeReq(1, 2, []byte("x"))))),
			c2s(nbss(smb2Msg(smb2Write, 4, false, 0, 3, writeReq(1, 2, []byte("y")))))),
			"smb_files", 2, "action", "SMB::FILE_WRITE", ""},
		{"failed create is not logged", []step{
			c2s(nbss(smb2Msg(smb2Create, 2, false, 0, 3, createReq("x", 0)))),
			s2c(nbss(smb2Msg(smb2Create, 2, true, 0xc0000034, 3, cat(u16(9), u16(0), u32(0), []byte{0})))),
		}, "smb_files", 0, "", "", ""},
		{"tree unknown: file open without path", []step{
			c2s(nbss(smb2Msg(smb2Create, 2, false, 0, 7, createReq("", 0)))),
			s2c(nbss(smb2Msg(smb2Create, 2, true, 0, 7, createResp(1, 2, 0)))),
		}, "smb_files", 1, "name", "<share_root>", ""},
		{"pipe name heuristic: no file log", []step{
			c2s(nbss(smb2Msg(smb2Create, 2, false, 0, 7, createReq("lsarpc", 0)))),
			s2c(nbss(smb2Msg(smb2Create, 2, true, 0, 7, createResp(1, 2, 0)))),
		}, "smb_files", 0, "", "", ""},
		{"bad compound offset", []step{
			c2s(nbss(func() []byte {
				m := smb2Msg(smb2Negotiate, 0, false, 0, 0, make([]byte, 36))
				copy(m[20:], u32(4096)) // NextCommand beyond the message
				return m
			}())),
		}, "weird", 1, "name", weirdBadNext, weirdBadNext},
		{"bind to epmapper on 135", []step{
			c2s(rpcBindPDU(1, "e1af8308-5d1f-11c9-91a4-08002b14a0fa", 3)),
			s2c(rpcBindAckPDU(1, "135")),
			c2s(rpcRequestPDU(2, 3, make([]byte, 20))),
			s2c(rpcResponsePDU(2, make([]byte, 20))),
		}, "dce_rpc", 1, "operation", "ept_map", ""},
		{"ignored winreg operation", []step{
			c2s(rpcBindPDU(1, "338cd001-2244-31f1-aaaa-900038001003", 1)),
			s2c(rpcBindAckPDU(1, "49670")),
			c2s(rpcRequestPDU(2, 5, nil)), // BaseRegCloseKey: ignored as in Zeek
			s2c(rpcResponsePDU(2, nil)),
			c2s(rpcRequestPDU(3, 22, nil)), // BaseRegSetValue: logged
			s2c(rpcResponsePDU(3, nil)),
		}, "dce_rpc", 1, "operation", "BaseRegSetValue", ""},
		{"unknown interface", []step{
			c2s(rpcBindPDU(1, "01020304-0506-0708-090a-0b0c0d0e0f10", 1)),
			s2c(rpcBindAckPDU(1, "135")),
			c2s(rpcRequestPDU(2, 7, nil)),
			s2c(rpcResponsePDU(2, nil)),
		}, "dce_rpc", 1, "endpoint", "unknown-01020304-0506-0708-090a-0b0c0d0e0f10", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			port := uint16(445)
			if strings.Contains(tc.name, "135") || tc.log == "dce_rpc" {
				port = 135
			}
			c := run(t, port, tc.steps...)
			recs := c.Logs(tc.log)
			if len(recs) != tc.n {
				t.Fatalf("%s.log: %d lines, want %d: %v", tc.log, len(recs), tc.n, recs)
			}
			if tc.n > 0 && tc.field != "" {
				if got := recs[tc.n-1].Get(tc.field); got != tc.want {
					t.Errorf("%s = %q, want %q (%s)", tc.field, got, tc.want, recs[tc.n-1].Raw)
				}
			}
			for _, w := range c.WeirdNames() {
				if w != tc.weirdOK {
					t.Errorf("unexpected weird %s", w)
				}
			}
		})
	}
}

// TestSMB1 covers the SMB1 negotiate (dialect fact, anomaly), the session setup strings and
// a tree connect answered with service and file system.
func TestSMB1(t *testing.T) {
	hdr := func(cmd byte, reply bool, tid, mid uint16) []byte {
		flags := byte(0x18)
		if reply {
			flags |= smb1FlagReply
		}
		return cat([]byte{0xff, 'S', 'M', 'B', cmd}, u32(0), []byte{flags}, u16(0xc807), // unicode, NT status, ext sec
			u16(0), make([]byte, 8), u16(0), u16(tid), u16(0xfeff), u16(100), u16(mid))
	}
	dialects := []byte("\x02PC NETWORK PROGRAM 1.0\x00\x02NT LM 0.12\x00")
	negReq := cat(hdr(smb1Negotiate, false, 0, 1), []byte{0}, u16(uint16(len(dialects))), dialects)
	negResp := cat(hdr(smb1Negotiate, true, 0, 1), []byte{17}, u16(1), []byte{3}, u16(50), u16(1),
		u32(16644), u32(65536), u32(0), u32(capExtendedSecurity|0xf3fd), u64(0), u16(0), []byte{0},
		u16(16), make([]byte, 16))
	// Session setup with extended security: AndX(4) MaxBuffer MaxMpx VcNumber SessionKey(4)
	// SecurityBlobLength(2) Reserved(4) Capabilities(4); bytes: blob, pad, NativeOS, NativeLanMan.
	blob := ntlmNegotiate()
	ssBytes := cat(blob, []byte{0}, utf16le("Windows 7 Professional 7601\x00"), utf16le("Windows 7 Professional 6.1\x00"))
	ssReq := cat(hdr(smb1SessionSetupAndX, false, 0, 2), []byte{12, 0xff, 0}, u16(0), u16(4356), u16(50), u16(0),
		u32(0), u16(uint16(len(blob))), u32(0), u32(0x800000d4), u16(uint16(len(ssBytes))), ssBytes)
	// Tree connect: AndX(4) Flags(2) PasswordLength(2)=1; bytes: password NUL, path, service.
	tcBytes := cat([]byte{0}, utf16le(`\\PLC7\C$`+"\x00"), []byte("?????\x00"))
	tcReq := cat(hdr(smb1TreeConnectAndX, false, 0, 3), []byte{4, 0xff, 0}, u16(0), u16(8), u16(1),
		u16(uint16(len(tcBytes))), tcBytes)
	tcRespBytes := cat([]byte("A:\x00"), utf16le("NTFS\x00")) // NTFS starts at an even offset
	tcResp := cat(hdr(smb1TreeConnectAndX, true, 2048, 3), []byte{3, 0xff, 0}, u16(0), u16(1),
		u16(uint16(len(tcRespBytes))), tcRespBytes)
	c := run(t, 445,
		c2s(nbss(negReq)), s2c(nbss(negResp)), c2s(nbss(ssReq)), c2s(nbss(tcReq)), s2c(nbss(tcResp)))
	if got := fact(c, dissect.Resp, "smb_dialect"); len(got) != 1 || got[0] != "NT LM 0.12" {
		t.Errorf("dialect facts %v", got)
	}
	if got := fact(c, dissect.Orig, dissect.AttrOS); len(got) != 1 || got[0] != "Windows 7 Professional 7601" {
		t.Errorf("client os facts %v", got)
	}
	if w := c.WeirdNames(); len(w) != 1 || w[0] != weirdSMB1 {
		t.Errorf("weirds %v, want [%s]", w, weirdSMB1)
	}
	m := c.Logs("smb_mapping")
	if len(m) != 1 || m[0].Get("path") != `\\PLC7\C$` || m[0].Get("service") != "A:" ||
		m[0].Get("native_file_system") != "NTFS" || m[0].Get("share_type") != "DISK" {
		t.Errorf("smb_mapping = %v", m)
	}
}

func TestProbe(t *testing.T) {
	smb2 := nbss(smb2Msg(smb2Negotiate, 0, false, 0, 0, make([]byte, 36)))
	sessReq := cat([]byte{0x81, 0, 0, 68, 0x20}, []byte(strings.Repeat("EF", 16)), []byte{0, 0x20},
		[]byte(strings.Repeat("FG", 16)), []byte{0})
	tests := []struct {
		name string
		dir  dissect.Dir
		b    []byte
		want dissect.Verdict
	}{
		{"smb2 negotiate", dissect.Orig, smb2, dissect.Match},
		{"partial header", dissect.Orig, smb2[:6], dissect.NeedMore},
		{"netbios session request", dissect.Orig, sessReq, dissect.Match},
		{"dce/rpc bind", dissect.Orig, rpcBindPDU(1, "e1af8308-5d1f-11c9-91a4-08002b14a0fa", 3), dissect.Match},
		{"dce/rpc bind_ack", dissect.Resp, rpcBindAckPDU(1, "135"), dissect.Match},
		{"dce/rpc request first", dissect.Orig, rpcRequestPDU(1, 3, nil), dissect.NoMatch},
		{"http", dissect.Orig, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), dissect.NoMatch},
		{"tls", dissect.Orig, []byte{0x16, 3, 1, 0, 0x50, 1, 0, 0, 0x4c, 3, 3}, dissect.NoMatch},
		{"zero length prefix, not smb", dissect.Orig, []byte{0, 0, 0, 8, 'H', 'E', 'L', 'O', 1, 2, 3, 4}, dissect.NoMatch},
	}
	for _, tc := range tests {
		if got := Probe(tc.dir, tc.b); got != tc.want {
			t.Errorf("%s: Probe = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestNotSMB feeds non-SMB bytes on port 445: the probe refuses them, and a parser forced
// onto them logs nothing but anomalies.
func TestNotSMB(t *testing.T) {
	junk := []byte("SSH-2.0-OpenSSH_8.9\r\n\x00\x00\x01\x2c\x0a\x14random-binary-stuff....")
	if v := Probe(dissect.Orig, junk); v != dissect.NoMatch {
		t.Fatalf("Probe = %d on SSH banner", v)
	}
	c := run(t, 445, c2s(junk), s2c(junk))
	for _, r := range c.Records {
		if r.Log != "weird" {
			t.Errorf("logged %s: %s", r.Log, r.Raw)
		}
	}
}

func TestRPCTable(t *testing.T) {
	u, _ := parseUUID("12345778-1234-abcd-ef00-0123456789ab")
	ifc := rpcByUUID[u]
	if ifc == nil || ifc.name != "lsarpc" || ifc.ops[0x2c] != "LsarOpenPolicy2" {
		t.Fatalf("lsarpc entry %+v", ifc)
	}
	if s := string(appendUUID(nil, u)); s != "12345778-1234-abcd-ef00-0123456789ab" {
		t.Errorf("appendUUID round trip = %s", s)
	}
	for _, name := range []string{"srvsvc", "wkssvc", "samr", "netlogon", "svcctl", "winreg", "drsuapi",
		"epmapper", "atsvc", "ITaskSchedulerService", "IRemoteSCMActivator", "IObjectExporter", "dssetup"} {
		found := false
		for _, i := range rpcByUUID {
			found = found || i.name == name && len(i.ops) > 0
		}
		if !found {
			t.Errorf("interface %s missing from the table", name)
		}
	}
	svc, _ := parseUUID("367abb81-9844-35f1-ad32-98f038001003")
	if !rpcByUUID[svc].risky[12] { // CreateServiceW
		t.Error("svcctl CreateServiceW not flagged as an event")
	}
}

// TestRiskyRPCEvent: remote service creation over svcctl becomes a command event of the client.
func TestRiskyRPCEvent(t *testing.T) {
	c := run(t, 135,
		c2s(rpcBindPDU(1, "367abb81-9844-35f1-ad32-98f038001003", 2)),
		s2c(rpcBindAckPDU(1, "49668")),
		c2s(rpcRequestPDU(2, 12, make([]byte, 64))),
		s2c(rpcResponsePDU(2, make([]byte, 8))))
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvCommand || c.Events[0].Detail != "svcctl.CreateServiceW" ||
		c.Events[0].Src != dissect.Orig {
		t.Errorf("events = %+v", c.Events)
	}
}

// TestPsExecShape: what PsExec does over SMB 2 (its service program copied to ADMIN$, then the
// Service Control Manager driven over the svcctl pipe) comes out as the events the malware
// rules read: a file-transfer event "write PSEXESVC.exe" and command events
// "svcctl.CreateServiceW" and "svcctl.StartServiceW", all of the client.
func TestPsExecShape(t *testing.T) {
	steps := session()[:6]
	steps = append(steps,
		c2s(nbss(smb2Msg(smb2TreeConnect, 3, false, 0, 0, treeConnectReq(`\\plc-ws\ADMIN$`)))),
		s2c(nbss(smb2Msg(smb2TreeConnect, 3, true, 0, 5, treeConnectResp(1)))),
		c2s(nbss(smb2Msg(smb2Create, 4, false, 0, 5, createReq(`PSEXESVC.exe`, 0)))),
		s2c(nbss(smb2Msg(smb2Create, 4, true, 0, 5, createResp(0x11, 0x22, 0)))),
		c2s(nbss(smb2Msg(smb2Write, 5, false, 0, 5, writeReq(0x11, 0x22, []byte("MZ\x90\x00"))))),
		c2s(nbss(smb2Msg(smb2Close, 6, false, 0, 5, closeReq(0x11, 0x22)))),
		c2s(nbss(smb2Msg(smb2TreeConnect, 7, false, 0, 0, treeConnectReq(`\\plc-ws\IPC$`)))),
		s2c(nbss(smb2Msg(smb2TreeConnect, 7, true, 0, 9, treeConnectResp(2)))),
		c2s(nbss(smb2Msg(smb2Create, 8, false, 0, 9, createReq("svcctl", 0)))),
		s2c(nbss(smb2Msg(smb2Create, 8, true, 0, 9, createResp(0x33, 0x44, 0)))),
		c2s(nbss(smb2Msg(smb2Write, 9, false, 0, 9, writeReq(0x33, 0x44, rpcBindPDU(1, "367abb81-9844-35f1-ad32-98f038001003", 2))))),
		c2s(nbss(smb2Msg(smb2Read, 10, false, 0, 9, readReq(0x33, 0x44)))),
		s2c(nbss(smb2Msg(smb2Read, 10, true, 0, 9, readResp(rpcBindAckPDU(1, `\PIPE\svcctl`))))),
		c2s(nbss(smb2Msg(smb2Ioctl, 11, false, 0, 9, ioctlReq(0x33, 0x44, rpcRequestPDU(2, 12, make([]byte, 64)))))),
		s2c(nbss(smb2Msg(smb2Ioctl, 11, true, 0, 9, ioctlResp(0x33, 0x44, rpcResponsePDU(2, make([]byte, 8)))))),
		c2s(nbss(smb2Msg(smb2Ioctl, 12, false, 0, 9, ioctlReq(0x33, 0x44, rpcRequestPDU(3, 19, make([]byte, 32)))))),
		s2c(nbss(smb2Msg(smb2Ioctl, 12, true, 0, 9, ioctlResp(0x33, 0x44, rpcResponsePDU(3, make([]byte, 8)))))),
	)
	c := run(t, 445, steps...)
	var got []string
	for _, e := range c.Events {
		if e.Src != dissect.Orig {
			t.Errorf("event %s %q of the server", e.Kind, e.Detail)
		}
		got = append(got, e.Kind+" "+e.Detail)
	}
	want := []string{dissect.EvFileTransfer + " write PSEXESVC.exe", dissect.EvCommand + " svcctl.CreateServiceW", dissect.EvCommand + " svcctl.StartServiceW"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q", got, want)
	}
}

// TestDoublePulsar: an SMB1 TRANS2_SESSION_SETUP request (the DoublePulsar implant's ping, as
// the public analyses of it show it: Timeout 0x0134ee00, MID 0x41) and the implant's answer
// (STATUS_NOT_IMPLEMENTED with MID 0x51) are named anomalies; an ordinary TRANS2 (FIND_FIRST2)
// and its answer, and a NOT_IMPLEMENTED answer under another MID, are not.
func TestDoublePulsar(t *testing.T) {
	hdr := func(cmd byte, reply bool, status uint32, mid uint16) []byte {
		flags := byte(0x18)
		if reply {
			flags |= smb1FlagReply
		}
		return cat([]byte{0xff, 'S', 'M', 'B', cmd}, u32(status), []byte{flags}, u16(0xc007),
			u16(0), make([]byte, 8), u16(0), u16(2048), u16(0xfeff), u16(100), u16(mid))
	}
	// TRANS2 request: 14 parameter words + SetupCount words; Setup[0] is the subcommand.
	trans2 := func(mid, sub uint16) []byte {
		params := make([]byte, 12)
		words := cat(u16(uint16(len(params))), u16(0), u16(1), u16(0), []byte{0, 0}, u16(0), u32(0x0134ee00), u16(0),
			u16(uint16(len(params))), u16(66), u16(0), u16(78), []byte{1, 0}, u16(sub))
		return nbss(cat(hdr(smb1Transaction2, false, 0, mid), []byte{byte(len(words) / 2)}, words,
			u16(uint16(1+len(params))), []byte{0}, params))
	}
	reply := func(status uint32, mid uint16) []byte {
		return nbss(cat(hdr(smb1Transaction2, true, status, mid), []byte{0}, u16(0)))
	}
	for _, tc := range []struct {
		name  string
		steps []step
		want  []string
	}{
		{"ping", []step{c2s(trans2(0x41, 0x0e)), s2c(reply(statusNotImplemented, 0x51))},
			[]string{weirdTrans2SessionSetup, weirdDoublePulsarReply}},
		{"find_first2", []step{c2s(trans2(0x41, 0x01)), s2c(reply(0, 0x41))}, nil},
		{"not_implemented", []step{c2s(trans2(0x44, 0x01)), s2c(reply(statusNotImplemented, 0x44))}, nil},
	} {
		c := run(t, 445, tc.steps...)
		if got := c.WeirdNames(); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: anomalies %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestEICARWrite: a file written from its start with the EICAR test file is a named anomaly
// carrying the file name; the same bytes written further into a file are not.
func TestEICARWrite(t *testing.T) {
	atOffset := func(off uint64, data []byte) []byte {
		b := writeReq(0x11, 0x22, data)
		copy(b[8:16], u64(off))
		return b
	}
	for _, tc := range []struct {
		off  uint64
		want []string
	}{{0, []string{weirdEICAR + " " + `test\eicar.com`}}, {4096, nil}} {
		steps := append(session()[:8],
			c2s(nbss(smb2Msg(smb2Create, 4, false, 0, 5, createReq(`test\eicar.com`, 0)))),
			s2c(nbss(smb2Msg(smb2Create, 4, true, 0, 5, createResp(0x11, 0x22, 0)))),
			c2s(nbss(smb2Msg(smb2Write, 5, false, 0, 5, atOffset(tc.off, []byte(dissect.EICAR+"\r\n"))))))
		c := run(t, 445, steps...)
		var got []string
		for _, r := range c.Logs("weird") {
			got = append(got, r.Get("name")+" "+r.Get("addl"))
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("offset %d: weirds %q, want %q", tc.off, got, tc.want)
		}
	}
}

// TestEICARWriteSMB1: the same over SMB1, NT_CREATE_ANDX then WRITE_ANDX at offset 0 and at
// offset 512.
func TestEICARWriteSMB1(t *testing.T) {
	hdr := func(cmd byte, reply bool, mid uint16) []byte {
		flags := byte(0x18)
		if reply {
			flags |= smb1FlagReply
		}
		return cat([]byte{0xff, 'S', 'M', 'B', cmd}, u32(0), []byte{flags}, u16(0xc007),
			u16(0), make([]byte, 8), u16(0), u16(2048), u16(0xfeff), u16(100), u16(mid))
	}
	name := utf16le(`test\eicar.com` + "\x00")
	// NT_CREATE_ANDX: 24 words; bytes: a pad byte (Unicode names start even), the name.
	createWords := cat([]byte{0xff, 0}, u16(0), []byte{0}, u16(uint16(len(name)-2)), u32(0), u32(0), u32(0x0012019f),
		u64(0), u32(0x80), u32(7), u32(5), u32(0x40), u32(2), []byte{0})
	create := cat(hdr(smb1NTCreateAndX, false, 4), []byte{24}, createWords, u16(uint16(1+len(name))), []byte{0}, name)
	// Response: 34 words; FID 0x4001 at word offset 5, ResourceType 0 (a file).
	respWords := cat([]byte{0xff, 0}, u16(0), []byte{0}, u16(0x4001), u32(2), make([]byte, 32), u32(0x80), u64(0), u64(0), u16(0), u16(0), []byte{0})
	createResp := cat(hdr(smb1NTCreateAndX, true, 4), []byte{34}, respWords, u16(0))
	write := func(off uint32) []byte {
		data := []byte(dissect.EICAR)
		// WRITE_ANDX: 14 words: AndX(4) FID(2) Offset(4) Timeout(4) WriteMode(2) Remaining(2)
		// DataLengthHigh(2) DataLength(2) DataOffset(2) OffsetHigh(4); bytes: a pad, the data.
		const dataOff = 32 + 1 + 28 + 2 + 1
		words := cat([]byte{0xff, 0}, u16(0), u16(0x4001), u32(off), u32(0), u16(0), u16(0), u16(0),
			u16(uint16(len(data))), u16(dataOff), u32(0))
		return cat(hdr(smb1WriteAndX, false, 5), []byte{14}, words, u16(uint16(1+len(data))), []byte{0}, data)
	}
	for _, tc := range []struct {
		off  uint32
		want []string
	}{{0, []string{weirdEICAR + " " + `test\eicar.com`}}, {512, nil}} {
		c := run(t, 445, c2s(nbss(create)), s2c(nbss(createResp)), c2s(nbss(write(tc.off))))
		var got []string
		for _, r := range c.Logs("weird") {
			if r.Get("name") != weirdSMB1 {
				got = append(got, r.Get("name")+" "+r.Get("addl"))
			}
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("offset %d: weirds %q, want %q", tc.off, got, tc.want)
		}
	}
}

// ndrString is an NDR conformant varying UTF-16 string with its terminating NUL, padded to 4.
func ndrString(s string) []byte {
	n := uint32(len([]rune(s)) + 1)
	b := cat(u32(n), u32(0), u32(n), utf16le(s+"\x00"))
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// netprPathCanonicalize is the stub of a NetprPathCanonicalize request ([MS-SRVS] 3.1.4.30):
// ServerName (a unique pointer), PathName, OutbufLen, Prefix, PathType, Flags.
func netprPathCanonicalize(path string) []byte {
	return cat(u32(0x00020000), ndrString(`192.168.1.10`), ndrString(path), u32(1000), ndrString(`\`), u32(1), u32(0))
}

// pipeCall is an SMB 2 session that opens pipe on IPC$, binds interface uuid over it and
// calls opnum with stub through an IOCTL (FSCTL_PIPE_TRANSCEIVE).
func pipeCall(pipe, uuid string, opnum uint16, stub []byte) []step {
	return append(session()[:6],
		c2s(nbss(smb2Msg(smb2TreeConnect, 7, false, 0, 0, treeConnectReq(`\\hmi-01\IPC$`)))),
		s2c(nbss(smb2Msg(smb2TreeConnect, 7, true, 0, 9, treeConnectResp(2)))),
		c2s(nbss(smb2Msg(smb2Create, 8, false, 0, 9, createReq(pipe, 0)))),
		s2c(nbss(smb2Msg(smb2Create, 8, true, 0, 9, createResp(0x33, 0x44, 0)))),
		c2s(nbss(smb2Msg(smb2Write, 9, false, 0, 9, writeReq(0x33, 0x44, rpcBindPDU(1, uuid, 3))))),
		c2s(nbss(smb2Msg(smb2Read, 10, false, 0, 9, readReq(0x33, 0x44)))),
		s2c(nbss(smb2Msg(smb2Read, 10, true, 0, 9, readResp(rpcBindAckPDU(1, `\PIPE\`+pipe))))),
		c2s(nbss(smb2Msg(smb2Ioctl, 11, false, 0, 9, ioctlReq(0x33, 0x44, rpcRequestPDU(2, opnum, stub))))),
	)
}

// TestPathCanonicalizeTraversal: a srvsvc NetprPathCanonicalize request whose path climbs
// with "\..\" (MS08-067, Conficker's exploit) is a named anomaly; the same call with a plain
// path, the climb in another srvsvc call, and opnum 31 of another interface are not.
func TestPathCanonicalizeTraversal(t *testing.T) {
	exploit := `\` + strings.Repeat("A", 24) + `\..\..\` + strings.Repeat("B", 40)
	for _, tc := range []struct {
		name, pipe, uuid string
		opnum            uint16
		path             string
		want             []string
	}{
		{"ms08-067", "srvsvc", "4b324fc8-1670-01d3-1278-5a47bf6ee188", 31, exploit, []string{weirdPathCanonicalize}},
		{"plain path", "srvsvc", "4b324fc8-1670-01d3-1278-5a47bf6ee188", 31, `\share\dir\file.txt`, nil},
		{"other call", "srvsvc", "4b324fc8-1670-01d3-1278-5a47bf6ee188", 32, exploit, nil},
		{"other interface", "wkssvc", "6bffd098-a112-3610-9833-46c3f87e345a", 31, exploit, nil},
	} {
		c := run(t, 445, pipeCall(tc.pipe, tc.uuid, tc.opnum, netprPathCanonicalize(tc.path))...)
		if got := c.WeirdNames(); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: anomalies %q, want %q", tc.name, got, tc.want)
		}
	}
}
