package dissecttest

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

// Discard is an Output that keeps nothing, as a production writer would after copying: for
// allocation tests and benchmarks.
type Discard struct{}

// Record implements dissect.Output.
func (Discard) Record(string, []byte) {}

// Fact implements dissect.Output.
func (Discard) Fact(*dissect.Fact) {}

// Event implements dissect.Output.
func (Discard) Event(*dissect.Event) {}

// WeirdNames returns the name of every weird.log record, in order.
func (c *Capture) WeirdNames() []string {
	var out []string
	for _, r := range c.Logs("weird") {
		out = append(out, r.Get("name"))
	}
	return out
}

// WeirdCounts returns how many weird.log records carry each name.
func (c *Capture) WeirdCounts() map[string]int {
	m := map[string]int{}
	for _, r := range c.Logs("weird") {
		m[r.Get("name")]++
	}
	return m
}

// Want checks that record r has the given field values, kv being name, value pairs ("" = field
// absent); what names the record in the failure message.
func Want(t testing.TB, what string, r Rec, kv ...string) {
	t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		if got := r.Get(kv[i]); got != kv[i+1] {
			t.Errorf("%s: %s = %q, want %q (record %s)", what, kv[i], got, kv[i+1], r.Raw)
		}
	}
}

// ParseFrames gives p each frame as one whole datagram from the originator, as the engine does
// for UDP and Ethertype flows, advancing env.TS by every ns after each frame (0: a burst). It
// fails the test unless Parse consumes every frame without error.
func ParseFrames(t testing.TB, env *dissect.Env, p dissect.Parser, every int64, frames ...[]byte) {
	t.Helper()
	for _, f := range frames {
		if n, err := p.Parse(dissect.Orig, f); n != len(f) || err != nil {
			t.Fatalf("Parse = %d, %v", n, err)
		}
		env.TS += every
	}
}

// Chunk tags b with a direction byte for a Fuzz input: even = orig, odd = resp, 0xff = a gap
// of len(b) bytes.
func Chunk(dir byte, b []byte) []byte { return append([]byte{dir}, b...) }

// Seed joins tagged chunks (see Chunk) with Sep into one Fuzz input.
func Seed(chunks ...[]byte) []byte {
	var out []byte
	for i, c := range chunks {
		if i > 0 {
			out = append(out, Sep...)
		}
		out = append(out, c...)
	}
	return out
}

// SeedFrames is the Fuzz input of frames all sent by the originator (datagram and Ethertype
// protocols).
func SeedFrames(frames ...[]byte) []byte {
	chunks := make([][]byte, len(frames))
	for i, f := range frames {
		chunks[i] = Chunk(0, f)
	}
	return Seed(chunks...)
}

// Cat concatenates byte slices into a new one (for building test frames).
func Cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// BER builds one BER TLV with a one-byte tag and a short or long (0x81/0x82) definite length.
func BER(tag byte, v ...byte) []byte {
	b := []byte{tag}
	switch n := len(v); {
	case n < 0x80:
		b = append(b, byte(n))
	case n < 0x100:
		b = append(b, 0x81, byte(n))
	default:
		b = append(b, 0x82, byte(n>>8), byte(n))
	}
	return append(b, v...)
}

// Matrix describes the segmentation matrix of a TCP dissector: two whole PDUs sent by the
// originator, where to cut the first one, and a gap inside the first one after which the
// stream must resynchronise on the second.
type Matrix struct {
	Name      string                                // factory name
	Port      uint16                                // responder port of the test flow
	New       func(env *dissect.Env) dissect.Parser // the parser under test
	Log       string                                // the log with one record per PDU
	First     []byte                                // a whole PDU
	Second    []byte                                // another whole PDU
	Cut       int                                   // "over two segments": split First here
	GapAt     int                                   // "gap then resync": First's bytes sent before the gap
	GapLen    int                                   // bytes lost (GapAt+GapLen ≤ len(First))
	CheckEach func(t *testing.T, r Rec)             // optional: every record must pass it
}

// Run plays the matrix: one PDU over two segments, two PDUs in one segment, byte at a time,
// and a gap inside the first PDU followed by the second one. Each case checks the number of
// records and that nothing stays pending.
func (m Matrix) Run(t *testing.T) {
	t.Helper()
	two := Cat(m.First, m.Second)
	cases := []struct {
		name string
		feed func(t *testing.T, s *Stream)
		want int
	}{
		{"over two segments", func(t *testing.T, s *Stream) {
			s.Write(t, dissect.Orig, m.First[:m.Cut])
			s.Write(t, dissect.Orig, m.First[m.Cut:])
		}, 1},
		{"two in one segment", func(t *testing.T, s *Stream) { s.Write(t, dissect.Orig, two) }, 2},
		{"byte at a time", func(t *testing.T, s *Stream) {
			for _, c := range two {
				s.Write(t, dissect.Orig, []byte{c})
			}
		}, 2},
		{"gap then resync", func(t *testing.T, s *Stream) {
			s.Write(t, dissect.Orig, m.First[:m.GapAt])
			s.Gap(dissect.Orig, m.GapLen)
			s.Write(t, dissect.Orig, Cat(m.First[m.GapAt+m.GapLen:], m.Second))
		}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, c := NewEnv(m.Name, Flow(6, m.Port))
			s := &Stream{P: m.New(env)}
			tc.feed(t, s)
			recs := c.Logs(m.Log)
			if len(recs) != tc.want {
				t.Errorf("%d %s records, want %d", len(recs), m.Log, tc.want)
			}
			if m.CheckEach != nil {
				for _, r := range recs {
					m.CheckEach(t, r)
				}
			}
			if n := s.Pending(dissect.Orig); n != 0 {
				t.Errorf("%d bytes pending", n)
			}
		})
	}
}
