// Package sim generates a simulated OT network as a classic pcap, with the ground truth of
// what is in it: every device's identity, every communication edge and every injected attack
// scenario with the alerts the detector must raise.
//
// Output is a pure function of Config: the random source is a PCG seeded from Config.Seed,
// packet time starts at Config.Start (Epoch by default) and nothing iterates a map. Frames
// are produced in time order, so a caller can replay them at wall-clock pace.
package sim

import (
	"container/heap"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"time"
)

// Epoch is the default packet time of the first frame.
var Epoch = time.Date(2026, 1, 5, 6, 0, 0, 0, time.UTC)

// Profiles lists the accepted Config.Profile values.
var Profiles = []string{"plant", "substation", "building", "mixed"}

// Config selects what is simulated.
type Config struct {
	Profile   string        // plant, substation, building or mixed ("plant")
	Devices   int           // field devices (controllers, RTUs, IEDs, meters…) to simulate (0: the profile's default)
	Duration  time.Duration // capture length (10 min)
	Learning  time.Duration // learning window from the start (half of Duration)
	Scenarios []string      // scenario names; nil or empty means none
	Seed      uint64
	Start     time.Time // packet time of the capture start (Epoch)
}

func (c *Config) defaults() error {
	if c.Profile == "" {
		c.Profile = "plant"
	}
	ok := false
	for _, p := range Profiles {
		ok = ok || p == c.Profile
	}
	if !ok {
		return fmt.Errorf("sim: unknown profile %q (want one of %v)", c.Profile, Profiles)
	}
	if c.Duration <= 0 {
		c.Duration = 10 * time.Minute
	}
	if c.Learning <= 0 {
		c.Learning = c.Duration / 2
	}
	if c.Learning >= c.Duration {
		return errors.New("sim: the learning window must end before the capture does")
	}
	if c.Start.IsZero() {
		c.Start = Epoch
	}
	if c.Devices < 0 || c.Devices > 20000 {
		return fmt.Errorf("sim: --devices %d out of range 0..20000", c.Devices)
	}
	for _, s := range c.Scenarios {
		if scenarioByName(s) == nil {
			return fmt.Errorf("sim: unknown scenario %q (want one of %v)", s, ScenarioNames())
		}
	}
	return nil
}

// Frames runs the simulation and calls fn with every frame in time order. The frame is only
// valid during the call. An error from fn stops the run and is returned.
func Frames(cfg Config, fn func(ts time.Time, frame []byte) error) (*Truth, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := newSim(cfg, fn)
	s.build()
	s.run()
	if s.err != nil {
		return nil, s.err
	}
	s.finishTruth()
	return s.truth, nil
}

// Generate writes the simulation to w as a classic pcap (Ethernet, microsecond resolution,
// little-endian) and returns the truth.
func Generate(cfg Config, w io.Writer) (*Truth, error) {
	pw := &pcapWriter{w: w}
	if err := pw.header(); err != nil {
		return nil, err
	}
	return Frames(cfg, pw.packet)
}

type pcapWriter struct {
	w   io.Writer
	buf []byte
}

func (p *pcapWriter) header() error {
	h := cat(le32(0xa1b2c3d4), le16(2), le16(4), le32(0), le32(0), le32(65535), le32(1))
	_, err := p.w.Write(h)
	return err
}

func (p *pcapWriter) packet(ts time.Time, frame []byte) error {
	us := ts.UnixMicro()
	p.buf = append(p.buf[:0], le32(uint32(us/1e6))...)
	p.buf = append(p.buf, le32(uint32(us%1e6))...)
	p.buf = append(p.buf, le32(uint32(len(frame)))...)
	p.buf = append(p.buf, le32(uint32(len(frame)))...)
	p.buf = append(p.buf, frame...)
	_, err := p.w.Write(p.buf)
	return err
}

// task is a scheduled action at a packet time (ns from the start).
type task struct {
	at  int64
	seq uint64
	fn  func(now int64)
}

type taskHeap []*task

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h taskHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *taskHeap) Push(x any)   { *h = append(*h, x.(*task)) }
func (h *taskHeap) Pop() any     { o := *h; x := o[len(o)-1]; *h = o[:len(o)-1]; return x }
func (h taskHeap) peek() *task   { return h[0] }
func (h *taskHeap) push(t *task) { heap.Push(h, t) }

type pkt struct {
	at    int64
	seq   uint64
	frame []byte
}

type pktHeap []pkt

