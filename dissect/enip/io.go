package enip

import (
	"encoding/binary"
	"net/netip"
	"sync"

	"github.com/quietwire/quietwire/dissect"
)

// Connected (implicit) I/O: class 0/1 packets on UDP 2222, a CPF with a sequenced address
// item (connection id, encapsulation sequence number) and a connected data item.
// Spec: CIP Vol 2 §3-2.2 (UDP), §2-6.2.3 and §2-6.3.2.
//
// cip_io.log summarises instead of logging every packet (a 10 ms RPI is 100 lines a second):
// the first packet of each (connection id, direction) is logged with its data, then one
// summary line per connection per ioInterval of packet time and one at Close.

const (
	ioInterval = 60 * 1e9 // ns of packet time per summary line
	maxIOConns = 64       // tracked connections per flow; more are counted in enip_io_flood
)

// isIO recognises a connected I/O datagram: 2 items, a sequenced address (8 bytes) or
// connected address (4 bytes) first, a connected data item second, lengths adding up exactly.
func isIO(b []byte) bool {
	if len(b) < 2+4+4+4 || binary.LittleEndian.Uint16(b) != 2 {
		return false
	}
	t := binary.LittleEndian.Uint16(b[2:])
	l := int(binary.LittleEndian.Uint16(b[4:]))
	if !(t == itemSequencedAddress && l == 8) && !(t == itemConnectedAddress && l == 4) {
		return false
	}
	o := 6 + l
	if len(b) < o+4 || binary.LittleEndian.Uint16(b[o:]) != itemConnectedData {
		return false
	}
	return o+4+int(binary.LittleEndian.Uint16(b[o+2:])) == len(b)
}

type ioConn struct {
	id         uint32
	dir        dissect.Dir
	start      int64 // period start
	pkts       uint64
	bytes      uint64
	seqMin     uint32
	seqMax     uint32
	lastSeq    uint32
	lastLen    int
	summarised bool
}

type ioState struct {
	n        int
	conns    [maxIOConns]ioConn
	producer [2]bool
	flooded  bool
}

func (p *parser) ioPacket(dir dissect.Dir, b []byte) {
	p.env.PDU()
	p.seenValid = true
	l := int(binary.LittleEndian.Uint16(b[4:]))
	id := binary.LittleEndian.Uint32(b[6:])
	var seq uint32
	if l == 8 {
		seq = binary.LittleEndian.Uint32(b[10:])
	}
	data := b[6+l+4:]

	s := &p.io
	if !s.producer[dir] {
		s.producer[dir] = true
		p.env.Fact(dir, dissect.AttrRole, "cip_io_producer", "cip_io.connection_id")
	}
	var c *ioConn
	for i := 0; i < s.n; i++ {
		if s.conns[i].id == id && s.conns[i].dir == dir {
			c = &s.conns[i]
			break
		}
	}
	if c == nil {
		if s.n == maxIOConns {
			if !s.flooded {
				s.flooded = true
				p.env.Weird("enip_io_flood", "")
			}
			return
		}
		c = &s.conns[s.n]
		s.n++
		*c = ioConn{id: id, dir: dir, start: p.env.TS, seqMin: seq, seqMax: seq}
		p.ioFirst(dir, id, seq, data)
	} else if p.env.TS-c.start >= ioInterval {
		p.ioSummary(c)
		c.start, c.pkts, c.bytes, c.seqMin, c.seqMax = p.env.TS, 0, 0, seq, seq
	}
	c.pkts++
	c.bytes += uint64(len(data))
	if seq < c.seqMin {
		c.seqMin = seq
	}
	if seq > c.seqMax {
		c.seqMax = seq
	}
	c.lastSeq, c.lastLen = seq, len(data)
}

// ioFirst logs the first packet of a connection direction, tied to its Forward Open when one
// was seen.
func (p *parser) ioFirst(dir dissect.Dir, id, seq uint32, data []byte) {
	src := p.env.Flow.Orig.IP
	if dir == dissect.Resp {
		src = p.env.Flow.Resp.IP
	}
	ci, known := p.conns().lookup(id, src)
	r := p.envelope(p.env.Log("cip_io"), dir)
	r.HexUint("connection_id", uint64(id), 8).Uint("sequence_number", uint64(seq))
	r.Uint("data_length", uint64(len(data))).Hex("io_data", data)
	r.Str("record_type", "first")
	if known {
		r.Str("forward_open_uid", ci.uid).Uint("rpi_us", uint64(ci.rpi)).Uint("transport_class", uint64(ci.transport&0x0F))
	}
	r.Done()
}

