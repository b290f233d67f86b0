package goose

import (
	"bytes"
	"crypto/sha256"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

const logGoose = "goose"

// stream is what the parser remembers about one GOOSE control block publication.
type stream struct {
	appid      uint16
	ref        []byte // gocbRef (copied once, when the stream is first seen)
	seen       bool   // stNum/sqNum hold a previous frame's values
	stNum      int64
	sqNum      int64
	confRev    int64
	hasConfRev bool
	// Conditions reported on transition only, so that a publisher repeating a frame every
	// few milliseconds does not flood weird.log.
	simulation, simulateBit, ttlZero, ndsCom, mismatch, allDataBad bool
}

// parser handles one (source MAC, destination MAC, VLAN) GOOSE pseudo-flow.
type parser struct {
	env      *dissect.Env
	streams  []stream
	full     bool // stream table full reported
	roleSent bool
}

func newParser(env *dissect.Env) dissect.Parser {
	return &parser{env: env, streams: make([]stream, 0, 4)}
}

// Parse decodes one GOOSE frame payload (the bytes after the Ethertype).
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	env := p.env
	if len(b) < headerLen {
		env.Weird(weirdTruncated, "frame shorter than the GOOSE header")
		return len(b), nil
	}
	env.PDU()
	var g pdu
	g.appid = uint16(b[0])<<8 | uint16(b[1])
	g.length = uint16(b[2])<<8 | uint16(b[3])
	g.reserved1 = uint16(b[4])<<8 | uint16(b[5])
	g.reserved2 = uint16(b[6])<<8 | uint16(b[7])
	end := int(g.length)
	switch {
	case end < headerLen:
		env.Weird(weirdBadLength, "GOOSE length below 8")
		end = len(b)
	case end > len(b):
		env.Weird(weirdTruncated, "GOOSE length beyond the frame")
		end = len(b)
	}
	g.parseAPDU(b[headerLen:end])
	p.log(&g)
	p.track(&g)
	return len(b), nil
}

// log writes the goose.log record for g.
func (p *parser) log(g *pdu) {
	env := p.env
	r := env.LogBare(logGoose)
	r.MAC("src_mac", env.Flow.Orig.MAC).MAC("dst_mac", env.Flow.Resp.MAC)
	r.HexUint("eth_type", EtherType, 1).HexUint("appid", uint64(g.appid), 1)
	r.Uint("length", uint64(g.length))
	r.Bytes("gocb_ref", g.gocbRef)
	r.Int("time_allowed_to_live", g.ttl)
	r.Bytes("dataset", g.datSet)
	if g.have&hasGoID != 0 {
		r.Bytes("go_id", g.goID)
	}
	if g.have&hasT != 0 {
		sec, usec := utcTime(g.t)
		r.Float("timestamp", float64(sec)+float64(usec)/1e6)
		r.HexUint("timestamp_quality", uint64(g.t[7]), 1)
	}
	r.Int("st_num", g.stNum).Int("sq_num", g.sqNum)
	r.Bool("simulation", g.simulation)
	r.Int("conf_rev", g.confRev)
	r.Bool("nds_com", g.ndsCom)
	r.Int("num_dat_set_entries", g.numEntries)
	if g.have&hasAllData != 0 {
		sum := sha256.Sum256(g.allData)
		r.Hex("all_data_hash", sum[:])
	} else {
		r.Str("all_data_hash", "")
	}
	r.Str("all_data_raw_hex", "")
	st, perr := g.status()
	r.Str("parse_status", st).Str("parse_error", perr)
	r.Done()
}

