package opcua

import (
	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/wire"
)

// dirState is the framing and reassembly state of one direction.
type dirState struct {
	resync bool // lost sync: scan for a plausible header before parsing

	skip     int    // bytes of an oversized chunk still to drop
	part     []byte // accumulated prefix of a chunk bigger than inlineChunk
	partSize int    // declared size of that chunk; 0 when none

	// Reassembly of a multi-chunk message: the bodies (after the sequence header) of its
	// chunks, in order. Spec: Part 6 §6.7.2.4 (chunks of one message share a request id).
	msg       []byte
	msgOn     bool
	msgDrop   bool // limits exceeded: ignore chunks until the final one
	msgChunks int
	msgReqID  uint32
	msgLink   [16]byte
}

func (d *dirState) resetMsg() {
	d.msg = d.msg[:0]
	d.msgOn, d.msgDrop, d.msgChunks = false, false, 0
}

// pending is a request awaiting its response.
type pending struct {
	reqID uint32
	svc   uint32
}

// Flow security as far as the OpenSecureChannel messages showed it.
const (
	secUnknown = iota // no OPN seen (capture started mid-channel)
	secNone           // SecurityPolicy#None: bodies in clear
	secSecured        // another policy: bodies may be signed only or encrypted
)

// parser is the per-flow OPC UA TCP parser. Not safe for concurrent use.
type parser struct {
	env    *dissect.Env
	server dissect.Dir
	dirs   [2]dirState

	roleSent bool
	security int

	pend       []pending
	flooded    bool
	sawRequest bool
	afterGap   bool

	weirdOnce uint32 // bit set of once-per-flow anomalies already reported
	factsSent uint32 // bit set of once-per-flow facts already reported

	linkSeq uint64
	scratch []byte // formatting scratch for record fields
	detail  []byte // event detail being built

	// decode scratch reused across messages
	ep   endpoint
	node nodeID
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, server: dissect.Resp}
	if env != nil && env.Flow != nil && env.Flow.Orig.Port == 4840 && env.Flow.Resp.Port != 4840 {
		p.server = dissect.Orig
	}
	return p
}

// Parse consumes whole OPC UA messages (chunks) from b. It never returns an error: an
// impossible header is reported and the stream resynchronised on the next plausible one.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	d := &p.dirs[dir&1]
	off := 0
	for off < len(b) {
		rest := b[off:]
		if d.skip > 0 {
			k := min(d.skip, len(rest))
			d.skip -= k
			off += k
			continue
		}
		if d.partSize > 0 {
			keep := min(d.partSize, maxBuffered)
			k := min(keep-len(d.part), len(rest))
			d.part = append(d.part, rest[:k]...)
			off += k
			if len(d.part) == keep {
				size := d.partSize
				d.partSize = 0
				trunc := size > maxBuffered
				if trunc {
					d.skip = size - maxBuffered
					p.env.Weird(weirdChunkTooLarge, itoa(&p.scratch, uint64(size)))
				}
				p.chunk(dir, d.part, trunc)
				d.part = d.part[:0]
			}
			continue
		}
		if d.resync {
			k, found := scan(rest)
			off += k
			if !found {
				return off, nil
			}
			d.resync = false
			continue
		}
		h, prob := parseHeader(rest)
		switch prob {
		case hdrShort:
			return off, nil
		case hdrType:
			p.env.Weird(weirdUnknownType, quoteType(&p.scratch, rest[:4]))
		case hdrChunk:
			p.env.Weird(weirdBadChunkType, quoteType(&p.scratch, rest[:4]))
		case hdrSize:
			p.env.Weird(weirdBadChunkSize, itoa(&p.scratch, uint64(h.size)))
		}
		if prob != hdrOK {
			d.resync = true
			d.resetMsg()
			off++
			continue
		}
		if h.size <= len(rest) {
			p.chunk(dir, rest[:h.size], false)
			off += h.size
			continue
		}
		if h.size > inlineChunk {
			d.partSize = h.size
			d.part = d.part[:0]
			continue
		}
		return off, nil
	}
	return off, nil
}