func (h pktHeap) Len() int { return len(h) }
func (h pktHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h pktHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pktHeap) Push(x any)   { *h = append(*h, x.(pkt)) }
func (h *pktHeap) Pop() any     { o := *h; x := o[len(o)-1]; *h = o[:len(o)-1]; return x }

const (
	ms  = int64(time.Millisecond)
	us  = int64(time.Microsecond)
	sec = int64(time.Second)
)

type sim struct {
	cfg   Config
	rng   *rand.Rand
	out   func(time.Time, []byte) error
	err   error
	end   int64
	learn int64
	now   int64
	seq   uint64
	tasks taskHeap
	pkts  pktHeap
	truth *Truth

	hosts  []*host
	byRole map[string][]*host
	router *host
	vlans  []*zone
	edges  map[edgeKey]bool
	eorder []edgeKey

	itZone       *zone
	fieldClient  map[*host]*host
	mb           map[*host]*mbSession
	dnp          map[*host]*dnpSession
	ied          map[*host]*mmsSession
	s7fw         map[*host][3]byte
	dnsID        uint16
	oneWay       bool // the next dial is mirrored in one direction only
	lastScenario string
}

func newSim(cfg Config, fn func(time.Time, []byte) error) *sim {
	return &sim{
		cfg:    cfg,
		rng:    rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		out:    fn,
		end:    int64(cfg.Duration),
		learn:  int64(cfg.Learning),
		byRole: map[string][]*host{},
		edges:  map[edgeKey]bool{},

		fieldClient: map[*host]*host{},
		mb:          map[*host]*mbSession{},
		dnp:         map[*host]*dnpSession{},
		ied:         map[*host]*mmsSession{},
		s7fw:        map[*host][3]byte{},
		truth: &Truth{
			Profile: cfg.Profile, Seed: cfg.Seed, Start: cfg.Start,
			End: cfg.Start.Add(cfg.Duration), LearningEnd: cfg.Start.Add(cfg.Learning),
		},
	}
}

// at schedules fn at packet time t (ns from the start). Tasks at or after the end are dropped.
func (s *sim) at(t int64, fn func(now int64)) {
	if t < s.now {
		t = s.now
	}
	if t >= s.end {
		return
	}
	s.seq++
	s.tasks.push(&task{at: t, seq: s.seq, fn: fn})
}

// every runs fn every period (with ±jitter fraction) from first on.
func (s *sim) every(first, period int64, jitter float64, fn func(now int64)) {
	var tick func(now int64)
	tick = func(now int64) {
		fn(now)
		d := period
		if jitter > 0 {
			d += int64((s.rng.Float64()*2 - 1) * jitter * float64(period))
		}
		s.at(now+d, tick)
	}
	s.at(first, tick)
}

// emit queues a frame at packet time t.
func (s *sim) emit(t int64, frame []byte) {
	if t < s.now {
		t = s.now
	}
	s.seq++
	heap.Push(&s.pkts, pkt{at: t, seq: s.seq, frame: frame})
}

func (s *sim) flush(upTo int64) {
	for s.err == nil && len(s.pkts) > 0 && s.pkts[0].at <= upTo {
		p := heap.Pop(&s.pkts).(pkt)
		if p.at > s.end+5*sec {
			continue
		}
		s.err = s.out(s.cfg.Start.Add(time.Duration(p.at)), p.frame)
	}
}

func (s *sim) run() {
	for len(s.tasks) > 0 && s.err == nil {
		t := heap.Pop(&s.tasks).(*task)
		s.flush(t.at)
		s.now = t.at
		t.fn(t.at)
	}
	s.flush(1 << 62)
}

// jit returns d scaled by a random factor in [1-f, 1+f].
func (s *sim) jit(d int64, f float64) int64 {
	return d + int64((s.rng.Float64()*2-1)*f*float64(d))
}

// rtt is a LAN round trip: a few hundred microseconds.
func (s *sim) rtt() int64 { return 150*us + s.rng.Int64N(250*us) }

// think is a device's processing time before it answers.
func (s *sim) think() int64 { return 500*us + s.rng.Int64N(4*ms) }

// zone is a VLAN and its subnet.
type zone struct {
	name   string
	vlan   uint16
	prefix netip.Prefix
	next   int // next host number
	purdue int
}

func (z *zone) addr(n int) netip.Addr {
	a := z.prefix.Addr().As4()
	a[2] += byte(n / 250)
	a[3] = byte(n%250) + 1
	return netip.AddrFrom4(a)
}
