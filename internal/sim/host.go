package sim

import (
	"net/netip"
)

// host is a simulated network interface (one device may be one host).
type host struct {
	dev    *Device
	name   string
	mac    MAC
	ip     netip.Addr
	z      *zone
	ttl    uint8
	ipid   uint16
	eph    uint16
	used   bool
	routed bool // lives beyond the router: only its IP is seen
	// here makes the SPAN see this host's routed traffic on its own segment (scanners on
	// the operations network whose probes go to the router, answered or not).
	here bool
	kind string
	// per-kind state
	fw    string // current firmware as announced (firmware_change rewrites it)
	state map[string]int
}

func (h *host) nextPort() uint16 {
	h.eph++
	if h.eph < 49152 {
		h.eph = 49152
	}
	return h.eph
}

// obsZone is the segment where traffic between a and b is mirrored: their common zone, or
// the zone of the one nearer the process (lower Purdue level).
func (s *sim) obsZone(a, b *host) *zone {
	switch {
	case a.here:
		return a.z
	case b.here:
		return b.z
	case a.routed:
		return b.z
	case b.routed:
		return a.z
	case a.z == b.z:
		return a.z
	case a.z.purdue < b.z.purdue:
		return a.z
	case b.z.purdue < a.z.purdue:
		return b.z
	case a.z.vlan < b.z.vlan:
		return a.z
	}
	return b.z
}

// ip sends an IPv4 packet from a to b, as seen on their observation segment.
func (s *sim) ip(t int64, a, b *host, proto uint8, l4 []byte) {
	z := s.obsZone(a, b)
	src, dst := a.mac, b.mac
	ttl := a.ttl
	if a.z != z || a.routed {
		src = s.router.mac
		ttl--
	}
	if b.z != z || b.routed {
		dst = s.router.mac
	}
	a.ipid += 1 + uint16(s.rng.IntN(3))
	a.used = true
	if !a.routed {
		b.used = true
	}
	s.emit(t, ether(dst, src, z.vlan, 0, etIPv4, ipv4(a.ip, b.ip, proto, a.ipid, ttl, l4)))
}

// udp sends one datagram.
func (s *sim) udp(t int64, a, b *host, sport, dport uint16, payload []byte) {
	s.ip(t, a, b, 17, udpDgram(sport, dport, payload))
}

// udpBcast sends a datagram to the subnet broadcast of a's zone.
func (s *sim) udpBcast(t int64, a *host, dst netip.Addr, sport, dport uint16, payload []byte) {
	a.ipid++
	a.used = true
	s.emit(t, ether(bcastMAC, a.mac, a.z.vlan, 0, etIPv4, ipv4(a.ip, dst, 17, a.ipid, a.ttl, udpDgram(sport, dport, payload))))
}

// l2 sends a non-IP frame on a's zone.
func (s *sim) l2(t int64, a *host, dst MAC, prio uint8, et uint16, payload []byte) {
	a.used = true
	s.emit(t, ether(dst, a.mac, a.z.vlan, prio, et, payload))
}

// arpExchange: a asks who has b, b answers.
func (s *sim) arpExchange(t int64, a, b *host) {
	a.used, b.used = true, true
	s.emit(t, ether(bcastMAC, a.mac, a.z.vlan, 0, etARP, arpPkt(1, a.mac, a.ip, MAC{}, b.ip)))
	s.emit(t+s.rtt(), ether(a.mac, b.mac, b.z.vlan, 0, etARP, arpPkt(2, b.mac, b.ip, a.mac, a.ip)))
}

// conn is a TCP connection with correct sequence numbers in both directions.
type conn struct {
	s      *sim
	c, v   *host
	cp, sp uint16
	cs, vs uint32 // next sequence number of client and server
	oneWay bool   // only the client's direction is mirrored
	closed bool
	last   int64 // time of the last segment: exchanges on one connection never overlap
}

// dial opens a connection with a three-way handshake starting at t and records the edge.
// It returns the connection and the time the handshake completed.
func (s *sim) dial(t int64, c, v *host, port uint16, proto, scenario string) (*conn, int64) {
	k := &conn{s: s, c: c, v: v, cp: c.nextPort(), sp: port, cs: s.rng.Uint32(), vs: s.rng.Uint32(), oneWay: s.oneWay}
	s.oneWay = false
	if proto != "" {
		s.edge(c.ip, v.ip, proto, "tcp", port, scenario)
	}
	return k, k.handshake(t)
}

func (k *conn) handshake(t int64) int64 {
	s := k.s
	s.ip(t, k.c, k.v, 6, tcpSeg(k.cp, k.sp, k.cs, 0, fSYN, 64240, nil))
	k.cs++
	t += s.rtt()
	if !k.oneWay {
		s.ip(t, k.v, k.c, 6, tcpSeg(k.sp, k.cp, k.vs, k.cs, fSYN|fACK, 65535, nil))
	}
	k.vs++
	t += 50 * us
	s.ip(t, k.c, k.v, 6, tcpSeg(k.cp, k.sp, k.cs, k.vs, fACK, 64240, nil))
	return t
}

// send sends payload from the client (fromClient) or the server, in MSS-sized segments.
// It returns the time of the last segment.
func (k *conn) send(t int64, fromClient bool, payload []byte) int64 {
	s := k.s
	if t <= k.last {
		t = k.last + 30*us
	}
	defer func() { k.last = t }()
	for first := true; first || len(payload) > 0; first = false {
		n := min(len(payload), 1460)
		seg := payload[:n]
		payload = payload[n:]
		fl := uint8(fACK)
		if len(payload) == 0 {
			fl |= fPSH
		}
		if !first {
			t += 20 * us
		}
		if fromClient {
			s.ip(t, k.c, k.v, 6, tcpSeg(k.cp, k.sp, k.cs, k.vs, fl, 64240, seg))
			k.cs += uint32(n)
		} else {
			if !k.oneWay {
				s.ip(t, k.v, k.c, 6, tcpSeg(k.sp, k.cp, k.vs, k.cs, fl, 65535, seg))
			}
			k.vs += uint32(n)
		}
	}
	return t
}

// xchg sends a request and its answer after the device's think time; it returns the time
// of the answer.
func (k *conn) xchg(t int64, req, resp []byte) int64 {
	t = k.send(t, true, req)
	if resp == nil {
		return t
	}
	return k.send(t+k.s.think(), false, resp)
}

// ack sends a bare acknowledgement.
func (k *conn) ack(t int64, fromClient bool) {
	if fromClient {
		k.s.ip(t, k.c, k.v, 6, tcpSeg(k.cp, k.sp, k.cs, k.vs, fACK, 64240, nil))
	} else if !k.oneWay {
		k.s.ip(t, k.v, k.c, 6, tcpSeg(k.sp, k.cp, k.vs, k.cs, fACK, 65535, nil))
	}
}

// close runs the FIN exchange started by the client.
func (k *conn) close(t int64) int64 {
	if k.closed {
		return t
	}
	k.closed = true
	s := k.s
	if t <= k.last {
		t = k.last + 30*us
	}
	s.ip(t, k.c, k.v, 6, tcpSeg(k.cp, k.sp, k.cs, k.vs, fFIN|fACK, 64240, nil))
	k.cs++
	t += s.rtt()
	if !k.oneWay {
		s.ip(t, k.v, k.c, 6, tcpSeg(k.sp, k.cp, k.vs, k.cs, fFIN|fACK, 65535, nil))
	}
	k.vs++
	t += 50 * us
	s.ip(t, k.c, k.v, 6, tcpSeg(k.cp, k.sp, k.cs, k.vs, fACK, 64240, nil))
	return t
}
