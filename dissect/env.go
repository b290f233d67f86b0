package dissect

import (
	"net/netip"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Endpoint is one side of a flow.
type Endpoint struct {
	IP   netip.Addr // invalid for L2-only flows
	Port uint16
	MAC  [6]byte // zero where the sensor did not see it
}

// FlowInfo is what a parser may know about its flow. The engine owns it; treat it as read-only.
type FlowInfo struct {
	UID   string // Zeek-style uid ("C…"), stable for a given capture
	Orig  Endpoint
	Resp  Endpoint
	Proto uint8  // IP protocol number (6 TCP, 17 UDP), 0 for L2 flows
	VLAN  uint16 // outermost VLAN id, 0 if none
	// EtherType of an L2 flow (0x88b8 GOOSE, 0x8892 PROFINET, …).
	EtherType uint16
	// ID is the engine's id for the flow, unique within a run.
	ID uint64
	// Evidence gives the flow's most recent packets (nil when the engine keeps none). Call it
	// only from within a Parse/Fact/Event/FlowEnd callback of this flow's worker.
	Evidence Evidence
}

// Evidence returns up to max of a flow's most recent packets, oldest first, as copies.
type Evidence interface {
	Packets(f *FlowInfo, max int) []EvidencePacket
}

// EvidencePacket is one captured frame kept as evidence.
type EvidencePacket struct {
	TS       int64
	LinkType uint16
	WireLen  int
	Data     []byte
}

// Output receives everything parsers produce. The engine provides it; calls come from one
// worker at a time per Env, but an Output shared by workers must be safe for concurrent use.
type Output interface {
	// Record receives one complete JSON object (no trailing newline) for log. line is only
	// valid during the call.
	Record(log string, line []byte)
	// Fact receives an identity fact. f is only valid during the call.
	Fact(f *Fact)
	// Event receives an operational event. e is only valid during the call.
	Event(e *Event)
}

// RecordBuffer is an Output that lets records be built in place in its own buffers, so a
// finished record is not copied again. Between RecordBuf and RecordDone for a log, nothing
// else writes to that log through this Output (records are built one at a time per worker).
type RecordBuffer interface {
	// RecordBuf returns the buffer a record of log is to be appended to, keeping what it
	// holds; false when the log is not written (the record is then dropped unformatted).
	// slot is the caller's memo of where log's buffer is: nil the first time, set by the
	// Output, handed back on every later call for the same log, so that finding the buffer
	// costs no lookup by name.
	RecordBuf(log string, slot *any) ([]byte, bool)
	// RecordDone takes the buffer back, extended by one complete JSON object.
	RecordDone(log string, slot *any, buf []byte)
}

// Fact is one thing a packet says about a device: "the responder's firmware is V2.9".
// Inventory merges facts into devices and keeps each one's provenance.
type Fact struct {
	TS    int64     // packet time, ns since the epoch
	Flow  *FlowInfo // the flow that carried it
	Side  Dir       // which endpoint the fact is about: Orig or Resp
	Proto string    // dissector name
	Attr  string    // one of the Attr* constants
	Value string
	Field string // the protocol field it came from, e.g. "szl_0x0011.order_number"
}

// Event is an operational event: something an engineer or the detection engine cares about.
type Event struct {
	TS     int64
	Flow   *FlowInfo
	Src    Dir    // the endpoint that issued it (the requester of a command)
	Proto  string // dissector name
	Kind   string // one of the Ev* constants
	Detail string // human-readable specifics: function, address range, block, value
}

// Env is a parser's view of its flow and its way out. The engine creates one per parser and
// sets TS before every Parse/Gap/Close call. Not safe for concurrent use.
type Env struct {
	Flow *FlowInfo
	Name string // the dissector's name
	Site string // site label, added to every record when set
	TS   int64  // time of the packet being parsed, ns since the epoch
	Out  Output
	PDUs uint64 // PDUs counted by the parser (Env.PDU)
	// Runs is the engine run's shared state (see Shared); the engine sets it.
	Runs *RunState
	// Service, when a parser sets it, names the flow in conn.log's service instead of the
	// dissector's name (the guess dissector labels flows "guess:<protocol>").
	Service string
	Weirds  uint64

	// Commands counts the commands (function codes, services) requested on this flow, for
	// the topology's edges. Filled by Command; the engine reads it when the flow ends.
	Commands []CommandCount

	rec      Record
	env      envelope
	tsText   [24]byte // TS formatted for records (a packet often gives several records)
	addrs    [2]addrCache
	addrNext int
	tsOf     int64
	tsLen    int
	sink     RecordBuffer // Out as a RecordBuffer, if it is one
	logSlots [4]logSlot
	nextSlot int
	sinkOf   Output // the Out sink was taken from
	fact     Fact
	ev       Event
	weird    WeirdEvent
}

// CommandCount is how often one command was requested on a flow.
type CommandCount struct {
	Name  string
	N     uint64
	First int64 // packet time of the first request
}

// maxCommands bounds the distinct commands tracked per flow.
const maxCommands = 64

// Command counts one request of the named command ("READ_HOLDING_REGISTERS", "WRITE_VAR",
// "Read-Property"…) on this flow. name should be a constant string: it is kept, not copied.
// It does not allocate once the flow's command set is stable.
func (e *Env) Command(name string) {
	for i := range e.Commands {
		if e.Commands[i].Name == name {
			e.Commands[i].N++
			return
		}
	}
	if len(e.Commands) < maxCommands {
		e.Commands = append(e.Commands, CommandCount{Name: name, N: 1, First: e.TS})
	}
}

// Shared returns the run's shared object under key, creating it with mk on first use. It is
// for state a protocol needs across flows (ARP's IP→MAC bindings, DHCP transactions, CIP
// connections): one object per engine run, shared by every worker — the object must be safe
// for concurrent use. Tests without an engine get a fresh object per Env.
func (e *Env) Shared(key string, mk func() any) any {
	if e.Runs == nil {
		e.Runs = NewRunState()
	}
	return e.Runs.Get(key, mk)
}

// RunState holds the objects Env.Shared hands out for one engine run.
type RunState struct {
	mu sync.Mutex
	m  map[string]any
}

// NewRunState returns an empty run state.
func NewRunState() *RunState { return &RunState{m: map[string]any{}} }

// Get returns the object under key, creating it with mk on first use.
func (r *RunState) Get(key string, mk func() any) any {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.m[key]
	if !ok {
		v = mk()
		r.m[key] = v
	}
	return v
}

// PDU counts one protocol data unit for the run summary.
func (e *Env) PDU() { e.PDUs++ }

// Log starts a record in log name with the Zeek connection envelope (ts, uid, id.*).
// Finish it with Done. Only one record can be open at a time.
func (e *Env) Log(name string) *Record {
	r := e.start(name)
	if !r.drop {
		r.buf = append(r.buf, e.envelope()...)
	}
	return r
}

// start opens the Env's record for log name with its ts: in place in the Output's buffer
// when it offers one (RecordBuffer), in the Env's own buffer otherwise.
func (e *Env) start(name string) *Record {
	r := &e.rec
	r.env, r.log, r.sink = e, name, nil
	if e.Out != e.sinkOf {
		e.sinkOf = e.Out
		e.sink, _ = e.Out.(RecordBuffer)
		e.logSlots = [4]logSlot{} // memos of another Output
	}
	r.buf, r.start, r.drop = r.own[:0], 0, false
	if e.sink != nil {
		r.slot = e.slotFor(name)
		b, ok := e.sink.RecordBuf(name, r.slot)
		if ok {
			r.buf, r.start, r.sink = b, len(b), e.sink
		}
		r.drop = !ok
	}
	if r.drop {
		return r // a log the Output does not write: nothing is formatted
	}
	r.buf = append(r.buf, `{"ts":`...)
	if e.tsLen == 0 || e.tsOf != e.TS {
		e.tsOf, e.tsLen = e.TS, len(AppendTS(e.tsText[:0], e.TS))
	}
	r.buf = append(r.buf, e.tsText[:e.tsLen]...)
	return r
}

// logSlot is an Env's memo of where its Output keeps one log's buffer (see RecordBuffer).
type logSlot struct {
	name string
	h    any
}

// slotFor returns the memo for log name, taking over the oldest of the four when it has none.
func (e *Env) slotFor(name string) *any {
	for i := range e.logSlots {
		if s := &e.logSlots[i]; s.h != nil && s.name == name {
			return &s.h
		}
	}
	s := &e.logSlots[e.nextSlot]
	e.nextSlot = (e.nextSlot + 1) % len(e.logSlots)
	*s = logSlot{name: name}
	return &s.h
}

// envelope is the part of a flow's records after ts that is the same in all of them: site,
// uid and the id.* fields, formatted once per flow instead of once per record.
type envelope struct {
	site, uid  string
	orig, resp Endpoint
	ok         bool
	b          []byte
}

func (e *Env) envelope() []byte {
	v, fl := &e.env, e.Flow
	if v.ok && v.uid == fl.UID && v.site == e.Site && v.orig.IP == fl.Orig.IP && v.orig.Port == fl.Orig.Port &&
		v.resp.IP == fl.Resp.IP && v.resp.Port == fl.Resp.Port {
		return v.b
	}
	r := Record{buf: v.b[:0]}
	if e.Site != "" {
		r.Str("site", e.Site)
	}
	r.Str("uid", fl.UID)
	if fl.Orig.IP.IsValid() {
		r.Addr("id.orig_h", fl.Orig.IP).Uint("id.orig_p", uint64(fl.Orig.Port))
		r.Addr("id.resp_h", fl.Resp.IP).Uint("id.resp_p", uint64(fl.Resp.Port))
	}
	*v = envelope{site: e.Site, uid: fl.UID, orig: fl.Orig, resp: fl.Resp, ok: true, b: r.buf}
	return v.b
}

// LogBare starts a record with only ts (and site): for logs that carry their own addressing,
// such as goose.log.
func (e *Env) LogBare(name string) *Record { return e.begin(name) }

// LogAt is Log with an earlier time: for records Zeek stamps with the start of a transaction
// (the request, the ClientHello) but that are written when it ends.
func (e *Env) LogAt(name string, ts int64) *Record {
	cur := e.TS
	e.TS = ts
	r := e.Log(name)
	e.TS = cur
	return r
}

func (e *Env) begin(name string) *Record {
	r := e.start(name)
	if e.Site != "" && !r.drop {
		r.Str("site", e.Site)
	}
	return r
}

// Weird reports a named anomaly in weird.log (Zeek's fields: name, addl, notice, peer,
// source). Names are snake_case and prefixed by the protocol: "modbus_invalid_length".
func (e *Env) Weird(name, addl string) {
	e.Weirds++
	r := e.Log("weird").Str("name", name)
	if addl != "" {
		r.Str("addl", addl)
	}
	r.Bool("notice", false).Str("peer", "quietwire").Str("source", e.Name).Done()
	if wo, ok := e.Out.(WeirdObserver); ok {
		e.weird = WeirdEvent{TS: e.TS, Flow: e.Flow, Proto: e.Name, Name: name, Addl: addl}
		wo.Weird(&e.weird)
	}
}

// WeirdObserver is implemented by an Output that also wants anomalies as values (detection).
type WeirdObserver interface {
	Weird(w *WeirdEvent)
}

// WeirdEvent is one named anomaly. It is only valid during the Weird call.
type WeirdEvent struct {
	TS    int64
	Flow  *FlowInfo
	Proto string
	Name  string
	Addl  string
}

// Fact reports that the endpoint on side has attr = value, read from the protocol's field.
func (e *Env) Fact(side Dir, attr, value, field string) {
	if value == "" || e.Out == nil {
		return
	}
	e.fact = Fact{TS: e.TS, Flow: e.Flow, Side: side, Proto: e.Name, Attr: attr, Value: value, Field: field}
	e.Out.Fact(&e.fact)
}

// Event reports an operational event issued by the endpoint on side src.
func (e *Env) Event(src Dir, kind, detail string) {
	if e.Out == nil {
		return
	}
	e.ev = Event{TS: e.TS, Flow: e.Flow, Src: src, Proto: e.Name, Kind: kind, Detail: detail}
	e.Out.Event(&e.ev)
}

// EventBytes is Event with a detail in bytes, without copying them: the detail is only valid
// during the Output's Event call (observers copy what they keep).
func (e *Env) EventBytes(src Dir, kind string, detail []byte) {
	if e.Out == nil {
		return
	}
	e.ev = Event{TS: e.TS, Flow: e.Flow, Src: src, Proto: e.Name, Kind: kind, Detail: unsafe.String(unsafe.SliceData(detail), len(detail))}
	e.Out.Event(&e.ev)
	e.ev.Detail = ""
}

// Record builds one JSON log line without allocating (its buffer is reused). Keys must be
// plain ASCII without quotes or backslashes; values are escaped.
type Record struct {
	env   *Env
	log   string
	buf   []byte // the record is buf[start:]
	start int
	sink  RecordBuffer // buf belongs to it (nil: buf is own)
	slot  *any         // the Env's memo of the log's buffer in sink
	drop  bool         // the Output does not write this log: the methods format nothing
	own   []byte
	arr   bool // inside an array: no key, comma handling by arrN
	arrN  int
}

func (r *Record) key(k string) {
	r.buf = append(r.buf, ',', '"')
	r.buf = append(r.buf, k...)
	r.buf = append(r.buf, '"', ':')
}

func (r *Record) sep() {
	if r.arrN > 0 {
		r.buf = append(r.buf, ',')
	}
	r.arrN++
}

// Str adds a string field.
func (r *Record) Str(k, v string) *Record {
	if r.drop {
		return r
	}
	r.key(k)
	r.buf = AppendJSONString(r.buf, v)
	return r
}

// Bytes adds a string field from bytes (escaped; invalid UTF-8 becomes \ufffd).
func (r *Record) Bytes(k string, v []byte) *Record {
	if r.drop {
		return r
	}
	r.key(k)
	r.buf = appendJSONBytes(r.buf, v)
	return r
}

// Int adds a signed integer field.
func (r *Record) Int(k string, v int64) *Record {
	if r.drop {
		return r
	}
	r.key(k)
	r.buf = strconv.AppendInt(r.buf, v, 10)
	return r
}

// Uint adds an unsigned integer field.
func (r *Record) Uint(k string, v uint64) *Record {
	if r.drop {
		return r
	}
	r.key(k)
	r.buf = appendUint(r.buf, v)
	return r
}

// Float adds a number field with up to 6 decimals.
func (r *Record) Float(k string, v float64) *Record {
	if r.drop {
		return r
	}
	r.key(k)
	r.buf = strconv.AppendFloat(r.buf, v, 'f', -1, 64)
	return r
}

// Bool adds a boolean field.
func (r *Record) Bool(k string, v bool) *Record {
	if r.drop {
		return r
	}
	r.key(k)
	r.buf = strconv.AppendBool(r.buf, v)
	return r
}

// Hex adds a lowercase hex string of v ("0a1b…").
func (r *Record) Hex(k string, v []byte) *Record {
	if r.drop {
		return r
	}
	const digits = "0123456789abcdef"
	r.key(k)
	r.buf = append(r.buf, '"')
	for _, c := range v {
		r.buf = append(r.buf, digits[c>>4], digits[c&15])
	}
	r.buf = append(r.buf, '"')
	return r
}

// HexUint adds v as a "0x…" string with at least width hex digits, as ICSNPP logs ids.
func (r *Record) HexUint(k string, v uint64, width int) *Record {
	if r.drop {
		return r
	}
	r.key(k)
	r.buf = append(r.buf, '"', '0', 'x')
	r.buf = appendHexPadded(r.buf, v, width)
	r.buf = append(r.buf, '"')
	return r
}

// Addr adds an IP address as a string.
func (r *Record) Addr(k string, a netip.Addr) *Record {
	if r.drop {
		return r
	}
	r.key(k)
	r.buf = append(r.buf, '"')
	if r.env != nil {
		r.buf = r.env.addrText(r.buf, a)
	} else {
		r.buf = a.AppendTo(r.buf)
	}
	r.buf = append(r.buf, '"')
	return r
}

// addrText appends a as text, remembering the flow's last two addresses: a flow's records
// name the same two endpoints again and again (source_h, destination_h).
func (e *Env) addrText(b []byte, a netip.Addr) []byte {
	for i := range e.addrs {
		if c := &e.addrs[i]; c.n > 0 && c.a == a {
			return append(b, c.text[:c.n]...)
		}
	}
	c := &e.addrs[e.addrNext]
	e.addrNext ^= 1
	c.a, c.n = a, len(a.AppendTo(c.text[:0]))
	if c.n > len(c.text) { // cannot happen for an address; never hand out a truncated one
		c.n = 0
		return a.AppendTo(b)
	}
	return append(b, c.text[:c.n]...)
}

type addrCache struct {
	a    netip.Addr
	text [64]byte // an IPv6 address with a zone fits
	n    int
}

// MAC adds a MAC address as "aa:bb:cc:dd:ee:ff".
func (r *Record) MAC(k string, m [6]byte) *Record {
	if r.drop {
		return r
	}
	r.key(k)
	r.buf = append(r.buf, '"')
	r.buf = AppendMAC(r.buf, m)
	r.buf = append(r.buf, '"')
	return r
}

// Array opens an array field; add elements with Elem* and close it with End.
func (r *Record) Array(k string) *Record {
	if r.drop {
		return r
	}
	r.key(k)
	r.buf = append(r.buf, '[')
	r.arr, r.arrN = true, 0
	return r
}

// ElemStr adds a string element to the open array.
func (r *Record) ElemStr(v string) *Record {
	if r.drop {
		return r
	}
	r.sep()
	r.buf = AppendJSONString(r.buf, v)
	return r
}

// ElemBytes adds a string element from bytes to the open array.
func (r *Record) ElemBytes(v []byte) *Record {
	if r.drop {
		return r
	}
	r.sep()
	r.buf = appendJSONBytes(r.buf, v)
	return r
}

// ElemUint adds a number element to the open array.
func (r *Record) ElemUint(v uint64) *Record {
	if r.drop {
		return r
	}
	r.sep()
	r.buf = appendUint(r.buf, v)
	return r
}

// ElemInt adds a signed number element to the open array.
func (r *Record) ElemInt(v int64) *Record {
	if r.drop {
		return r
	}
	r.sep()
	r.buf = strconv.AppendInt(r.buf, v, 10)
	return r
}

// ElemHexUint adds a "0x…" string element to the open array.
func (r *Record) ElemHexUint(v uint64, width int) *Record {
	if r.drop {
		return r
	}
	r.sep()
	r.buf = append(r.buf, '"', '0', 'x')
	r.buf = appendHexPadded(r.buf, v, width)
	r.buf = append(r.buf, '"')
	return r
}

// End closes the open array.
func (r *Record) End() *Record {
	if r.drop {
		return r
	}
	r.buf = append(r.buf, ']')
	r.arr, r.arrN = false, 0
	return r
}

// Done closes the object and hands it to the Output.
func (r *Record) Done() {
	r.buf = append(r.buf, '}')
	switch {
	case r.sink != nil:
		r.sink.RecordDone(r.log, r.slot, r.buf)
		r.buf, r.start, r.sink = nil, 0, nil
	case r.env.Out != nil && !r.drop:
		r.env.Out.Record(r.log, r.buf)
		r.own = r.buf
	default:
		r.own = r.buf
	}
}

// Built returns the record built so far (for tests).
func (r *Record) Built() []byte { return r.buf[r.start:] }

// appendUint appends v in decimal. Most numbers in records (ports, register values, counts,
// ids) are under 100,000: those take a branch per digit count and no 64-bit division loop.
func appendUint(b []byte, v uint64) []byte {
	switch {
	case v < 10:
		return append(b, byte('0'+v))
	case v < 100:
		return append(b, byte('0'+v/10), byte('0'+v%10))
	case v < 1000:
		return append(b, byte('0'+v/100), byte('0'+v/10%10), byte('0'+v%10))
	case v < 10000:
		return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
	case v < 100000:
		return append(b, byte('0'+v/10000), byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
	}
	return strconv.AppendUint(b, v, 10)
}

// AppendTS appends ns-since-epoch as Zeek's epoch seconds with microseconds: 1093521953.490137.
func AppendTS(b []byte, ns int64) []byte {
	if ns < 0 {
		ns = 0
	}
	sec, us := ns/1e9, (ns%1e9)/1e3
	b = strconv.AppendInt(b, sec, 10)
	b = append(b, '.')
	var d [6]byte
	for i := 5; i >= 0; i-- {
		d[i] = byte('0' + us%10)
		us /= 10
	}
	return append(b, d[:]...)
}

// AppendMAC appends m as "aa:bb:cc:dd:ee:ff".
func AppendMAC(b []byte, m [6]byte) []byte {
	const digits = "0123456789abcdef"
	for i, c := range m {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, digits[c>>4], digits[c&15])
	}
	return b
}

func appendHexPadded(b []byte, v uint64, width int) []byte {
	const digits = "0123456789abcdef"
	var d [16]byte
	i := 16
	for v > 0 || 16-i < width {
		i--
		d[i] = digits[v&15]
		v >>= 4
		if i == 0 {
			break
		}
	}
	if i == 16 {
		return append(b, '0')
	}
	return append(b, d[i:]...)
}

// AppendJSONString appends s as a JSON string. Invalid UTF-8 becomes \ufffd; control
// characters are escaped.
func AppendJSONString(b []byte, s string) []byte { return appendJSON(b, s) }

func appendJSONBytes(b []byte, s []byte) []byte { return appendJSON(b, s) }

// appendJSON is the one JSON string encoder, for strings and byte slices alike.
func appendJSON[T string | []byte](b []byte, s T) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x80 {
			b = append(b, c)
			i++
			continue
		}
		if c < 0x80 {
			b = appendEscape(b, c)
			i++
			continue
		}
		var r rune
		var size int
		switch v := any(s[i:]).(type) {
		case string:
			r, size = utf8.DecodeRuneInString(v)
		case []byte:
			r, size = utf8.DecodeRune(v)
		}
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

func appendEscape(b []byte, c byte) []byte {
	const digits = "0123456789abcdef"
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', digits[c>>4], digits[c&15])
}
