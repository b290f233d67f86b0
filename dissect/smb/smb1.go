package smb

import (
	"bytes"

	"github.com/quietwire/quietwire/dissect"
)

// smb1Hdr is the SMB1 header. Spec: [MS-CIFS] 2.2.3.1.
type smb1Hdr struct {
	cmd     uint8
	status  uint32
	flags   uint8
	flags2  uint16
	tid     uint16
	pid     uint16
	uid     uint16
	mid     uint16
	unicode bool
}

const (
	smb1HdrLen          = 32
	smb1FlagReply       = 0x80
	smb1Flags2Unicode   = 0x8000
	capExtendedSecurity = 0x80000000
	trnsTransactNmPipe  = 0x26
	trans2SessionSetup  = 0x0e
)

// isAndX reports whether cmd's parameter block starts with an AndX header.
func isAndX(cmd uint8) bool {
	switch cmd {
	case smb1SessionSetupAndX, smb1TreeConnectAndX, smb1NTCreateAndX, smb1ReadAndX,
		smb1WriteAndX, smb1LogoffAndX, 0x24 /* LOCKING_ANDX */, 0x2d /* OPEN_ANDX */ :
		return true
	}
	return false
}

// smb1 handles one SMB1 message and its AndX chain.
func (p *parser) smb1(dir dissect.Dir, msg []byte, partial bool) {
	if len(msg) < smb1HdrLen+1 {
		if !partial {
			p.env.Weird(weirdTruncated, "SMB1")
		}
		return
	}
	h := smb1Hdr{
		cmd: msg[4], status: le32(msg, 5), flags: msg[9], flags2: le16(msg, 10),
		tid: le16(msg, 24), pid: le16(msg, 26), uid: le16(msg, 28), mid: le16(msg, 30),
	}
	h.unicode = h.flags2&smb1Flags2Unicode != 0
	cmd, off := h.cmd, smb1HdrLen
	for hop := 0; hop < 16; hop++ {
		if off >= len(msg) {
			return
		}
		wc := int(msg[off])
		words := slice(msg, off+1, 2*wc)
		if words == nil {
			if !partial {
				p.env.Weird(weirdTruncated, "SMB1 parameter block")
			}
			return
		}
		bOff := off + 1 + 2*wc + 2
		bc := int(le16(msg, off+1+2*wc))
		data := slice(msg, bOff, bc)
		if data == nil && bOff <= len(msg) {
			data = msg[bOff:]
		}
		if h.flags&smb1FlagReply == 0 {
			p.smb1Request(dir, &h, cmd, msg, words, data, bOff)
		} else {
			p.smb1Response(dir, &h, cmd, msg, words, data, bOff)
		}
		if !isAndX(cmd) || wc < 2 || words[0] == smb1NoAndX {
			return
		}
		next := int(le16(words, 2))
		if next <= off || next >= len(msg) {
			if next != 0 || h.status == statusSuccess {
				p.env.Weird(weirdAndX, "")
			}
			return
		}
		cmd, off = words[0], next
	}
}

// smb1Key pairs a request with its response: PID, MID and the command (an AndX chain
// carries several commands under one MID).
func smb1Key(h *smb1Hdr, cmd uint8) uint64 {
	return uint64(h.pid)<<24 | uint64(h.mid)<<8 | uint64(cmd)
}

// smb1String reads a NUL-terminated string at off of msg: UTF-16LE aligned on an even
// offset from the header start when unicode, else OEM. It returns the decoded text
// (appended to dst) and the offset after the terminator.
func smb1String(dst, msg []byte, off int, unicode bool) ([]byte, int) {
	if off < 0 || off > len(msg) {
		return dst, len(msg)
	}
	if unicode {
		if off%2 == 1 {
			off++
		}
		end := off
		for end+1 < len(msg) && (msg[end] != 0 || msg[end+1] != 0) {
			end += 2
		}
		dst = appendUTF16(dst, msg[min(off, len(msg)):min(end, len(msg))])
		return dst, min(end+2, len(msg))
	}
	end := off
	for end < len(msg) && msg[end] != 0 {
		end++
	}
	return append(dst, msg[off:end]...), min(end+1, len(msg))
}

