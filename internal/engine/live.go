package engine

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/quietwire/quietwire/internal/capture"
)

// RunSources runs one source per worker (AF_PACKET fanout already shards flows) until every
// source ends or stop is closed. A Packet with nil Data is a tick from a quiet live source:
// the worker advances its clock, expires idle flows and hands its buffered lines to the log
// files.
func (e *Engine) RunSources(srcs []capture.Source, stop <-chan struct{}) error {
	if len(srcs) != len(e.workers) {
		return fmt.Errorf("engine: %d sources for %d workers", len(srcs), len(e.workers))
	}
	var stopped atomic.Bool
	go func() {
		<-stop
		stopped.Store(true)
	}()
	var wg sync.WaitGroup
	errs := make([]error, len(srcs))
	read, bytes := &e.liveRead, &e.liveBytes
	for i, w := range e.workers {
		wg.Add(1)
		go func(i int, w *worker, src capture.Source) {
			defer wg.Done()
			var p capture.Packet
			for !stopped.Load() {
				err := src.Next(&p)
				if err != nil {
					if !errors.Is(err, capture.ErrClosed) {
						errs[i] = err
					}
					return
				}
				if p.Data == nil {
					w.tick(p.TS)
					continue
				}
				read.Add(1)
				bytes.Add(uint64(p.WireLen))
				w.packet(p.LinkType, p.Data, p.TS, p.WireLen)
			}
		}(i, w, srcs[i])
	}
	wg.Wait()
	e.read += read.Swap(0)
	e.bytes += bytes.Swap(0)
	return errors.Join(errs...)
}

func (w *worker) tick(ts int64) {
	if ts > w.now {
		w.now = ts
	}
	if w.now-w.lastSweep >= 1e9 {
		w.sweep()
		w.lastSweep = w.now
	}
	w.out.Flush()
	w.publish()
}

// Live returns counters of a running RunSources for health pages: packets and bytes read so
// far (exact), and the workers' decoded packets and flows as they last published them (once
// a second of packet time, and on every quiet tick). Per-protocol counts come with Finish.
func (e *Engine) Live() *Summary {
	s := &Summary{Drops: map[string]uint64{}, Counters: map[string]uint64{}, PDUs: map[string]uint64{}, Weirds: map[string]uint64{}}
	s.Packets = e.read + e.liveRead.Load()
	s.Bytes = e.bytes + e.liveBytes.Load()
	for _, w := range e.workers {
		s.Decoded += w.pubDecoded.Load()
		s.Flows += w.pubFlows.Load()
	}
	return s
}
