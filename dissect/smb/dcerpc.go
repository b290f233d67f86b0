package smb

import (
	"bytes"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// DCE/RPC connection-oriented PDU types. Spec: C706 12.6.4, [MS-RPCE] 2.2.2.
const (
	rpcRequest      = 0
	rpcResponse     = 2
	rpcFault        = 3
	rpcBind         = 11
	rpcBindAck      = 12
	rpcBindNak      = 13
	rpcAlter        = 14
	rpcAlterResp    = 15
	rpcFlagFirst    = 0x01
	rpcFlagLast     = 0x02
	rpcFlagObject   = 0x80
	rpcHeaderLen    = 16
	maxRPCContexts  = 8
	maxRPCCalls     = 16
	maxRPCFragLen   = 65535
	rpcSecAddrLimit = 256
)

type rpcCtx struct {
	id   uint16
	uuid [16]byte
}

type rpcCall struct {
	used   bool
	callID uint32
	opnum  uint16
	ctx    uint16
	ts     int64
}

// rpcBinding is the DCE/RPC association on one pipe (or TCP connection): presentation
// contexts from bind/alter_context and calls waiting for their response.
type rpcBinding struct {
	ctx     [maxRPCContexts]rpcCtx
	nctx    int
	last    [16]byte
	hasLast bool
	secAddr []byte
	pipe    []byte // SMB pipe name (create request), lower case
	calls   [maxRPCCalls]rpcCall
	next    int
}

func (b *rpcBinding) reset() {
	*b = rpcBinding{secAddr: b.secAddr[:0], pipe: b.pipe[:0]}
}

func (b *rpcBinding) setCtx(id uint16, u [16]byte) {
	b.last, b.hasLast = u, true
	for i := 0; i < b.nctx; i++ {
		if b.ctx[i].id == id {
			b.ctx[i].uuid = u
			return
		}
	}
	if b.nctx < maxRPCContexts {
		b.ctx[b.nctx] = rpcCtx{id: id, uuid: u}
		b.nctx++
		return
	}
	b.ctx[int(id)%maxRPCContexts] = rpcCtx{id: id, uuid: u}
}

// iface resolves the interface of presentation context id: the bound UUID, else the last
// bound one, else the pipe's usual interface.
func (b *rpcBinding) iface(id uint16) ([16]byte, bool) {
	for i := 0; i < b.nctx; i++ {
		if b.ctx[i].id == id {
			return b.ctx[i].uuid, true
		}
	}
	if b.hasLast {
		return b.last, true
	}
	if u, ok := rpcByPipe[string(b.pipe)]; ok {
		return u, true
	}
	return [16]byte{}, false
}

func plausibleRPC(b []byte) bool {
	if len(b) < rpcHeaderLen || b[0] != 5 || b[1] > 1 || b[2] > 20 || b[4]&0xee != 0 {
		return false
	}
	fl := rpcU16(b, 8, b[4]&0x10 != 0)
	return fl >= rpcHeaderLen
}

func rpcU16(b []byte, off int, le bool) uint16 {
	if off+2 > len(b) {
		return 0
	}
	if le {
		return uint16(b[off]) | uint16(b[off+1])<<8
	}
	return uint16(b[off])<<8 | uint16(b[off+1])
}

func rpcU32(b []byte, off int, le bool) uint32 {
	if off+4 > len(b) {
		return 0
	}
	if le {
		return uint32(b[off]) | uint32(b[off+1])<<8 | uint32(b[off+2])<<16 | uint32(b[off+3])<<24
	}
	return uint32(b[off])<<24 | uint32(b[off+1])<<16 | uint32(b[off+2])<<8 | uint32(b[off+3])
}

// rpcFrame handles one DCE/RPC PDU at the start of b on a raw TCP flow; 0 means need more.
func (p *parser) rpcFrame(dir dissect.Dir, b []byte) int {
	if len(b) < rpcHeaderLen {
		return 0
	}
	if !plausibleRPC(b) {
		p.env.Weird(weirdRPCBadHeader, "")
		p.dirs[dir&1].resync = true
		return 1
	}
	n := int(rpcU16(b, 8, b[4]&0x10 != 0))
	if len(b) < n {
		return 0
	}
	p.env.PDU()
	if !p.rolesSent {
		p.rolesSent = true
		p.env.Fact(p.server, dissect.AttrRole, "dce_rpc_server", "dce_rpc")
		p.env.Fact(p.server.Flip(), dissect.AttrRole, "dce_rpc_client", "dce_rpc")
	}
	p.rpcPDU(&p.tcp, dir, b[:n])
	return n
}

// rpcData handles the DCE/RPC bytes carried by one SMB pipe write/read/transaction: one or
// more PDUs (the last one possibly cut short by the SMB layer).
func (p *parser) rpcData(bd *rpcBinding, dir dissect.Dir, data []byte) {
	for len(data) >= rpcHeaderLen {
		if !plausibleRPC(data) {
			return // a continuation fragment or non-RPC pipe traffic
		}
		n := int(rpcU16(data, 8, data[4]&0x10 != 0))
		p.rpcPDU(bd, dir, data[:min(n, len(data))])
		if n > len(data) {
			return
		}
		data = data[n:]
	}
}

// rpcPDU handles one PDU (header complete, body possibly truncated).
func (p *parser) rpcPDU(bd *rpcBinding, dir dissect.Dir, b []byte) {
	le := b[4]&0x10 != 0
	ptype, flags := b[2], b[3]
	callID := rpcU32(b, 12, le)
	switch ptype {
	case rpcBind, rpcAlter:
		// max_xmit(2) max_recv(2) assoc_group(4) n_context(1) reserved(3) then elements.
		if len(b) < 29 {
			return
		}
		n := int(b[24])
		off := 28
		for i := 0; i < n && off+24 <= len(b); i++ {
			id := rpcU16(b, off, le)
			nts := int(b[off+2])
			var u [16]byte
			copy(u[:], b[off+4:off+20])
			if !le {
				u[0], u[1], u[2], u[3] = u[3], u[2], u[1], u[0]
				u[4], u[5] = u[5], u[4]
				u[6], u[7] = u[7], u[6]
			}
			bd.setCtx(id, u)
			off += 24 + 20*nts
		}
		p.env.Command("RPC_BIND")
	case rpcBindAck:
		l := int(rpcU16(b, 24, le))
		if a := slice(b, 26, l); a != nil && l <= rpcSecAddrLimit {
			bd.secAddr = appendOEM(bd.secAddr[:0], a)
		}
	case rpcRequest:
		if flags&rpcFlagFirst == 0 || len(b) < 24 {
			return
		}
		c := &bd.calls[bd.next]
		for i := range bd.calls {
			if bd.calls[i].used && bd.calls[i].callID == callID {
				c = &bd.calls[i]
				break
			}
		}
		if c == &bd.calls[bd.next] {
			bd.next = (bd.next + 1) % maxRPCCalls
		}
		*c = rpcCall{used: true, callID: callID, ctx: rpcU16(b, 20, le), opnum: rpcU16(b, 22, le), ts: p.env.TS}
		p.env.Command("RPC_REQUEST")
		p.rpcEvent(bd, dir, c)
		p.rpcExploit(bd, c, flags, b)
	case rpcResponse, rpcFault:
		if flags&rpcFlagLast == 0 && ptype == rpcResponse {
			return
		}
		for i := range bd.calls {
			c := &bd.calls[i]
			if c.used && c.callID == callID {
				c.used = false
				if ptype == rpcResponse {
					p.logRPC(bd, c)
				}
				return
			}
		}
	}
}

// logRPC writes the dce_rpc.log record of a call whose response was seen.
func (p *parser) logRPC(bd *rpcBinding, c *rpcCall) {
	u, ok := bd.iface(c.ctx)
	if !ok {
		return
	}
	ifc := rpcByUUID[u]
	if ifc != nil && ifc.ignored[c.opnum] {
		return
	}
	ts := p.env.TS
	rtt := ts - c.ts
	p.env.TS = c.ts
	r := p.env.Log(logDCERPC)
	if rtt > 0 {
		r.Float("rtt", float64(rtt)/1e9)
	}
	if len(bd.secAddr) > 0 {
		r.Bytes("named_pipe", bd.secAddr)
	}
	p.scratch = p.scratch[:0]
	if ifc != nil {
		r.Str("endpoint", ifc.name)
	} else {
		p.scratch = append(p.scratch, "unknown-"...)
		p.scratch = appendUUID(p.scratch, u)
		r.Bytes("endpoint", p.scratch)
	}
	if ifc != nil && int(c.opnum) < len(ifc.ops) && ifc.ops[c.opnum] != "" {
		r.Str("operation", ifc.ops[c.opnum])
	} else {
		p.scratch = append(p.scratch[:0], "unknown-"...)
		p.scratch = strconv.AppendUint(p.scratch, uint64(c.opnum), 10)
		r.Bytes("operation", p.scratch)
	}
	r.Done()
	p.env.TS = ts
}

// rpcEvent reports a call of an operation flagged in the interface table (service creation,
// scheduled tasks, replication, registry writes…) as an operational event of the caller.
func (p *parser) rpcEvent(bd *rpcBinding, dir dissect.Dir, c *rpcCall) {
	u, ok := bd.iface(c.ctx)
	if !ok {
		return
	}
	ifc := rpcByUUID[u]
	if ifc == nil || !ifc.risky[c.opnum] {
		return
	}
	p.env.Event(dir, dissect.EvCommand, ifc.name+"."+ifc.ops[c.opnum])
}

// srvsvcUUID is the srvsvc interface in wire order; opNetprPathCanonicalize its opnum 31.
var srvsvcUUID, _ = parseUUID("4b324fc8-1670-01d3-1278-5a47bf6ee188")

const opNetprPathCanonicalize = 31

// utf16Climb is "\..\" in UTF-16LE, as NDR carries the PathName of NetprPathCanonicalize.
var utf16Climb = []byte{'\\', 0, '.', 0, '.', 0, '\\', 0}

// rpcExploit looks into the stub of a request (b is the whole PDU, possibly cut short by the
// SMB layer) for the MS08-067 shape: NetprPathCanonicalize on srvsvc with a path that climbs
// out of its root. The stub follows the 24-byte request header, and the object UUID when the
// header says there is one. Spec: [MS-SRVS] 3.1.4.30, C706 12.6.4.9.
func (p *parser) rpcExploit(bd *rpcBinding, c *rpcCall, flags byte, b []byte) {
	if c.opnum != opNetprPathCanonicalize {
		return
	}
	if u, ok := bd.iface(c.ctx); !ok || u != srvsvcUUID {
		return
	}
	stub := b[24:]
	if flags&rpcFlagObject != 0 {
		if len(stub) < 16 {
			return
		}
		stub = stub[16:]
	}
	if bytes.Contains(stub, utf16Climb) {
		p.env.Weird(weirdPathCanonicalize, "srvsvc NetprPathCanonicalize")
	}
}
