package smb

import "github.com/quietwire/quietwire/dissect"

// smb2Hdr is the SMB2 packet header. Spec: [MS-SMB2] 2.2.1.
type smb2Hdr struct {
	status uint32
	cmd    uint16
	flags  uint32
	next   uint32
	mid    uint64
	tid    uint32
}

const (
	smb2HdrLen          = 64
	smb2FlagResponse    = 0x00000001
	smb2FlagAsync       = 0x00000002
	smb2FlagRelated     = 0x00000004
	fsctlPipeTransceive = 0x0011c017
	createDeleteOnClose = 0x00001000
)

// smb2 handles one SMB2 message, walking a compound chain. partial means msg is only the
// first part of a longer message.
func (p *parser) smb2(dir dissect.Dir, msg []byte, partial bool) {
	prevTree := uint32(0)
	for hop := 0; hop < 64; hop++ {
		if len(msg) < smb2HdrLen || msg[0] != 0xfe || le16(msg, 4) != smb2HdrLen {
			if !partial {
				p.env.Weird(weirdTruncated, "SMB2")
			}
			return
		}
		h := smb2Hdr{
			status: le32(msg, 8),
			cmd:    le16(msg, 12),
			flags:  le32(msg, 16),
			next:   le32(msg, 20),
			mid:    le64(msg, 24),
		}
		if h.flags&smb2FlagAsync == 0 {
			h.tid = le32(msg, 36)
		}
		if h.flags&smb2FlagRelated != 0 && h.tid == 0xffffffff {
			h.tid = prevTree
		}
		prevTree = h.tid
		m := msg
		if h.next != 0 {
			if h.next < smb2HdrLen || int(h.next) > len(msg) || h.next%8 != 0 {
				p.env.Weird(weirdBadNext, "")
				return
			}
			m = msg[:h.next]
		}
		if h.flags&smb2FlagResponse == 0 {
			p.smb2Request(dir, &h, m)
		} else {
			p.smb2Response(dir, &h, m)
		}
		if h.next == 0 {
			return
		}
		msg = msg[h.next:]
	}
}

// fileID reads the 16-byte SMB2_FILEID at off.
func fileID(m []byte, off int) (fileKey, bool) {
	if off+16 > len(m) {
		return fileKey{}, false
	}
	return fileKey{le64(m, off), le64(m, off+8)}, true
}

// utf16At decodes the UTF-16LE string at (off, n) of m (offsets from the SMB2 header) into
// dst.
func utf16At(dst, m []byte, off, n int) []byte {
	s := slice(m, off, n)
	if s == nil && off < len(m) && off >= 0 {
		s = m[off:] // cut by a partial message: keep what is there
	}
	return appendUTF16(dst, s)
}

func (p *parser) smb2Request(dir dissect.Dir, h *smb2Hdr, m []byte) {
	p.env.Command(smb2CommandName(h.cmd))
	body := m[smb2HdrLen:]
	var e *pending
	switch h.cmd {
	case smb2Negotiate, smb2SessionSetup, smb2TreeConnect, smb2Create, smb2Read, smb2Write,
		smb2Ioctl, smb2Close, smb2Logoff, smb2TreeDisconnect:
		e = p.addPending(h.mid, h.cmd)
		e.tree = h.tid
	}
	switch h.cmd {
	case smb2SessionSetup:
		// StructureSize(2) Flags(1) SecurityMode(1) Capabilities(4) Channel(4)
		// SecurityBufferOffset(2) SecurityBufferLength(2) PreviousSessionId(8)
		blob := slice(m, int(le16(body, 12)), int(le16(body, 14)))
		p.gssBlob(dir, blob)
	case smb2TreeConnect:
		// StructureSize(2) Flags(2) PathOffset(2) PathLength(2)
		e.name = appendCapped(e.name[:0], p.utf16(m, int(le16(body, 4)), int(le16(body, 6))))
	case smb2Create:
		// … CreateOptions(4)@40 NameOffset(2)@44 NameLength(2)@46
		e.flags = le32(body, 40)
		e.name = appendCapped(e.name[:0], p.utf16(m, int(le16(body, 44)), int(le16(body, 46))))
	case smb2Close:
		if k, ok := fileID(body, 8); ok {
			if f := p.file(k); f != nil {
				p.closeFile(f)
			}
		}
	case smb2Read:
		// … Length(4)@4 Offset(8)@8 FileId(16)@16
		if k, ok := fileID(body, 16); ok {
			e.fk, e.hasFile = k, true
			if f := p.file(k); f != nil && !f.pipe {
				p.fileRead(dir, f, true)
			}
		}
	case smb2Write:
		// StructureSize(2) DataOffset(2) Length(4) Offset(8) FileId(16)@16
		if k, ok := fileID(body, 16); ok {
			e.fk, e.hasFile = k, true
			if f := p.file(k); f != nil {
				if f.pipe {
					data := slice(m, int(le16(body, 2)), int(le32(body, 4)))
					if data == nil && int(le16(body, 2)) < len(m) {
						data = m[le16(body, 2):]
					}
					p.rpcData(p.binding(f), dir, data)
				} else {
					p.fileWrite(dir, f, true)
					if le64(body, 8) == 0 && dissect.IsEICAR(slice(m, int(le16(body, 2)), len(dissect.EICAR))) {
						p.env.Weird(weirdEICAR, string(f.name))
					}
				}
			}
		}
	case smb2Ioctl:
		// StructureSize(2) Reserved(2) CtlCode(4)@4 FileId(16)@8 InputOffset(4)@24 InputCount(4)@28
		e.flags = le32(body, 4)
		if k, ok := fileID(body, 8); ok {
			e.fk, e.hasFile = k, true
			if e.flags == fsctlPipeTransceive {
				if f := p.file(k); f != nil {
					p.rpcData(p.binding(f), dir, slice(m, int(le32(body, 24)), int(le32(body, 28))))
				}
			}
		}
	case smb2SetInfo:
		p.smb2SetInfo(dir, m, body)
	}
}

