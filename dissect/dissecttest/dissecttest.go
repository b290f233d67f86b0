// Package dissecttest helps dissector tests: an Env that records everything a parser emits,
// a stream feeder with the engine's buffering semantics, and the registry-wide fuzz harness.
package dissecttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

// Capture is an Output that keeps every record, fact and event.
type Capture struct {
	Records []Rec
	Facts   []dissect.Fact
	Events  []dissect.Event
}

// Rec is one decoded log line.
type Rec struct {
	Log    string
	Fields map[string]any
	Raw    string
}

// Record implements dissect.Output. It fails loudly on invalid JSON.
func (c *Capture) Record(log string, line []byte) {
	m := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		panic(fmt.Sprintf("dissecttest: %s record is not valid JSON: %v: %s", log, err, line))
	}
	c.Records = append(c.Records, Rec{Log: log, Fields: m, Raw: string(line)})
}

// Fact implements dissect.Output.
func (c *Capture) Fact(f *dissect.Fact) { c.Facts = append(c.Facts, *f) }

// Event implements dissect.Output.
func (c *Capture) Event(e *dissect.Event) {
	ev := *e
	ev.Detail = strings.Clone(e.Detail) // EventBytes details alias the parser's buffers
	c.Events = append(c.Events, ev)
}

// Logs returns the records of one log.
func (c *Capture) Logs(name string) []Rec {
	var out []Rec
	for _, r := range c.Records {
		if r.Log == name {
			out = append(out, r)
		}
	}
	return out
}

// Get returns a field of a record as a string ("" when absent); numbers keep their JSON text.
func (r Rec) Get(k string) string {
	v, ok := r.Fields[k]
	if !ok || v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Flow is the FlowInfo tests use: 10.0.0.1:50000 → 10.0.0.2:port over proto.
func Flow(proto uint8, port uint16) *dissect.FlowInfo {
	return &dissect.FlowInfo{
		UID:   "CTEST0000000000001",
		Orig:  dissect.Endpoint{IP: netip.MustParseAddr("10.0.0.1"), Port: 50000, MAC: [6]byte{0, 1, 2, 3, 4, 5}},
		Resp:  dissect.Endpoint{IP: netip.MustParseAddr("10.0.0.2"), Port: port, MAC: [6]byte{0, 1, 2, 3, 4, 6}},
		Proto: proto,
	}
}

// NewEnv returns an Env for factory name over flow, recording into a new Capture.
func NewEnv(name string, flow *dissect.FlowInfo) (*dissect.Env, *Capture) {
	c := &Capture{}
	return &dissect.Env{Flow: flow, Name: name, TS: 1_600_000_000_000_000_000, Out: c}, c
}

// Stream feeds a parser the way the engine does for TCP: it keeps what Parse did not consume
// and prepends it to the next chunk, per direction.
type Stream struct {
	P       dissect.Parser
	pending [2][]byte
}

// Write offers chunk in dir. It returns Parse's error, and fails if Parse breaks the contract.
func (s *Stream) Write(t testing.TB, dir dissect.Dir, chunk []byte) error {
	t.Helper()
	buf := append(s.pending[dir], chunk...)
	n, err := s.P.Parse(dir, buf)
	if n < 0 || n > len(buf) {
		t.Fatalf("Parse returned n=%d for %d bytes", n, len(buf))
	}
	s.pending[dir] = append([]byte(nil), buf[n:]...)
	return err
}

// Gap drops the pending bytes of dir and reports lost bytes, as the engine does on a hole.
func (s *Stream) Gap(dir dissect.Dir, lost int) {
	s.pending[dir] = nil
	s.P.Gap(dir, lost)
}

// Pending returns how many bytes of dir are waiting for more data.
func (s *Stream) Pending(dir dissect.Dir) int { return len(s.pending[dir]) }

// Sep separates chunks in fuzz inputs: each chunk starts with a direction byte (even = orig,
// odd = resp); a chunk whose direction byte is 0xff is a gap of len(rest) bytes.
var Sep = []byte("\x01PKT")

// Fuzz is the registry-wide harness: it splits data into direction-tagged chunks and feeds them
// to a fresh parser from factory name, checking the contract (no panic, 0 ≤ n ≤ len(b), valid
// JSON in every record, pending bytes bounded by maxPending).
func Fuzz(t *testing.T, name string, data []byte, maxPending int) {
	f := dissect.Lookup(name)
	if f == nil {
		t.Fatalf("no factory %q registered", name)
	}
	proto := uint8(6)
	if f.Transport&dissect.TCP == 0 {
		proto = 17
	}
	port := uint16(0)
	if len(f.Ports) > 0 {
		port = f.Ports[0]
	}
	env, _ := NewEnv(name, Flow(proto, port))
	p := f.New(env)
	s := &Stream{P: p}
	for _, chunk := range bytes.Split(data, Sep) {
		if len(chunk) == 0 {
			continue
		}
		f.Probe(dissect.Dir(chunk[0]&1), chunk[1:])
		if chunk[0] == 0xff {
			s.Gap(dissect.Orig, len(chunk)-1)
			continue
		}
		dir := dissect.Dir(chunk[0] & 1)
		var err error
		if proto == 6 {
			err = s.Write(t, dir, chunk[1:])
			if s.Pending(dir) > maxPending {
				t.Fatalf("%d bytes pending in %s, cap %d", s.Pending(dir), dir, maxPending)
			}
		} else {
			_, err = p.Parse(dir, chunk[1:])
		}
		if err != nil {
			break
		}
	}
	p.Close()
}