func (p *parser) smb1Request(dir dissect.Dir, h *smb1Hdr, cmd uint8, msg, words, data []byte, bOff int) {
	p.env.Command(smb1CommandName(cmd))
	var e *pending
	switch cmd {
	case smb1Negotiate, smb1SessionSetupAndX, smb1TreeConnectAndX, smb1NTCreateAndX,
		smb1ReadAndX, smb1WriteAndX, smb1Transaction:
		e = p.addPending(smb1Key(h, cmd), uint16(cmd))
		e.tree = uint32(h.tid)
	}
	switch cmd {
	case smb1Negotiate:
		// Dialects: 0x02 + NUL-terminated OEM string, repeated. Spec: [MS-CIFS] 2.2.4.52.1.
		p.nDialects = 0
		for off := 0; off < len(data) && data[off] == 0x02; {
			end := bytes.IndexByte(data[off+1:], 0)
			if end < 0 {
				break
			}
			if p.nDialects < len(p.smb1Dialect) {
				p.smb1Dialect[p.nDialects] = append(p.smb1Dialect[p.nDialects][:0], data[off+1:off+1+end]...)
			}
			p.nDialects++
			off += end + 2
		}
	case smb1SessionSetupAndX:
		p.smb1SessionSetupReq(dir, h, msg, words, bOff)
	case smb1TreeConnectAndX:
		// AndX(4) Flags(2) PasswordLength(2); bytes: Password, Path, Service.
		pl := int(le16(words, 6))
		if pl > 1 && len(data) >= pl && data[pl-1] != 0 || pl > 24 {
			p.env.Weird(weirdCleartextPwd, "tree connect")
		}
		var next int
		e.name, next = smb1String(e.name[:0], msg, bOff+pl, h.unicode)
		e.aux, _ = smb1String(e.aux[:0], msg, next, false)
	case smb1NTCreateAndX:
		// AndX(4) Reserved(1) NameLength(2)@5 Flags(4) RootDirectoryFID(4) DesiredAccess(4)
		// AllocationSize(8) ExtFileAttributes(4) ShareAccess(4) CreateDisposition(4)@35
		// CreateOptions(4)@39
		e.flags = le32(words, 39)
		e.name, _ = smb1String(e.name[:0], msg, bOff, h.unicode)
		if len(e.name) > maxName {
			e.name = e.name[:maxName]
		}
	case smb1ReadAndX:
		// AndX(4) FID(2)@4
		e.fk, e.hasFile = fileKey{a: uint64(le16(words, 4))}, true
		if f := p.file(e.fk); f != nil && !f.pipe {
			if t := p.tree(uint32(h.tid)); t != nil && len(t.path) > 0 && !f.hasPath {
				f.path, f.hasPath = append(f.path[:0], t.path...), true
			}
			p.fileRead(dir, f, true)
		}
	case smb1WriteAndX:
		// AndX(4) FID(2)@4 Offset(4) Timeout(4) WriteMode(2) Remaining(2) DataLengthHigh(2)
		// DataLength(2)@20 DataOffset(2)@22
		e.fk, e.hasFile = fileKey{a: uint64(le16(words, 4))}, true
		if f := p.file(e.fk); f != nil {
			if f.pipe {
				p.rpcData(p.binding(f), dir, clip(msg, int(le16(words, 22)), int(le16(words, 20))))
			} else {
				p.fileWrite(dir, f, true)
				if le32(words, 6) == 0 && dissect.IsEICAR(clip(msg, int(le16(words, 22)), len(dissect.EICAR))) {
					p.env.Weird(weirdEICAR, string(f.name))
				}
			}
		}
	case smb1Close:
		if f := p.file(fileKey{a: uint64(le16(words, 0))}); f != nil {
			p.closeFile(f)
		}
	case smb1Transaction:
		// … DataCount(2)@22 DataOffset(2)@24 SetupCount(1)@26 Reserved(1) Setup@28
		if len(words) >= 32 && words[26] >= 2 && le16(words, 28) == trnsTransactNmPipe {
			e.fk, e.hasFile = fileKey{a: uint64(le16(words, 30))}, true
			if f := p.file(e.fk); f != nil {
				p.rpcData(p.binding(f), dir, clip(msg, int(le16(words, 24)), int(le16(words, 22))))
			}
		}
	case smb1Transaction2:
		// Parameters as Transaction's: … SetupCount(1)@26 Reserved(1) Setup@28; Setup[0] is
		// the subcommand. Spec: [MS-CIFS] 2.2.4.46.1.
		if len(words) >= 30 && words[26] >= 1 && le16(words, 28) == trans2SessionSetup {
			p.env.Weird(weirdTrans2SessionSetup, "")
		}
	case smb1Delete:
		// SearchAttributes(2); bytes: BufferFormat(1)=0x04 FileName.
		if len(data) > 1 && data[0] == 0x04 {
			f := p.tmpFile(uint32(h.tid))
			f.name, _ = smb1String(f.name[:0], msg, bOff+1, h.unicode)
			p.logDelete(dir, f)
		}
	case smb1Rename:
		// bytes: 0x04 OldFileName 0x04 NewFileName
		if len(data) > 1 && data[0] == 0x04 {
			f := p.tmpFile(uint32(h.tid))
			var next int
			p.scratch2, next = smb1String(p.scratch2[:0], msg, bOff+1, h.unicode)
			if next < len(msg) && msg[next] == 0x04 {
				f.name, _ = smb1String(f.name[:0], msg, next+1, h.unicode)
				p.env.Event(dir, dissect.EvFileTransfer, "rename "+string(p.scratch2)+" to "+string(f.name))
				p.logFile(p.env.TS, actRename, f, true, p.scratch2)
			}
		}
	}
}

