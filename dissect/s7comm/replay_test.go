package s7comm

import (
	"encoding/binary"
	"net/netip"
	"os"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// A small capture replayer for the corpus tests: pcap/pcapng, Ethernet/SLL/raw IPv4, TCP
// streams reassembled in sequence order (retransmissions trimmed, holes become Gap). It
// mimics the engine's contract closely enough to check our logs against tshark and ICSNPP
// without depending on internal/engine.

type rawPkt struct {
	ts   int64
	link uint32
	data []byte
}

func readCapture(t testing.TB, path string) []rawPkt {
	t.Helper()
	d, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []rawPkt
	if len(d) >= 4 && binary.LittleEndian.Uint32(d) == 0x0a0d0d0a {
		var links []uint32
		var le binary.ByteOrder = binary.LittleEndian
		for off := 0; off+12 <= len(d); {
			bt, bl := le.Uint32(d[off:]), int(le.Uint32(d[off+4:]))
			if bt == 0x0a0d0d0a && binary.BigEndian.Uint32(d[off+8:]) == 0x1a2b3c4d {
				le = binary.BigEndian
				bl = int(le.Uint32(d[off+4:]))
			}
			if bl < 12 || off+bl > len(d) {
				break
			}
			blk := d[off : off+bl]
			switch bt {
			case 1:
				links = append(links, uint32(le.Uint16(blk[8:])))
			case 6:
				iface, cl := le.Uint32(blk[8:]), int(le.Uint32(blk[20:]))
				ts := int64(le.Uint32(blk[12:]))<<32 | int64(le.Uint32(blk[16:]))
				if int(iface) < len(links) && 28+cl <= len(blk) {
					out = append(out, rawPkt{ts * 1000, links[iface], blk[28 : 28+cl]})
				}
			}
			off += bl
		}
		return out
	}
	if len(d) < 24 {
		t.Fatalf("%s: not a capture", path)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	magic := binary.LittleEndian.Uint32(d)
	if magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1 {
		bo = binary.BigEndian
		magic = bo.Uint32(d)
	}
	nano := magic == 0xa1b23c4d
	link := bo.Uint32(d[20:])
	for off := 24; off+16 <= len(d); {
		sec, frac, cl := int64(bo.Uint32(d[off:])), int64(bo.Uint32(d[off+4:])), int(bo.Uint32(d[off+8:]))
		if off+16+cl > len(d) {
			break
		}
		if !nano {
			frac *= 1000
		}
		out = append(out, rawPkt{sec*1e9 + frac, link, d[off+16 : off+16+cl]})
		off += 16 + cl
	}
	return out
}

type segment struct {
	ts            int64
	src, dst      netip.AddrPort
	seq           uint32
	syn, fin, rst bool
	payload       []byte
}

func tcpSegment(p rawPkt) (s segment, ok bool) {
	b := p.data
	switch p.link {
	case 1:
		if len(b) < 14 {
			return s, false
		}
		et, off := binary.BigEndian.Uint16(b[12:]), 14
		for et == 0x8100 && len(b) >= off+4 {
			et, off = binary.BigEndian.Uint16(b[off+2:]), off+4
		}
		if et != 0x0800 {
			return s, false
		}
		b = b[off:]
	case 113:
		if len(b) < 16 {
			return s, false
		}
		b = b[16:]
	case 276:
		if len(b) < 20 {
			return s, false
		}
		b = b[20:]
	case 101, 12, 228:
	default:
		return s, false
	}
	if len(b) < 20 || b[0]>>4 != 4 || b[9] != 6 {
		return s, false
	}
	ihl, tl := int(b[0]&15)*4, int(binary.BigEndian.Uint16(b[2:]))
	if tl > len(b) || tl < ihl+20 {
		tl = len(b)
	}
	src, _ := netip.AddrFromSlice(b[12:16])
	dst, _ := netip.AddrFromSlice(b[16:20])
	tcp := b[ihl:tl]
	if len(tcp) < 20 {
		return s, false
	}
	doff := int(tcp[12]>>4) * 4
	if doff > len(tcp) {
		return s, false
	}
	fl := tcp[13]
	s = segment{ts: p.ts, src: netip.AddrPortFrom(src, binary.BigEndian.Uint16(tcp)),
		dst: netip.AddrPortFrom(dst, binary.BigEndian.Uint16(tcp[2:])), seq: binary.BigEndian.Uint32(tcp[4:]),
		syn: fl&2 != 0, fin: fl&1 != 0, rst: fl&4 != 0, payload: tcp[doff:]}
	return s, true
}

type heldChunk struct {
	dir  dissect.Dir
	data []byte
}

type replayFlow struct {
	orig     netip.AddrPort
	env      *dissect.Env
	parser   dissect.Parser
	stream   *dissecttest.Stream
	next     [2]uint32
	started  [2]bool
	probeBuf [2][]byte
	held     []heldChunk
	decided  bool
}

// replay feeds every TCP flow of a capture to the s7comm factory, probing first as the engine
// does, and returns everything the parsers emitted.
func replay(t testing.TB, path string) *dissecttest.Capture {
	t.Helper()
	f := dissect.Lookup("s7comm")
	out := &dissecttest.Capture{}
	flows := map[[2]netip.AddrPort]*replayFlow{}
	var order []*replayFlow
	for i, p := range readCapture(t, path) {
		s, ok := tcpSegment(p)
		if !ok {
			continue
		}
		key := [2]netip.AddrPort{s.src, s.dst}
		if s.dst.Compare(s.src) < 0 {
			key = [2]netip.AddrPort{s.dst, s.src}
		}
		fl := flows[key]
		if fl == nil {
			orig, resp := s.src, s.dst
			if s.src.Port() == 102 && !s.syn { // joined mid-stream: the server is the responder
				orig, resp = s.dst, s.src
			}
			info := &dissect.FlowInfo{UID: "C" + itoa(i), Proto: 6,
				Orig: dissect.Endpoint{IP: orig.Addr(), Port: orig.Port()},
				Resp: dissect.Endpoint{IP: resp.Addr(), Port: resp.Port()}}
			fl = &replayFlow{orig: orig, env: &dissect.Env{Flow: info, Name: "s7comm", Out: out}}
			flows[key] = fl
			order = append(order, fl)
		}
		dir := dissect.Orig
		if s.src != fl.orig {
			dir = dissect.Resp
		}
		fl.env.TS = s.ts
		seq := s.seq
		if s.syn {
			fl.next[dir], fl.started[dir] = seq+1, true
			continue
		}
		data := s.payload
		if len(data) == 0 {
			continue
		}
		if !fl.started[dir] {
			fl.next[dir], fl.started[dir] = seq, true
		}
		if d := int32(seq - fl.next[dir]); d < 0 { // retransmission / overlap
			if -int(d) >= len(data) {
				continue
			}
			data = data[-d:]
		} else if d > 0 {
			if fl.stream != nil {
				fl.stream.Gap(dir, int(d))
			}
		}
		fl.next[dir] = s.seq + uint32(len(s.payload))
		if !fl.decided {
			fl.probeBuf[dir] = append(fl.probeBuf[dir], data...)
			fl.held = append(fl.held, heldChunk{dir, append([]byte(nil), data...)})
			switch f.Probe(dir, fl.probeBuf[dir]) {
			case dissect.Match:
				fl.decided = true
				fl.parser = f.New(fl.env)
				fl.stream = &dissecttest.Stream{P: fl.parser}
				for _, h := range fl.held {
					if err := fl.stream.Write(t, h.dir, h.data); err != nil {
						t.Fatal(err)
					}
				}
			case dissect.NoMatch:
				fl.decided = true
			default:
				if len(fl.probeBuf[dir]) > dissect.ProbeDepth {
					fl.decided = true
				}
			}
			continue
		}
		if fl.stream != nil {
			if err := fl.stream.Write(t, dir, data); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, fl := range order {
		if fl.parser != nil {
			fl.parser.Close()
		}
	}
	return out
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}
