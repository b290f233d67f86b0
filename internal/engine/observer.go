package engine

import (
	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/logs"
)

// Observer receives what the pipeline learns beyond the logs: facts, events and the summary
// of every finished flow. It is shared by the workers and must be safe for concurrent use.
// Inventory and detection implement it; the engine knows nothing about them.
type Observer interface {
	Fact(f *dissect.Fact)
	Event(e *dissect.Event)
	FlowEnd(f *FlowSummary)
}

// FlowSummary describes a finished flow. It is only valid during the FlowEnd call.
type FlowSummary struct {
	Info        *dissect.FlowInfo
	First, Last int64
	OrigPkts    uint64
	RespPkts    uint64
	OrigBytes   uint64 // IP bytes
	RespBytes   uint64
	OrigPayload uint64 // application bytes (TCP stream or UDP payload)
	RespPayload uint64
	Service     string
	State       string // Zeek conn_state
	Commands    []dissect.CommandCount
	OrigMACSeen bool // the originator's packets carried Info.Orig.MAC as Ethernet source
	RespMACSeen bool
}

// Observers fans out to several observers.
type Observers []Observer

func (o Observers) Fact(f *dissect.Fact) {
	for _, x := range o {
		x.Fact(f)
	}
}

func (o Observers) Event(e *dissect.Event) {
	for _, x := range o {
		x.Event(e)
	}
}

// Weird forwards to the observers that want anomalies.
func (o Observers) Weird(w *dissect.WeirdEvent) {
	for _, x := range o {
		if wo, ok := x.(dissect.WeirdObserver); ok {
			wo.Weird(w)
		}
	}
}

func (o Observers) FlowEnd(f *FlowSummary) {
	for _, x := range o {
		x.FlowEnd(f)
	}
}

// tee sends records to the worker's log writer and facts and events to both the writer
// (facts.log, events.log) and the observer.
type tee struct {
	w   *logs.Writer
	obs Observer
}

func (t *tee) Record(log string, line []byte) { t.w.Record(log, line) }

// RecordBuf and RecordDone let parsers build records in place in the writer's buffers.
func (t *tee) RecordBuf(log string, slot *any) ([]byte, bool) { return t.w.RecordBuf(log, slot) }
func (t *tee) RecordDone(log string, slot *any, b []byte)     { t.w.RecordDone(log, slot, b) }

func (t *tee) Fact(f *dissect.Fact) {
	t.w.Fact(f)
	if t.obs != nil {
		t.obs.Fact(f)
	}
}

// Weird forwards anomalies to an observer that wants them (detection).
func (t *tee) Weird(w *dissect.WeirdEvent) {
	if wo, ok := t.obs.(dissect.WeirdObserver); ok {
		wo.Weird(w)
	}
}

func (t *tee) Event(e *dissect.Event) {
	t.w.Event(e)
	if t.obs != nil {
		t.obs.Event(e)
	}
}
