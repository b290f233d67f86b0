package smb

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// Limits. Suricata's SMB parser caps pending transactions at 1024 per flow by default
// (app-layer.protocols.smb.max-tx); open files and trees are bounded the same way.
const (
	maxPending = 1024
	maxFiles   = 256
	maxTrees   = 64
	maxName    = 1024 // bytes kept of a file or share name (UTF-8)
	maxRecent  = 128  // smb_files de-duplication entries
	recentTTL  = 3 * 60 * 1e9

	// Messages longer than bigMsg are parsed from their first headPart bytes (every field
	// this dissector reads is there) and the rest is skipped, so a 1 MiB READ response never
	// has to be buffered whole.
	bigMsg   = 32 << 10
	headPart = 4096
)

// Transport modes: decided from the first bytes of the flow.
const (
	modeUnknown = iota
	modeNBSS    // NetBIOS session service (TCP 139) or direct SMB (TCP 445): 4-byte framing
	modeRPC     // DCE/RPC connection-oriented PDUs directly over TCP (135, dynamic ports)
)

type fileKey struct{ a, b uint64 }

// fileEntry is an open file (or pipe) known by its id.
type fileEntry struct {
	used     bool
	key      fileKey
	tree     uint32
	name     []byte
	path     []byte
	hasPath  bool
	size     uint64
	times    [4]float64 // modified, accessed, created, changed (s since the epoch)
	hasTimes bool
	pipe     bool
	evRead   bool // a read was reported as an event
	evWrite  bool
	seq      uint64 // last use, for eviction
	rpc      *rpcBinding
}

// treeEntry is a connected share.
type treeEntry struct {
	used      bool
	id        uint32
	path      []byte
	service   []byte
	nfs       []byte
	shareType uint8
}

// pending is a request waiting for its response.
type pending struct {
	used    bool
	mid     uint64
	cmd     uint16
	ts      int64
	tree    uint32
	fk      fileKey
	hasFile bool
	name    []byte // create: file name; tree connect: share path
	aux     []byte // SMB1 tree connect: requested service
	flags   uint32 // command-specific (create options, ioctl code…)
}

// dirState is the framing state of one direction.
type dirState struct {
	skip   int  // bytes of an oversized message still to discard
	resync bool // scan for a plausible header before parsing
}

// parser is the per-flow SMB / DCE-RPC parser. Not safe for concurrent use.
type parser struct {
	env    *dissect.Env
	mode   uint8
	server dissect.Dir
	dirs   [2]dirState

	pend    []pending
	flooded bool
	files   []fileEntry
	trees   []treeEntry
	seq     uint64
	full    bool // weirdTooManyFiles reported

	recent [maxRecent]struct {
		h  uint64
		ts int64
	}
	nRecent int

	ntlm ntlmState
	tcp  rpcBinding // DCE/RPC directly over TCP
	free []*rpcBinding

	rolesSent   bool
	dialectSent bool
	smb1Seen    bool
	afterGap    bool
	smb1Dialect [8][]byte // SMB1 negotiate request dialect strings
	nDialects   int

	scratchFile fileEntry // files named by commands that do not open them (SMB1 delete, rename)
	scratch     []byte    // string scratch (UTF-8 conversions)
	scratch2    []byte
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, server: dissect.Resp}
	if env != nil && env.Flow != nil {
		switch {
		case isServerPort(env.Flow.Resp.Port):
			p.server = dissect.Resp
		case isServerPort(env.Flow.Orig.Port):
			p.server = dissect.Orig
		}
	}
	return p
}

func isServerPort(port uint16) bool { return port == 445 || port == 139 || port == 135 }

// Parse consumes whole NBSS messages (or DCE/RPC PDUs on a raw RPC flow) from b.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	d := &p.dirs[dir&1]
	if p.mode == modeUnknown && len(b) > 0 {
		p.mode = modeNBSS
		if b[0] == 5 {
			p.mode = modeRPC
		}
	}
	off := 0
	for off < len(b) {
		rest := b[off:]
		if d.skip > 0 {
			k := min(d.skip, len(rest))
			d.skip -= k
			off += k
			continue
		}
		if d.resync {
			k, ok := p.scan(rest)
			off += k
			if !ok {
				return off, nil
			}
			d.resync = false
			continue
		}
		var n int
		if p.mode == modeRPC {
			n = p.rpcFrame(dir, rest)
		} else {
			n = p.nbssFrame(dir, rest)
		}
		if n == 0 {
			return off, nil
		}
		off += n
	}
	return off, nil
}

