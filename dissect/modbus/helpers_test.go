package modbus

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// adu builds a Modbus/TCP ADU: MBAP header (length computed) + function code + data.
func adu(tid uint16, unit uint8, fc uint8, data ...byte) []byte {
	n := 2 + len(data)
	b := []byte{byte(tid >> 8), byte(tid), 0, 0, byte(n >> 8), byte(n), unit, fc}
	return append(b, data...)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// step is one chunk fed to the parser.
type step struct {
	dir dissect.Dir
	b   []byte
}

func req(b []byte) step  { return step{dissect.Orig, b} }
func resp(b []byte) step { return step{dissect.Resp, b} }

// run feeds steps through a Stream (engine buffering semantics), closes the parser and
// returns what it emitted.
func run(t testing.TB, steps ...step) (*dissecttest.Capture, *dissect.Env) {
	t.Helper()
	env, c := dissecttest.NewEnv("modbus", dissecttest.Flow(6, 502))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range steps {
		if err := s.Write(t, st.dir, st.b); err != nil {
			t.Fatalf("Parse: %v", err)
		}
	}
	s.P.Close()
	return c, env
}

// weirds returns the names of the weird records.
func events(c *dissecttest.Capture, kind string) []dissect.Event {
	var out []dissect.Event
	for _, e := range c.Events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func facts(c *dissecttest.Capture, attr string) []dissect.Fact {
	var out []dissect.Fact
	for _, f := range c.Facts {
		if f.Attr == attr {
			out = append(out, f)
		}
	}
	return out
}