// track updates the (APPID, gocbRef) stream state and reports anomalies, facts and events.
func (p *parser) track(g *pdu) {
	env := p.env
	if !p.roleSent {
		p.roleSent = true
		env.Fact(dissect.Orig, dissect.AttrRole, "goose_publisher", "goose.src_mac")
	}
	if g.malformed {
		env.Weird(weirdMalformed, "")
		return
	}
	if g.have&required != required || g.have&hasGocbRef == 0 {
		env.Weird(weirdMissingField, "")
	}
	if g.have&hasGocbRef == 0 {
		return
	}
	s := p.lookup(g)
	if s == nil {
		return
	}
	if g.have&hasStNum != 0 && g.have&hasSqNum != 0 {
		p.sequence(s, g)
	}
	if g.have&hasConfRev != 0 {
		if s.hasConfRev && g.confRev != s.confRev {
			env.Event(dissect.Orig, dissect.EvConfigWrite, "gocb_ref "+string(g.gocbRef)+" conf_rev "+
				strconv.FormatInt(s.confRev, 10)+" -> "+strconv.FormatInt(g.confRev, 10))
		}
		s.confRev, s.hasConfRev = g.confRev, true
	}
	p.flag(&s.simulation, g.have&hasSimulation != 0 && g.simulation, weirdSimulation, g)
	p.flag(&s.simulateBit, g.reserved1&0x8000 != 0, weirdSimulateBit, g)
	p.flag(&s.ttlZero, g.have&hasTTL != 0 && g.ttl <= 0, weirdTTLZero, g)
	p.flag(&s.ndsCom, g.have&hasNdsCom != 0 && g.ndsCom, weirdNdsCom, g)
	p.flag(&s.allDataBad, g.have&hasAllData != 0 && g.allDataBad, weirdAllDataBad, g)
	p.flag(&s.mismatch, g.have&hasAllData != 0 && g.have&hasNumEntries != 0 && !g.allDataBad &&
		int64(g.entries) != g.numEntries, weirdEntriesMismatch, g)
}

// sequence checks stNum/sqNum against the stream's previous frame. A publisher increments
// stNum on every data change (sqNum back to 0 or 1) and sqNum on every retransmission
// (IEC 61850-8-1 §18.1.2.5); both wrap at 2^32-1.
func (p *parser) sequence(s *stream, g *pdu) {
	env := p.env
	const wrap = 1<<32 - 1
	switch {
	case !s.seen:
	case g.stNum == s.stNum:
		if g.sqNum < s.sqNum && s.sqNum != wrap {
			env.Weird(weirdSqReset, "gocb_ref "+string(g.gocbRef)+" st_num "+strconv.FormatInt(g.stNum, 10)+
				" sq_num "+strconv.FormatInt(s.sqNum, 10)+" -> "+strconv.FormatInt(g.sqNum, 10))
		}
	case g.stNum < s.stNum && s.stNum != wrap:
		env.Weird(weirdStRegression, "gocb_ref "+string(g.gocbRef)+" st_num "+
			strconv.FormatInt(s.stNum, 10)+" -> "+strconv.FormatInt(g.stNum, 10))
	case g.stNum > s.stNum+1:
		env.Weird(weirdStJump, "gocb_ref "+string(g.gocbRef)+" st_num "+
			strconv.FormatInt(s.stNum, 10)+" -> "+strconv.FormatInt(g.stNum, 10))
	}
	s.stNum, s.sqNum, s.seen = g.stNum, g.sqNum, true
}

// flag reports name when cond becomes true for the stream, and re-arms when it clears.
func (p *parser) flag(state *bool, cond bool, name string, g *pdu) {
	if cond && !*state {
		p.env.Weird(name, "gocb_ref "+string(g.gocbRef))
	}
	*state = cond
}

// lookup returns the stream of g, creating it (and reporting its names) when new.
func (p *parser) lookup(g *pdu) *stream {
	for i := range p.streams {
		s := &p.streams[i]
		if s.appid == g.appid && bytes.Equal(s.ref, g.gocbRef) {
			return s
		}
	}
	if len(p.streams) >= maxStreams {
		if !p.full {
			p.full = true
			p.env.Weird(weirdStreamsFull, "more than "+strconv.Itoa(maxStreams)+" GOOSE control blocks on one MAC pair")
		}
		return nil
	}
	p.streams = append(p.streams, stream{appid: g.appid, ref: append([]byte(nil), g.gocbRef...)})
	p.env.Fact(dissect.Orig, dissect.AttrName, string(g.gocbRef), "goose.gocb_ref")
	if g.have&hasGoID != 0 {
		p.env.Fact(dissect.Orig, dissect.AttrName, string(g.goID), "goose.go_id")
	}
	return &p.streams[len(p.streams)-1]
}

// Gap is not used: GOOSE is one frame per Parse call.
func (p *parser) Gap(dir dissect.Dir, lost int) {}

// Close has nothing to flush: every frame is logged as it arrives.
func (p *parser) Close() {}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
