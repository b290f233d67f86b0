package engine

import (
	"net/netip"

	"github.com/quietwire/quietwire/dissect"
)

// key identifies a flow symmetrically: the two endpoints are stored in a canonical order so
// that both directions find the same entry.
type key struct {
	a, b   [16]byte
	pa, pb uint16
	vlan   uint16
	proto  uint8
	v6     bool
}

// Endpoint states, after Zeek's TCP endpoint states.
const (
	stInactive uint8 = iota
	stSynSent
	stSynAckSent
	stPartial
	stEstablished
	stClosed
	stReset
)

// dirState is one direction of a flow (indexed by dissect.Dir).
type dirState struct {
	pkts    uint64
	ipBytes uint64
	bytes   uint64 // payload bytes (UDP) or stream bytes delivered + missed (TCP)
	missed  uint64
	state   uint8
	hist    uint16 // history letters already recorded for this direction (bit per letter)

	// TCP stream
	seqInit bool
	next    uint32 // next expected sequence number
	ooo     []seg  // out-of-order segments, sorted by seq
	oooLen  int

	// parser input
	pending []byte
}

type seg struct {
	seq  uint32
	data []byte
}

// Flow is one connection. The fields every packet touches come first, so that a packet of a
// flow whose memory has gone cold (a large plant's thousands of cyclic flows) misses on as few
// cache lines as possible: the key and clocks in the first line, the parser, evidence and
// direction counters in the next ones.
type Flow struct {
	key    key
	hash   uint64 // key.hash() when the flow is in the worker's table, 0 for layer-2 flows
	last   int64
	queued int64 // packet time the flow last moved to the front of its LRU list

	parser dissect.Parser
	env    *dissect.Env // &envMem once a parser is attached
	// evidence: the worker's ring, and seq+1 of this flow's latest record in it (0: none)
	ring    *ring
	evLast  uint64
	class   uint8 // timeout class: tcp, udp, other
	origA   bool  // key endpoint a is the originator
	probing bool
	closed  bool    // FIN both ways or RST: expire soon
	parsed  [2]bool // the parser consumed bytes in this direction

	dirs [2]dirState

	info  dissect.FlowInfo
	first int64
	hist  []byte

	// dissection
	fac      *dissect.Factory
	cands    []*dissect.Factory // still-possible factories while probing
	probeBuf []probeChunk
	probeLen [2]int
	service  string

	// LRU
	prev, next *Flow
	uidGen     uint64

	envMem dissect.Env

	// the records of the flow's first evFirstN packets (see ring)
	evFirst    [evFirstN]ringRec
	evFirstLen uint8
}

type probeChunk struct {
	dir  dissect.Dir
	data []byte
}

// history letter bits, per direction
const (
	hSyn = 1 << iota
	hSynAck
	hAck
	hData
	hFin
	hRst
	hRetrans
	hZeroWin
	hGap
	hInconsistent
	hMulti
)

func (f *Flow) addHist(d dissect.Dir, bit uint16, letter byte) {
	ds := &f.dirs[d]
	if ds.hist&bit != 0 {
		return
	}
	ds.hist |= bit
	if d == dissect.Orig {
		letter -= 'a' - 'A'
	}
	f.hist = append(f.hist, letter)
}

func addrFrom(b [16]byte, v6 bool) netip.Addr {
	if v6 {
		return netip.AddrFrom16(b)
	}
	return netip.AddrFrom4([4]byte{b[0], b[1], b[2], b[3]})
}

// lru is a doubly linked list of flows ordered by last activity (most recent at head).
type lru struct {
	head, tail *Flow
	n          int
}

func (l *lru) pushFront(f *Flow) {
	f.prev, f.next = nil, l.head
	if l.head != nil {
		l.head.prev = f
	}
	l.head = f
	if l.tail == nil {
		l.tail = f
	}
	l.n++
}

func (l *lru) remove(f *Flow) {
	if f.prev != nil {
		f.prev.next = f.next
	} else {
		l.head = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	} else {
		l.tail = f.prev
	}
	f.prev, f.next = nil, nil
	l.n--
}

func (l *lru) touch(f *Flow) {
	if l.head == f {
		return
	}
	l.remove(f)
	l.pushFront(f)
}