// nbssFrame handles one NetBIOS session message at the start of b. It returns how many bytes
// it consumed (0: need more). Spec: RFC 1002 4.3; [MS-SMB2] 2.1 (direct TCP: 24-bit length).
func (p *parser) nbssFrame(dir dissect.Dir, b []byte) int {
	if len(b) < 4 {
		return 0
	}
	typ := b[0]
	switch typ {
	case 0x00: // session message: 24-bit length (direct TCP; NBSS keeps the top 7 bits zero)
	case 0x81, 0x82, 0x83, 0x84, 0x85: // session request, positive/negative response, retarget, keep-alive
		n := 4 + (int(b[1]&1)<<16 | int(b[2])<<8 | int(b[3]))
		if len(b) < n {
			if n > bigMsg {
				p.dirs[dir&1].skip = n - len(b)
				return len(b)
			}
			return 0
		}
		if typ == 0x83 {
			p.env.Weird(weirdNetbiosNegResp, "")
		}
		p.env.PDU()
		return n
	default:
		p.env.Weird(weirdNetbiosType, "type 0x"+strconv.FormatUint(uint64(typ), 16))
		p.dirs[dir&1].resync = true
		return 1
	}
	n := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
	if n == 4 {
		return 4 // empty session message (keep-alive on 445)
	}
	if len(b) >= 8 && !isSMBMagic(b[4:8]) {
		p.env.Weird(weirdProtocol, "")
		p.dirs[dir&1].resync = true
		return 1
	}
	partial := false
	if len(b) < n {
		if n <= bigMsg || len(b) < headPart {
			return 0
		}
		partial = true
	}
	msg := b[4:min(n, len(b))]
	used := n
	if partial {
		msg = b[4:headPart]
		used = headPart
		p.dirs[dir&1].skip = n - headPart
	}
	p.message(dir, msg, partial)
	return used
}

func isSMBMagic(b []byte) bool {
	return len(b) >= 4 && (b[0] == 0xff || b[0] == 0xfe || b[0] == 0xfd || b[0] == 0xfc) &&
		b[1] == 'S' && b[2] == 'M' && b[3] == 'B'
}

// scan looks for the next plausible message header: a session message whose body starts
// with an SMB protocol id (NBSS mode) or a DCE/RPC v5 header (RPC mode).
func (p *parser) scan(b []byte) (int, bool) {
	if p.mode == modeRPC {
		for i := 0; i+16 <= len(b); i++ {
			if plausibleRPC(b[i:]) {
				return i, true
			}
		}
		return max(0, len(b)-15), false
	}
	for i := 0; i+8 <= len(b); i++ {
		if b[i] == 0 && isSMBMagic(b[i+4:]) {
			return i, true
		}
	}
	return max(0, len(b)-7), false
}

// message dispatches one SMB message (the NBSS payload).
func (p *parser) message(dir dissect.Dir, msg []byte, partial bool) {
	p.env.PDU()
	if !p.rolesSent {
		p.rolesSent = true
		p.env.Fact(p.server, dissect.AttrRole, "smb_server", "smb")
		p.env.Fact(p.server.Flip(), dissect.AttrRole, "smb_client", "smb")
	}
	switch msg[0] {
	case 0xff:
		p.smb1(dir, msg, partial)
	case 0xfe:
		p.smb2(dir, msg, partial)
	default:
		// 0xfd: SMB3 transform header (encrypted), 0xfc: SMB 3.1.1 compression.
	}
}

// Gap drops framing state; pending requests stay (their responses may still come).
func (p *parser) Gap(dir dissect.Dir, lost int) {
	d := &p.dirs[dir&1]
	d.skip = 0
	d.resync = true
	p.afterGap = true
}

// Close logs what is still open: an NTLM exchange without result.
func (p *parser) Close() {
	if p.ntlm.active && !p.ntlm.logged {
		p.logNTLM()
	}
	for i := range p.pend {
		p.pend[i].used = false
	}
	p.pend = p.pend[:0]
}

// addPending records a request. The table is bounded: when it is full the oldest entry is
// dropped and a flood anomaly is reported once.
func (p *parser) addPending(mid uint64, cmd uint16) *pending {
	if len(p.pend) >= maxPending {
		if !p.flooded {
			p.flooded = true
			p.env.Weird(weirdRequestFlood, strconv.Itoa(maxPending)+" requests without response")
		}
		first := p.pend[0]
		copy(p.pend, p.pend[1:])
		p.pend[len(p.pend)-1] = first
		p.pend = p.pend[:len(p.pend)-1]
	}
	if len(p.pend) < cap(p.pend) {
		p.pend = p.pend[:len(p.pend)+1]
	} else {
		p.pend = append(p.pend, pending{})
	}
	e := &p.pend[len(p.pend)-1]
	name, aux := e.name[:0], e.aux[:0]
	*e = pending{used: true, mid: mid, cmd: cmd, ts: p.env.TS, name: name, aux: aux}
	return e
}

