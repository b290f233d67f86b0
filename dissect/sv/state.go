package sv

import (
	"bytes"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

const logSV = "sv"

// stream is one (APPID, svID) publication.
type stream struct {
	appid    uint16
	svID     []byte // copied once
	datSet   []byte // copied on change (rare)
	confRev  uint32
	smpSynch uint8
	smpRate  uint16
	hasRate  bool
	numASDU  int
	lastCnt  uint16
	frames   uint64 // since the previous record
	gaps     uint64 // smpCnt discontinuities since the previous record
	backs    uint64 // smpCnt regressions since the previous record
	jumpSeen bool   // a jump weird was written this period
	backSeen bool
	notSynch bool
	sim      bool
}

type parser struct {
	env         *dissect.Env
	streams     []stream
	full        bool
	roleSent    bool
	periodStart int64
	malformed   uint64 // malformed frames since the last summary
	malReported bool
	f           frame
}

func newParser(env *dissect.Env) dissect.Parser {
	return &parser{env: env, streams: make([]stream, 0, 2)}
}

// Parse decodes one SV frame payload (after the Ethertype).
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	env := p.env
	if p.periodStart == 0 {
		p.periodStart = env.TS
	} else if env.TS-p.periodStart >= summaryPeriod {
		p.summarise("periodic")
		p.periodStart = env.TS
	}
	if !p.roleSent {
		p.roleSent = true
		env.Fact(dissect.Orig, dissect.AttrRole, "sv_publisher", "sv.src_mac")
	}
	if len(b) < headerLen {
		env.Weird(weirdTruncated, "frame shorter than the SV header")
		return len(b), nil
	}
	env.PDU()
	f := &p.f
	*f = frame{}
	f.appid = uint16(b[0])<<8 | uint16(b[1])
	f.length = uint16(b[2])<<8 | uint16(b[3])
	f.reserved1 = uint16(b[4])<<8 | uint16(b[5])
	end := int(f.length)
	if end < headerLen || end > len(b) {
		end = len(b)
	}
	if !f.parseAPDU(b[headerLen:end]) {
		p.malformed++
		if !p.malReported {
			p.malReported = true
			env.Weird(weirdMalformed, "appid "+strconv.Itoa(int(f.appid)))
		}
		return len(b), nil
	}
	if f.noASDU != f.n && f.n < maxASDU {
		env.Weird(weirdASDUCount, "noASDU "+strconv.Itoa(f.noASDU)+" but "+strconv.Itoa(f.n)+" ASDUs")
	}
	for i := 0; i < f.n; i++ {
		p.asdu(&f.asdus[i], f)
	}
	return len(b), nil
}

// asdu updates the stream of a and writes a record when the stream is new or changed.
func (p *parser) asdu(a *asdu, f *frame) {
	env := p.env
	s, isNew := p.lookup(f.appid, a.svID)
	if s == nil {
		return
	}
	changed := !isNew && (s.confRev != a.confRev || s.smpSynch != a.smpSynch || s.numASDU != f.n ||
		!bytes.Equal(s.datSet, a.datSet))
	if !isNew && s.confRev != a.confRev {
		env.Event(dissect.Orig, dissect.EvConfigWrite, "sv_id "+string(a.svID)+" conf_rev "+
			strconv.FormatUint(uint64(s.confRev), 10)+" -> "+strconv.FormatUint(uint64(a.confRev), 10))
	}
	if !isNew {
		// smpCnt counts samples and wraps at the sample rate (synchronised) or at 65536.
		want := s.lastCnt + 1
		switch {
		case a.smpCnt == want || a.smpCnt == 0:
		case a.smpCnt <= s.lastCnt:
			s.backs++
			if !s.backSeen {
				s.backSeen = true
				env.Weird(weirdSmpCntBack, "sv_id "+string(a.svID)+" smp_cnt "+
					strconv.Itoa(int(s.lastCnt))+" -> "+strconv.Itoa(int(a.smpCnt)))
			}
		default:
			s.gaps++
			if !s.jumpSeen {
				s.jumpSeen = true
				env.Weird(weirdSmpCntJump, "sv_id "+string(a.svID)+" smp_cnt "+
					strconv.Itoa(int(s.lastCnt))+" -> "+strconv.Itoa(int(a.smpCnt)))
			}
		}
	}
	s.lastCnt = a.smpCnt
	s.frames++
	ns := a.smpSynch == 0
	if ns && !s.notSynch {
		env.Weird(weirdNotSynch, "sv_id "+string(a.svID))
	}
	s.notSynch = ns
	sim := f.reserved1&0x8000 != 0
	if sim && !s.sim {
		env.Weird(weirdSimulation, "sv_id "+string(a.svID))
	}
	s.sim = sim
	if isNew || changed {
		s.confRev, s.smpSynch, s.numASDU = a.confRev, a.smpSynch, f.n
		s.smpRate, s.hasRate = a.smpRate, a.hasRate
		if !bytes.Equal(s.datSet, a.datSet) {
			s.datSet = append(s.datSet[:0], a.datSet...)
		}
		reason := "new"
		if changed {
			reason = "change"
		}
		p.record(s, reason)
	}
}

// record writes the sv.log line of s and starts a new counting period for it.
func (p *parser) record(s *stream, reason string) {
	env := p.env
	r := env.LogBare(logSV)
	r.MAC("src_mac", env.Flow.Orig.MAC).MAC("dst_mac", env.Flow.Resp.MAC)
	r.HexUint("appid", uint64(s.appid), 4)
	r.Bytes("sv_id", s.svID)
	if len(s.datSet) > 0 {
		r.Bytes("dataset", s.datSet)
	}
	r.Uint("smp_cnt", uint64(s.lastCnt))
	r.Uint("conf_rev", uint64(s.confRev))
	r.Str("smp_synch", synchName(s.smpSynch))
	if s.hasRate {
		r.Uint("smp_rate", uint64(s.smpRate))
	}
	r.Uint("num_asdu", uint64(s.numASDU))
	r.Uint("frames", s.frames)
	r.Uint("smp_cnt_gaps", s.gaps).Uint("smp_cnt_regressions", s.backs)
	r.Str("reason", reason)
	r.Done()
	s.frames, s.gaps, s.backs = 0, 0, 0
	s.jumpSeen, s.backSeen = false, false
}

// summarise writes a record for every stream that saw frames since its last record.
func (p *parser) summarise(reason string) {
	for i := range p.streams {
		if p.streams[i].frames > 0 {
			p.record(&p.streams[i], reason)
		}
	}
	p.malformed, p.malReported = 0, false
}

func (p *parser) lookup(appid uint16, svID []byte) (*stream, bool) {
	for i := range p.streams {
		s := &p.streams[i]
		if s.appid == appid && bytes.Equal(s.svID, svID) {
			return s, false
		}
	}
	if len(p.streams) >= maxStreams {
		if !p.full {
			p.full = true
			p.env.Weird(weirdStreamsFull, "more than "+strconv.Itoa(maxStreams)+" SV streams on one MAC pair")
		}
		return nil, false
	}
	p.streams = append(p.streams, stream{appid: appid, svID: append([]byte(nil), svID...)})
	p.env.Fact(dissect.Orig, dissect.AttrName, string(svID), "sv.sv_id")
	return &p.streams[len(p.streams)-1], true
}

// Gap is not used: SV is one frame per Parse call.
func (p *parser) Gap(dir dissect.Dir, lost int) {}

// Close writes the last summary of every stream.
func (p *parser) Close() { p.summarise("close") }

// Interface guards
var _ dissect.Parser = (*parser)(nil)