// smb2SetInfo handles SET_INFO requests that rename or delete a file. Spec: [MS-SMB2]
// 2.2.39; [MS-FSCC] 2.4.37 FileRenameInformation, 2.4.11 FileDispositionInformation.
func (p *parser) smb2SetInfo(dir dissect.Dir, m, body []byte) {
	// StructureSize(2) InfoType(1) FileInfoClass(1) BufferLength(4) BufferOffset(2)
	// Reserved(2) AdditionalInformation(4) FileId(16)@16
	if len(body) < 32 || body[2] != 1 {
		return
	}
	k, _ := fileID(body, 16)
	f := p.file(k)
	if f == nil {
		return
	}
	buf := slice(m, int(le16(body, 8)), int(le32(body, 4)))
	switch body[3] {
	case 10, 65: // FileRenameInformation(Ex): … FileNameLength(4)@16 FileName@20
		if len(buf) < 20 {
			return
		}
		newName := p.utf16(buf, 20, int(le32(buf, 16)))
		p.scratch2 = append(p.scratch2[:0], f.name...)
		f.name = appendCapped(f.name[:0], newName)
		p.env.Event(dir, dissect.EvFileTransfer, "rename "+string(p.scratch2)+" to "+string(f.name))
		p.logFile(p.env.TS, actRename, f, true, p.scratch2)
	case 13: // FileDispositionInformation: DeletePending(1)
		if len(buf) >= 1 && buf[0] != 0 {
			p.logDelete(dir, f)
		}
	case 64: // FileDispositionInformationEx: Flags(4), FILE_DISPOSITION_DELETE = 1
		if le32(buf, 0)&1 != 0 {
			p.logDelete(dir, f)
		}
	}
}

// fileRead and fileWrite log a read or write of f (de-duplicated like Zeek) and report the
// first one of each open as a file-transfer event of the client.
func (p *parser) fileRead(dir dissect.Dir, f *fileEntry, withPath bool) {
	if !f.evRead {
		f.evRead = true
		p.env.Event(dir, dissect.EvFileTransfer, "read "+string(f.name))
	}
	p.logFile(p.env.TS, actRead, f, withPath, nil)
}

func (p *parser) fileWrite(dir dissect.Dir, f *fileEntry, withPath bool) {
	if !f.evWrite {
		f.evWrite = true
		p.env.Event(dir, dissect.EvFileTransfer, "write "+string(f.name))
	}
	p.logFile(p.env.TS, actWrite, f, withPath, nil)
}

func (p *parser) logDelete(dir dissect.Dir, f *fileEntry) {
	p.env.Event(dir, dissect.EvFileTransfer, "delete "+string(f.name))
	p.logFile(p.env.TS, actDelete, f, true, nil)
}

// utf16 decodes the UTF-16LE string at (off, n) of m into the parser's scratch buffer.
func (p *parser) utf16(m []byte, off, n int) []byte {
	p.scratch = utf16At(p.scratch[:0], m, off, n)
	return p.scratch
}