// scan looks for the first offset of b holding a plausible message header. When none is found
// it returns how many leading bytes can be dropped (all but the last few, which may begin a
// header).
func scan(b []byte) (int, bool) {
	for i := 0; i+hdrLen <= len(b); i++ {
		if _, prob := parseHeader(b[i:]); prob == hdrOK {
			return i, true
		}
	}
	return max(0, len(b)-hdrLen+1), false
}

// Gap drops framing and reassembly in dir: data is trusted again from a plausible header on.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	d := &p.dirs[dir&1]
	d.resync = true
	d.skip, d.partSize = 0, 0
	d.part = d.part[:0]
	d.resetMsg()
	p.afterGap = true
}

// Close forgets the requests still pending: opcua_binary.log has one row per message, so
// an unanswered request has nothing left to log.
func (p *parser) Close() {
	p.pend = p.pend[:0]
}

// setRoles reports the client and server roles once per flow.
func (p *parser) setRoles(server dissect.Dir) {
	if p.roleSent {
		return
	}
	p.roleSent = true
	p.server = server
	p.env.Fact(server, dissect.AttrRole, "opcua_server", "opcua_binary")
	p.env.Fact(server.Flip(), dissect.AttrRole, "opcua_client", "opcua_binary")
}

// weirdOnceFlow reports a once-per-flow anomaly.
func (p *parser) weirdOnceFlow(bit uint32, name, addl string) {
	if p.weirdOnce&bit != 0 {
		return
	}
	p.weirdOnce |= bit
	p.env.Weird(name, addl)
}

// factOnce reports a fact once per flow per slot.
func (p *parser) factOnce(bit uint32, side dissect.Dir, attr string, v []byte, field string) {
	if p.factsSent&bit != 0 || len(v) == 0 {
		return
	}
	p.factsSent |= bit
	p.env.Fact(side, attr, string(v), field)
}

// addPending records a request; past maxPending the oldest is dropped and a flood reported.
func (p *parser) addPending(reqID, svc uint32) {
	p.sawRequest = true
	if len(p.pend) >= maxPending {
		if !p.flooded {
			p.flooded = true
			p.env.Weird(weirdRequestFlood, "")
		}
		copy(p.pend, p.pend[1:])
		p.pend = p.pend[:len(p.pend)-1]
	}
	p.pend = append(p.pend, pending{reqID: reqID, svc: svc})
}

// takePending removes the request with reqID and reports whether it was there.
func (p *parser) takePending(reqID uint32) (pending, bool) {
	for i := range p.pend {
		if p.pend[i].reqID == reqID {
			pe := p.pend[i]
			copy(p.pend[i:], p.pend[i+1:])
			p.pend = p.pend[:len(p.pend)-1]
			return pe, true
		}
	}
	return pending{}, false
}

// chunk handles one complete message chunk c (header included). trunc says c is only the
// prefix of a chunk too big to keep.
func (p *parser) chunk(dir dissect.Dir, c []byte, trunc bool) {
	p.env.PDU()
	h, _ := parseHeader(c)
	r := wire.New(c[hdrLen:])
	switch h.mt {
	case mtHEL:
		p.setRoles(dir.Flip())
		p.helloAck(dir, h, &r, true)
	case mtACK:
		p.setRoles(dir)
		p.helloAck(dir, h, &r, false)
	case mtERR:
		p.errMsg(dir, h, &r)
	case mtRHE:
		p.setRoles(dir)
		p.reverseHello(dir, h, &r)
	default:
		p.secure(dir, h, c, trunc)
	}
}

// nextLink returns a new link id: 16 base62 characters derived from the flow uid and a
// per-flow counter, so replaying a capture gives the same ids.
func (p *parser) nextLink() [16]byte {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	p.linkSeq++
	h := uint64(14695981039346656037)
	if p.env.Flow != nil {
		for i := 0; i < len(p.env.Flow.UID); i++ {
			h = (h ^ uint64(p.env.Flow.UID[i])) * 1099511628211
		}
	}
	var out [16]byte
	x := h ^ p.linkSeq*0x9E3779B97F4A7C15
	for i := range out {
		x += 0x9E3779B97F4A7C15
		z := x
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		out[i] = alphabet[z%62]
	}
	return out
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