// findPending returns the request with message id mid, or nil.
func (p *parser) findPending(mid uint64) *pending {
	for i := len(p.pend) - 1; i >= 0; i-- {
		if p.pend[i].mid == mid {
			return &p.pend[i]
		}
	}
	return nil
}

// donePending removes e (a pointer returned by findPending) keeping its buffers for reuse.
func (p *parser) donePending(e *pending) {
	for i := range p.pend {
		if &p.pend[i] == e {
			saved := p.pend[i]
			copy(p.pend[i:], p.pend[i+1:])
			p.pend[len(p.pend)-1] = saved
			p.pend = p.pend[:len(p.pend)-1]
			return
		}
	}
}

// file returns the open file with key k, or nil.
func (p *parser) file(k fileKey) *fileEntry {
	for i := range p.files {
		if p.files[i].used && p.files[i].key == k {
			p.seq++
			p.files[i].seq = p.seq
			return &p.files[i]
		}
	}
	return nil
}

// newFile returns a reset entry for key k, reusing a free slot or evicting the least
// recently used one.
func (p *parser) newFile(k fileKey) *fileEntry {
	if f := p.file(k); f != nil {
		p.resetFile(f, k)
		return f
	}
	var slot *fileEntry
	for i := range p.files {
		if !p.files[i].used {
			slot = &p.files[i]
			break
		}
	}
	if slot == nil {
		if len(p.files) < maxFiles {
			p.files = append(p.files, fileEntry{})
			slot = &p.files[len(p.files)-1]
		} else {
			if !p.full {
				p.full = true
				p.env.Weird(weirdTooManyFiles, strconv.Itoa(maxFiles)+" open files")
			}
			slot = &p.files[0]
			for i := range p.files {
				if p.files[i].seq < slot.seq {
					slot = &p.files[i]
				}
			}
		}
	}
	p.resetFile(slot, k)
	return slot
}

func (p *parser) resetFile(f *fileEntry, k fileKey) {
	if f.rpc != nil {
		f.rpc.reset()
		p.free = append(p.free, f.rpc)
	}
	p.seq++
	*f = fileEntry{used: true, key: k, name: f.name[:0], path: f.path[:0], seq: p.seq}
}

func (p *parser) closeFile(f *fileEntry) {
	if f.rpc != nil {
		f.rpc.reset()
		p.free = append(p.free, f.rpc)
		f.rpc = nil
	}
	f.used = false
}

// binding returns f's DCE/RPC binding state, creating it on first use.
func (p *parser) binding(f *fileEntry) *rpcBinding {
	if f.rpc == nil {
		if n := len(p.free); n > 0 {
			f.rpc = p.free[n-1]
			p.free = p.free[:n-1]
		} else {
			f.rpc = &rpcBinding{}
		}
	}
	return f.rpc
}

// tree returns the connected share with id, or nil.
func (p *parser) tree(id uint32) *treeEntry {
	for i := range p.trees {
		if p.trees[i].used && p.trees[i].id == id {
			return &p.trees[i]
		}
	}
	return nil
}

func (p *parser) newTree(id uint32) *treeEntry {
	t := p.tree(id)
	if t == nil {
		for i := range p.trees {
			if !p.trees[i].used {
				t = &p.trees[i]
				break
			}
		}
	}
	if t == nil {
		if len(p.trees) < maxTrees {
			p.trees = append(p.trees, treeEntry{})
			t = &p.trees[len(p.trees)-1]
		} else {
			t = &p.trees[int(id)%maxTrees]
		}
	}
	*t = treeEntry{used: true, id: id, path: t.path[:0], service: t.service[:0], nfs: t.nfs[:0]}
	return t
}

// shareOf returns the share type of tree id (shareUnknown when the tree connect was not seen).
func (p *parser) shareOf(id uint32) uint8 {
	if t := p.tree(id); t != nil {
		return t.shareType
	}
	return shareUnknown
}

// appendCapped appends src to dst keeping at most maxName bytes.
func appendCapped(dst, src []byte) []byte {
	if room := maxName - len(dst); len(src) > room {
		src = src[:max(room, 0)]
	}
	return append(dst, src...)
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