func (p *parser) smb2Response(dir dissect.Dir, h *smb2Hdr, m []byte) {
	body := m[smb2HdrLen:]
	e := p.findPending(h.mid)
	if h.status == statusPending && h.flags&smb2FlagAsync != 0 {
		return // interim response: the final one follows
	}
	if e == nil {
		if h.cmd == smb2SessionSetup {
			// NTLM challenge/result still carry identity even without the request.
			blob := slice(m, int(le16(body, 4)), int(le16(body, 6)))
			p.sessionResult(p.gssBlob(dir, blob), h.status)
		}
		if h.cmd == smb2Negotiate {
			p.smb2NegotiateResp(body)
		}
		return
	}
	defer p.donePending(e)
	reqTS := e.ts
	switch h.cmd {
	case smb2Negotiate:
		p.smb2NegotiateResp(body)
	case smb2SessionSetup:
		// StructureSize(2) SessionFlags(2) SecurityBufferOffset(2) SecurityBufferLength(2)
		blob := slice(m, int(le16(body, 4)), int(le16(body, 6)))
		p.sessionResult(p.gssBlob(dir, blob), h.status)
	case smb2TreeConnect:
		// StructureSize(2)=16 ShareType(1) Reserved(1) ShareFlags(4) Capabilities(4) MaximalAccess(4)
		if le16(body, 0) != 16 || h.status != statusSuccess {
			return
		}
		t := p.newTree(h.tid)
		t.path = append(t.path[:0], e.name...)
		switch body[2] {
		case 1:
			t.shareType = shareDisk
		case 2:
			t.shareType = sharePipe
		case 3:
			t.shareType = sharePrint
		default:
			t.shareType = shareDisk
		}
		p.logMapping(reqTS, t)
	case smb2TreeDisconnect:
		if t := p.tree(e.tree); t != nil {
			t.used = false
		}
	case smb2Create:
		p.smb2CreateResp(dir, h, e, body)
	case smb2Read:
		// StructureSize(2)=17 DataOffset(1) Reserved(1) DataLength(4)
		if !e.hasFile || le16(body, 0) != 17 {
			return
		}
		if f := p.file(e.fk); f != nil && f.pipe {
			off := int(body[2])
			data := slice(m, off, int(le32(body, 4)))
			if data == nil && off < len(m) {
				data = m[off:]
			}
			p.rpcData(p.binding(f), dir, data)
		}
	case smb2Ioctl:
		// StructureSize(2)=49 Reserved(2) CtlCode(4) FileId(16) InputOffset(4)@24 InputCount(4)@28
		// OutputOffset(4)@32 OutputCount(4)@36
		if e.flags != fsctlPipeTransceive || le16(body, 0) != 49 {
			return
		}
		if f := p.file(e.fk); f != nil {
			p.rpcData(p.binding(f), dir, slice(m, int(le32(body, 32)), int(le32(body, 36))))
		}
	}
}

// smb2NegotiateResp reports the dialect the server chose. Spec: [MS-SMB2] 2.2.4.
func (p *parser) smb2NegotiateResp(body []byte) {
	// StructureSize(2)=65 SecurityMode(2) DialectRevision(2)@4
	if le16(body, 0) != 65 {
		return
	}
	if name := smb2DialectName(le16(body, 4)); name != "" && !p.dialectSent && le16(body, 4) != 0x02ff {
		p.dialectSent = true
		p.env.Fact(p.server, "smb_dialect", name, "smb2.negotiate.dialect_revision")
	}
}

// smb2CreateResp records the opened file and logs the open. Spec: [MS-SMB2] 2.2.14.
func (p *parser) smb2CreateResp(dir dissect.Dir, h *smb2Hdr, e *pending, body []byte) {
	// StructureSize(2)=89 OplockLevel(1) Flags(1) CreateAction(4) CreationTime(8)@8
	// LastAccessTime@16 LastWriteTime@24 ChangeTime@32 AllocationSize@40 EndofFile@48
	// FileAttributes(4)@56 Reserved2(4) FileId(16)@64
	if le16(body, 0) != 89 || h.status != statusSuccess || len(body) < 80 {
		return
	}
	k, _ := fileID(body, 64)
	f := p.newFile(k)
	f.tree = e.tree
	name := e.name
	if len(name) == 0 {
		name = []byte("<share_root>")
	}
	f.name = append(f.name[:0], name...)
	f.size = le64(body, 48)
	share := p.shareOf(e.tree)
	if t := p.tree(e.tree); t != nil && len(t.path) > 0 {
		f.path, f.hasPath = append(f.path[:0], t.path...), true
	}
	if share == shareUnknown && isPipeName(e.name) {
		share = sharePipe // Zeek's pipe heuristic for an unseen tree connect
	}
	f.pipe = share == sharePipe
	if mod, ok := filetimeSec(le64(body, 24)); ok {
		f.hasTimes = true
		f.times[0] = mod
		f.times[1], _ = filetimeSec(le64(body, 16))
		f.times[2], _ = filetimeSec(le64(body, 8))
		f.times[3], _ = filetimeSec(le64(body, 32))
	}
	if f.pipe {
		bd := p.binding(f)
		bd.pipe = append(bd.pipe[:0], e.name...)
		for i, c := range bd.pipe {
			if 'A' <= c && c <= 'Z' {
				bd.pipe[i] = c + 'a' - 'A'
			}
		}
		return
	}
	action := actOpen
	if share == sharePrint {
		action = actPrintOpen
	}
	p.logFile(e.ts, action, f, true, nil)
	if e.flags&createDeleteOnClose != 0 {
		p.logDelete(dir.Flip(), f)
	}
}
