package engine

import "github.com/quietwire/quietwire/internal/logs"

// Harness drives one worker packet by packet, for benchmarks and allocation tests.
type Harness struct{ w *worker }

// NewHarness returns a harness whose logs are discarded.
func NewHarness(cfg Config) *Harness {
	d := &logs.Dir{Discard: true}
	e, err := New(cfg, d)
	if err != nil {
		panic(err)
	}
	return &Harness{w: e.workers[0]}
}

// Packet processes one frame of link type lt at time ts.
func (h *Harness) Packet(lt uint16, data []byte, ts int64) { h.w.packet(lt, data, ts, len(data)) }