// clip returns msg[off:off+n], cut at the end of msg.
func clip(msg []byte, off, n int) []byte {
	if off < 0 || off >= len(msg) || n <= 0 {
		return nil
	}
	return msg[off:min(off+n, len(msg))]
}

// tmpFile is a scratch entry for commands that name a file without opening it.
func (p *parser) tmpFile(tid uint32) *fileEntry {
	f := &p.scratchFile
	*f = fileEntry{name: f.name[:0], path: f.path[:0]}
	if t := p.tree(tid); t != nil && len(t.path) > 0 {
		f.path, f.hasPath = append(f.path, t.path...), true
	}
	return f
}

// smb1SessionSetupReq reads the client's security blob (extended security) or account
// fields, and its NativeOS/NativeLanMan strings. Spec: [MS-CIFS] 2.2.4.53.1, [MS-SMB] 2.2.4.6.1.
func (p *parser) smb1SessionSetupReq(dir dissect.Dir, h *smb1Hdr, msg, words []byte, bOff int) {
	var next int
	switch len(words) / 2 {
	case 12: // AndX(4) MaxBuffer(2) MaxMpx(2) VcNumber(2) SessionKey(4) SecurityBlobLength(2)@14
		bl := int(le16(words, 14))
		p.gssBlob(dir, clip(msg, bOff, bl))
		next = bOff + bl
	case 13: // … OEMPasswordLen(2)@14 UnicodePasswordLen(2)@16 Reserved(4) Capabilities(4)
		ol, ul := int(le16(words, 14)), int(le16(words, 16))
		if ol > 0 && ul == 0 && ol != 24 {
			p.env.Weird(weirdCleartextPwd, "session setup")
		}
		next = bOff + ol + ul
		var acct []byte
		acct, next = smb1String(p.scratch[:0], msg, next, h.unicode)
		p.scratch = acct
		p.scratch2, next = smb1String(p.scratch2[:0], msg, next, h.unicode)
		if len(p.scratch2) > 0 && !bytes.Equal(p.scratch2, []byte("?")) {
			p.env.Fact(p.server.Flip(), "domain", string(p.scratch2), "smb1.session_setup.primary_domain")
		}
	default:
		return
	}
	p.nativeStrings(p.server.Flip(), msg, next, h.unicode, "smb1.session_setup_request")
}

