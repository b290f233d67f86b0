// Package logs writes Zeek-compatible JSON logs: one object per line, one file per log named
// <log>.log in a directory. Workers each get a Writer that batches lines per log and hands
// them to the shared files in large blocks, so the hot path takes no lock per line.
package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"

	"github.com/quietwire/quietwire/dissect"
)

// Dir is a directory of log files, opened lazily on first write.
type Dir struct {
	path  string
	mu    sync.Mutex
	files map[string]*file
	err   error
	// Discard drops every line (benchmarks of the pipeline without log I/O).
	Discard bool
	skip    map[string]bool
}

type file struct {
	mu    sync.Mutex
	f     *os.File
	lines uint64
}

// Open creates path if needed. An existing <log>.log is replaced when the run first writes
// to that log: unlinked, then created anew. Truncating it in place instead makes ext4 write
// the new contents out to disk when the file is closed (its auto_da_alloc safeguard for
// files rewritten from zero): 100 to 115 ms of a run over the benchmark mix. A reader
// holding the old file open (tail -f) keeps the old contents; tail -F follows the name.
func Open(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("logs: %w", err)
	}
	return &Dir{path: path, files: map[string]*file{}}, nil
}

// Exclude stops the named logs (without ".log") from being written, as Zeek's
// Log::disable_stream does: their lines are dropped in the worker before any copy or write.
// Facts and events still reach inventory and detection; only their log files are skipped.
// Call it before the first Writer.
func (d *Dir) Exclude(names ...string) {
	if d.skip == nil {
		d.skip = map[string]bool{}
	}
	for _, n := range names {
		d.skip[n] = true
	}
}

// Path returns the directory.
func (d *Dir) Path() string { return d.path }

func (d *Dir) file(name string) (*file, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if f, ok := d.files[name]; ok {
		return f, nil
	}
	path := filepath.Join(d.path, name+".log")
	fh, err := replace(path)
	if err != nil {
		if d.err == nil {
			d.err = fmt.Errorf("logs: %w", err)
		}
		return nil, err
	}
	f := &file{f: fh}
	d.files[name] = f
	return f, nil
}

// replace unlinks an earlier run's file at path, if any, and creates it anew (see Open).
func replace(path string) (*os.File, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("replacing %s: %w", path, err)
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
}

func (d *Dir) write(name string, block []byte, lines uint64) {
	if d.Discard {
		return
	}
	f, err := d.file(name)
	if err != nil {
		return
	}
	// Blocks arrive whole (a worker's batch of lines): written straight to the file, one
	// system call each, without another copy through a buffer.
	f.mu.Lock()
	if _, err := f.f.Write(block); err != nil {
		d.mu.Lock()
		if d.err == nil {
			d.err = fmt.Errorf("logs: writing %s.log: %w", name, err)
		}
		d.mu.Unlock()
	}
	f.lines += lines
	f.mu.Unlock()
}

// Lines returns how many lines each log received so far.
func (d *Dir) Lines() map[string]uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]uint64, len(d.files))
	for n, f := range d.files {
		f.mu.Lock()
		out[n] = f.lines
		f.mu.Unlock()
	}
	return out
}

// Flush reports the first write error; blocks are written as the workers hand them over
// (Writer.Flush hands over what a worker still holds).
func (d *Dir) Flush() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Close flushes and closes every file. It returns the first error seen while writing.
func (d *Dir) Close() error {
	err := d.Flush()
	d.mu.Lock()
	defer d.mu.Unlock()
	names := make([]string, 0, len(d.files))
	for n := range d.files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if cerr := d.files[n].f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("logs: closing %s.log: %w", n, cerr)
		}
	}
	d.files = map[string]*file{}
	return err
}

// Writer is one worker's batching writer. It implements dissect.Output. Not safe for
// concurrent use.
type Writer struct {
	d    *Dir
	bufs map[string]*pending
	// last-used cache: most records in a run go to the same log as the previous one.
	lastName string
	last     *pending
	scratch  []byte
	// facts.log and events.log excluded: Fact and Event skip formatting too
	factsOff, eventsOff bool
}

type pending struct {
	b     []byte
	lines uint64
	off   bool // an excluded log: lines are dropped before any copy
}

const flushAt = 256 * 1024

// Writer returns a new batching writer for one worker.
func (d *Dir) Writer() *Writer {
	return &Writer{d: d, bufs: map[string]*pending{}, factsOff: d.skip["facts"], eventsOff: d.skip["events"]}
}

func (w *Writer) buf(name string) *pending {
	if w.last != nil && w.lastName == name {
		return w.last
	}
	p, ok := w.bufs[name]
	if !ok {
		p = &pending{off: w.d.skip[name]}
		if !p.off {
			// Busy logs grow to a flush block; the many quiet ones stay small.
			p.b = make([]byte, 0, 16<<10)
		}
		w.bufs[name] = p
	}
	w.lastName, w.last = name, p
	return p
}