// ioSummary logs the packets of c's current period.
func (p *parser) ioSummary(c *ioConn) {
	c.summarised = true
	r := p.envelope(p.env.Log("cip_io"), c.dir)
	r.HexUint("connection_id", uint64(c.id), 8).Uint("sequence_number", uint64(c.lastSeq))
	r.Uint("data_length", uint64(c.lastLen)).Str("record_type", "summary")
	r.Float("period_start", float64(c.start/1000)/1e6)
	r.Uint("packet_count", c.pkts).Uint("byte_count", c.bytes)
	r.Uint("sequence_min", uint64(c.seqMin)).Uint("sequence_max", uint64(c.seqMax))
	r.Done()
}

func (p *parser) ioFlush() {
	for i := 0; i < p.io.n; i++ {
		c := &p.io.conns[i]
		if c.pkts > 1 || (c.pkts > 0 && c.summarised) {
			p.ioSummary(c)
		}
		c.pkts = 0
	}
}

// forwardOpened registers the connection ids of a successful Forward Open reply sent from
// dir (the target), so that I/O on UDP 2222 can be tied back to it.
func (p *parser) forwardOpened(dir dissect.Dir, fo forwardOpen, transport uint8) {
	target, orig := p.env.Flow.Resp.IP, p.env.Flow.Orig.IP
	if dir == dissect.Orig {
		target, orig = orig, target
	}
	// O->T packets come from the originator, T->O packets from the target.
	p.conns().add(connKey{fo.otID, orig}, connInfo{uid: p.env.Flow.UID, rpi: fo.otRPI, transport: transport,
		serial: fo.serial, vendor: fo.vendor, origSerial: fo.origSerial})
	p.conns().add(connKey{fo.toID, target}, connInfo{uid: p.env.Flow.UID, rpi: fo.toRPI, transport: transport,
		serial: fo.serial, vendor: fo.vendor, origSerial: fo.origSerial})
}

// The connection registry is shared by all flows: Forward Open travels on TCP 44818 and the
// I/O it sets up on UDP 2222, two flows with two parsers. It is bounded (FIFO eviction) and
// touched only on Forward Open/Close and on the first packet of an I/O connection.
const maxConns = 4096

type connKey struct {
	id  uint32
	src netip.Addr // the producer of packets carrying id
}

type connInfo struct {
	uid        string
	rpi        uint32
	transport  uint8
	serial     uint16
	vendor     uint16
	origSerial uint32
}

type connRegistry struct {
	mu    sync.Mutex
	m     map[connKey]connInfo
	ring  [maxConns]connKey
	next  int
	count int
}

func (g *connRegistry) add(k connKey, v connInfo) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = make(map[connKey]connInfo)
	}
	if _, ok := g.m[k]; !ok {
		if g.count == maxConns {
			delete(g.m, g.ring[g.next])
		} else {
			g.count++
		}
		g.ring[g.next] = k
		g.next = (g.next + 1) % maxConns
	}
	g.m[k] = v
}

func (g *connRegistry) lookup(id uint32, src netip.Addr) (connInfo, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	v, ok := g.m[connKey{id, src}]
	return v, ok
}

// close forgets the connections of a Forward Close triad (the ring slot stays until reused).
func (g *connRegistry) close(serial, vendor uint16, origSerial uint32) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, v := range g.m {
		if v.serial == serial && v.vendor == vendor && v.origSerial == origSerial {
			delete(g.m, k) // its ring slot is recycled in FIFO order like any other
		}
	}
}

// conns returns the run's registry of Forward Open connections (Env.Shared): I/O flows on UDP
// 2222 are tied back to the explicit session that opened them.
func (p *parser) conns() *connRegistry {
	return p.env.Shared("enip.connections", func() any { return &connRegistry{} }).(*connRegistry)
}