// nativeStrings reports NativeOS and NativeLanMan of side as facts.
func (p *parser) nativeStrings(side dissect.Dir, msg []byte, off int, unicode bool, field string) {
	var next int
	p.scratch, next = smb1String(p.scratch[:0], msg, off, unicode)
	if len(p.scratch) > 0 {
		p.env.Fact(side, dissect.AttrOS, string(p.scratch), field+".native_os")
	}
	p.scratch, _ = smb1String(p.scratch[:0], msg, next, unicode)
	if len(p.scratch) > 0 {
		p.env.Fact(side, dissect.AttrSoftware, string(p.scratch), field+".native_lanman")
	}
}

func (p *parser) smb1Response(dir dissect.Dir, h *smb1Hdr, cmd uint8, msg, words, data []byte, bOff int) {
	if cmd == smb1Transaction2 && h.status == statusNotImplemented && (h.mid == 0x51 || h.mid == 0x52) {
		p.env.Weird(weirdDoublePulsarReply, "")
	}
	e := p.findPending(smb1Key(h, cmd))
	if e == nil {
		if cmd == smb1SessionSetupAndX && len(words) == 8 {
			bl := int(le16(words, 6))
			p.sessionResult(p.gssBlob(dir, clip(msg, bOff, bl)), h.status)
		}
		return
	}
	defer p.donePending(e)
	switch cmd {
	case smb1Negotiate:
		p.smb1NegotiateResp(h, msg, words, data, bOff)
	case smb1SessionSetupAndX:
		neg := -1
		next := bOff
		switch len(words) / 2 {
		case 4: // AndX(4) Action(2) SecurityBlobLength(2)@6
			bl := int(le16(words, 6))
			neg = p.gssBlob(dir, clip(msg, bOff, bl))
			next = bOff + bl
		case 3:
		default:
			p.sessionResult(neg, h.status)
			return
		}
		p.sessionResult(neg, h.status)
		p.nativeStrings(p.server, msg, next, h.unicode, "smb1.session_setup_response")
	case smb1TreeConnectAndX:
		if h.status != statusSuccess || len(words) < 6 {
			return
		}
		t := p.newTree(uint32(h.tid))
		t.path = append(t.path[:0], e.name...)
		var next int
		t.service, next = smb1String(t.service[:0], msg, bOff, false)
		t.nfs, _ = smb1String(t.nfs[:0], msg, next, h.unicode)
		t.shareType = shareDisk
		if string(t.service) == "IPC" {
			t.shareType = sharePipe
		}
		p.logMapping(e.ts, t)
	case smb1NTCreateAndX:
		p.smb1CreateResp(dir, h, e, words)
	case smb1ReadAndX:
		// AndX(4) Available(2) DataCompactionMode(2) Reserved(2) DataLength(2)@10 DataOffset(2)@12
		if f := p.file(e.fk); f != nil && f.pipe && len(words) >= 14 {
			p.rpcData(p.binding(f), dir, clip(msg, int(le16(words, 12)), int(le16(words, 10))))
		}
	case smb1Transaction:
		// … DataCount(2)@12 DataOffset(2)@14
		if !e.hasFile || len(words) < 20 {
			return
		}
		if f := p.file(e.fk); f != nil {
			p.rpcData(p.binding(f), dir, clip(msg, int(le16(words, 14)), int(le16(words, 12))))
		}
	}
}