// Record implements dissect.Output.
func (w *Writer) Record(name string, line []byte) {
	p := w.buf(name)
	if p.off {
		return
	}
	p.room(len(line) + 1)
	p.b = append(p.b, line...)
	w.commit(name, p)
}

// commit ends the record just appended to p's block and hands the block to the file once it
// is full.
func (w *Writer) commit(name string, p *pending) {
	p.b = append(p.b, '\n')
	p.lines++
	if len(p.b) >= flushAt {
		w.d.write(name, p.b, p.lines)
		p.b, p.lines = p.b[:0], 0
	}
}

// slot finds name's pending block through the caller's memo, filling it on first use.
func (w *Writer) slot(name string, slot *any) *pending {
	if p, ok := (*slot).(*pending); ok {
		return p
	}
	p := w.buf(name)
	*slot = p
	return p
}

// RecordBuf implements dissect.RecordBuffer: records are built in place at the end of the
// log's pending block.
func (w *Writer) RecordBuf(name string, slot *any) ([]byte, bool) {
	p := w.slot(name, slot)
	p.room(recordRoom)
	return p.b, !p.off
}

// recordRoom is the room a record is expected to need; a bigger one grows the block itself.
const recordRoom = 4096

// room makes room for n more bytes: a log that fills its first small block moves to a
// full-sized one at once (growing by doubling would leave a trail of blocks for the garbage
// collector); a full-sized block is flushed before it needs to grow.
func (p *pending) room(n int) {
	if cap(p.b)-len(p.b) < n && cap(p.b) < flushAt && !p.off {
		p.b = append(make([]byte, 0, flushAt+2*recordRoom), p.b...)
	}
}

// RecordDone implements dissect.RecordBuffer.
func (w *Writer) RecordDone(name string, slot *any, b []byte) {
	p := w.slot(name, slot)
	p.b = b
	w.commit(name, p)
}

// Fact implements dissect.Output: facts go to facts.log until a consumer takes them.
func (w *Writer) Fact(f *dissect.Fact) {
	if w.factsOff {
		return
	}
	b := w.scratch[:0]
	b = append(b, `{"ts":`...)
	b = dissect.AppendTS(b, f.TS)
	b = append(b, `,"uid":`...)
	b = dissect.AppendJSONString(b, f.Flow.UID)
	b = appendHost(b, f.Flow, f.Side)
	b = append(b, `,"proto":`...)
	b = dissect.AppendJSONString(b, f.Proto)
	b = append(b, `,"attr":`...)
	b = dissect.AppendJSONString(b, f.Attr)
	b = append(b, `,"value":`...)
	b = dissect.AppendJSONString(b, f.Value)
	b = append(b, `,"field":`...)
	b = dissect.AppendJSONString(b, f.Field)
	b = append(b, '}')
	w.scratch = b
	w.Record("facts", b)
}

// Event implements dissect.Output: events go to events.log until a consumer takes them.
func (w *Writer) Event(e *dissect.Event) {
	if e.Kind == dissect.EvNameQuery || e.Kind == dissect.EvNameError || w.eventsOff {
		return // name queries and their NXDOMAIN answers: dns.log has every one already
	}
	b := w.scratch[:0]
	b = append(b, `{"ts":`...)
	b = dissect.AppendTS(b, e.TS)
	b = append(b, `,"uid":`...)
	b = dissect.AppendJSONString(b, e.Flow.UID)
	b = appendHost(b, e.Flow, e.Src)
	b = append(b, `,"proto":`...)
	b = dissect.AppendJSONString(b, e.Proto)
	b = append(b, `,"kind":`...)
	b = dissect.AppendJSONString(b, e.Kind)
	b = append(b, `,"detail":`...)
	b = dissect.AppendJSONString(b, e.Detail)
	b = append(b, '}')
	w.scratch = b
	w.Record("events", b)
}

func appendHost(b []byte, fl *dissect.FlowInfo, side dissect.Dir) []byte {
	ep, peer := fl.Orig, fl.Resp
	if side == dissect.Resp {
		ep, peer = fl.Resp, fl.Orig
	}
	b = append(b, `,"host":"`...)
	b = hostString(b, ep)
	b = append(b, `","peer":"`...)
	b = hostString(b, peer)
	return append(b, '"')
}

func hostString(b []byte, ep dissect.Endpoint) []byte {
	if ep.IP.IsValid() {
		return ep.IP.AppendTo(b)
	}
	return dissect.AppendMAC(b, ep.MAC)
}

// Flush hands every pending line to the files.
func (w *Writer) Flush() {
	for name, p := range w.bufs {
		if len(p.b) > 0 {
			w.d.write(name, p.b, p.lines)
			p.b, p.lines = p.b[:0], 0
		}
	}
}

// AppendAddr appends an address the way Zeek prints it.
func AppendAddr(b []byte, a netip.Addr) []byte { return a.AppendTo(b) }

// Itoa is strconv.Itoa, kept here so callers of this package need no other import.
func Itoa(n int) string { return strconv.Itoa(n) }