// smb1NegotiateResp reports the dialect chosen and the server's domain and name when the
// response carries them. Spec: [MS-CIFS] 2.2.4.52.2, [MS-SMB] 2.2.4.5.2.
func (p *parser) smb1NegotiateResp(h *smb1Hdr, msg, words, data []byte, bOff int) {
	if len(words) < 2 {
		return
	}
	idx := int(le16(words, 0))
	if idx < p.nDialects && idx < len(p.smb1Dialect) && !p.dialectSent {
		p.dialectSent = true
		p.env.Fact(p.server, "smb_dialect", string(p.smb1Dialect[idx]), "smb1.negotiate.dialect")
		if !p.smb1Seen {
			p.smb1Seen = true
			p.env.Weird(weirdSMB1, string(p.smb1Dialect[idx]))
		}
	}
	switch len(words) / 2 {
	case 17: // NT LM 0.12: … Capabilities(4)@19 SystemTime(8) TZ(2) ChallengeLength(1)@33
		if le32(words, 19)&capExtendedSecurity != 0 {
			if len(data) > 16 {
				p.gssBlob(p.server, data[16:])
			}
			return
		}
		next := bOff + int(words[33])
		p.scratch, next = smb1String(p.scratch[:0], msg, next, h.unicode)
		if len(p.scratch) > 0 {
			p.env.Fact(p.server, "domain", string(p.scratch), "smb1.negotiate.domain_name")
		}
		p.scratch, _ = smb1String(p.scratch[:0], msg, next, h.unicode)
		if len(p.scratch) > 0 {
			p.env.Fact(p.server, dissect.AttrHostname, string(p.scratch), "smb1.negotiate.server_name")
		}
	case 13: // LAN Manager: … EncryptionKeyLength(2)@22; bytes: key, PrimaryDomain (OEM)
		next := bOff + int(le16(words, 22))
		p.scratch, _ = smb1String(p.scratch[:0], msg, next, false)
		if len(p.scratch) > 0 {
			p.env.Fact(p.server, "domain", string(p.scratch), "smb1.negotiate.primary_domain")
		}
	}
}

// smb1CreateResp records an opened file. Spec: [MS-CIFS] 2.2.4.64.2.
func (p *parser) smb1CreateResp(dir dissect.Dir, h *smb1Hdr, e *pending, words []byte) {
	// AndX(4) OplockLevel(1) FID(2)@5 CreateDisposition(4) CreateTime(8)@11 LastAccessTime@19
	// LastWriteTime@27 LastChangeTime@35 ExtFileAttributes(4)@43 AllocationSize(8)@47
	// EndOfFile(8)@55 ResourceType(2)@63
	if h.status != statusSuccess || len(words) < 68 {
		return
	}
	f := p.newFile(fileKey{a: uint64(le16(words, 5))})
	f.tree = e.tree
	name := e.name
	if len(name) == 0 {
		name = []byte("<share_root>")
	}
	f.name = append(f.name[:0], name...)
	f.size = le64(words, 55)
	share := p.shareOf(e.tree)
	if t := p.tree(e.tree); t != nil && len(t.path) > 0 {
		f.path, f.hasPath = append(f.path[:0], t.path...), true
	}
	rt := le16(words, 63)
	if share == sharePipe || rt == 2 || rt == 3 || (share == shareUnknown && isPipeName(trimPipe(e.name))) {
		f.pipe = true
		bd := p.binding(f)
		bd.pipe = append(bd.pipe[:0], trimPipe(e.name)...)
		for i, c := range bd.pipe {
			if 'A' <= c && c <= 'Z' {
				bd.pipe[i] = c + 'a' - 'A'
			}
		}
		return
	}
	if mod, ok := filetimeSec(le64(words, 27)); ok {
		f.hasTimes = true
		f.times[0] = mod
		f.times[1], _ = filetimeSec(le64(words, 19))
		f.times[2], _ = filetimeSec(le64(words, 11))
		f.times[3], _ = filetimeSec(le64(words, 35))
	}
	// Zeek logs SMB1 opens before it knows the tree's path: no path on FILE_OPEN.
	p.logFile(e.ts, actOpen, f, false, nil)
	if e.flags&createDeleteOnClose != 0 {
		p.logDelete(dir.Flip(), f)
	}
}

// trimPipe drops a leading backslash from an SMB1 pipe name ("\lsarpc").
func trimPipe(name []byte) []byte {
	if len(name) > 0 && name[0] == '\\' {
		return name[1:]
	}
	return name
}
