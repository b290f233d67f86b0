package http

import (
	"github.com/quietwire/quietwire/dissect"
)

// state is what a direction expects next.
type state uint8

const (
	stLine      state = iota // request line / status line (blank lines skipped)
	stHeaders                // header lines up to the empty line
	stBody                   // remain bytes of a Content-Length body or of a chunk
	stChunkSize              // a chunk-size line
	stChunkCRLF              // the CR LF after chunk data
	stTrailer                // trailer lines after the last chunk
	stBodyEOF                // a body delimited by the end of the connection
	stSkipLine               // the rest of an over-long line, then back to after
	stRecover                // after a bad request line: skip its header block
	stResync                 // after a gap or garbage: scan for a plausible start line
	stTunnel                 // CONNECT or Upgrade: not HTTP any more
)

// span is a field stored in a transaction's buffer.
type span struct{ off, n int32 }

// maxProxied bounds the proxy headers kept per request.
const maxProxied = 4

// txn is one request/response pair. Its fields are copies kept in buf, which it reuses.
type txn struct {
	depth    uint64
	ts       int64
	buf      []byte
	method   span
	uri      span
	host     span
	ua       span
	referrer span
	origin   span
	user     span
	infoMsg  span
	status   span
	proxied  [maxProxied]span
	nProxied int

	hasRequest bool // a request line was parsed (false: a reply without request)
	v09        bool
	reqMaj     uint8
	reqMin     uint8
	reqVersion bool
	connect    bool
	head       bool
	reqDone    bool
	reqBody    uint64

	respStarted bool
	respDone    bool
	hasStatus   bool
	code        uint16
	infoCode    uint16
	respMaj     uint8
	respMin     uint8
	respVersion bool
	respBody    uint64
}

func (t *txn) reset() {
	buf := t.buf[:0]
	*t = txn{buf: buf}
}

// put copies b (capped at maxField) into the buffer.
func (t *txn) put(b []byte) span {
	if len(b) > maxField {
		b = b[:maxField]
	}
	s := span{int32(len(t.buf)), int32(len(b))}
	t.buf = append(t.buf, b...)
	return s
}

// putPair stores "NAME -> value" with NAME upper-cased, as Zeek's proxied field.
func (t *txn) putPair(name, value []byte) span {
	off := len(t.buf)
	for _, c := range name {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		t.buf = append(t.buf, c)
	}
	t.buf = append(t.buf, " -> "...)
	if len(value) > maxField {
		value = value[:maxField]
	}
	t.buf = append(t.buf, value...)
	return span{int32(off), int32(len(t.buf) - off)}
}

// putUnescaped copies a URI with its %XX escapes decoded, as Zeek logs it (unescaped_URI).
// A '%' not followed by two hex digits is kept as is.
func (t *txn) putUnescaped(b []byte) span {
	if len(b) > maxField {
		b = b[:maxField]
	}
	off := len(t.buf)
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '%' && i+2 < len(b) {
			if h, ok := unhex(b[i+1]); ok {
				if l, ok := unhex(b[i+2]); ok {
					t.buf = append(t.buf, h<<4|l)
					i += 2
					continue
				}
			}
		}
		t.buf = append(t.buf, c)
	}
	return span{int32(off), int32(len(t.buf) - off)}
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (t *txn) get(s span) []byte { return t.buf[s.off : s.off+s.n] }

// dirState is the framing state of one direction's current message.
type dirState struct {
	st        state
	after     state // for stSkipLine
	remain    uint64
	chunked   bool
	hasCL     bool
	cl        uint64
	html      bool // response Content-Type is text/html
	upgrade   bool
	hdrLines  int
	overflown bool // http_header_overflow already reported for this message
	// the first bytes of the message's body, for the EICAR test file
	head  [len(dissect.EICAR)]byte
	headN int
}

func (d *dirState) startMessage() {
	*d = dirState{st: stHeaders}
}

// parser is the per-flow HTTP/1.x parser. Not safe for concurrent use.
type parser struct {
	env    *dissect.Env
	client dissect.Dir // the side that sends requests
	dirs   [2]dirState

	ring  []*txn // pending transactions, oldest at head
	head  int
	n     int
	depth uint64
	req   *txn // request being read, nil between requests
	resp  *txn // response being read, nil between responses

	flooded   bool
	rolesSent bool
	sawReq    bool

	title      []byte // an HTML response body from "<title" on, within its first titleScan bytes
	scanned    int    // body bytes looked through for the title
	tailBuf    [16]byte
	tailLen    int // the last bytes looked through, for a tag split between chunks
	lastUA     []byte
	lastServer []byte
	lastTitle  []byte
	scratch    []byte
}

func newParser(env *dissect.Env) dissect.Parser {
	return &parser{env: env, client: dissect.Orig}
}

// Parse consumes whole lines and body bytes of dir; a partial line is left unconsumed.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	d := &p.dirs[dir]
	off := 0
	for off < len(b) {
		switch d.st {
		case stTunnel:
			return len(b), nil
		case stBody:
			n := uint64(len(b) - off)
			if n > d.remain {
				n = d.remain
			}
			p.body(dir, b[off:off+int(n)])
			d.remain -= n
			off += int(n)
			if d.remain == 0 {
				if d.chunked {
					d.st = stChunkCRLF
				} else {
					p.messageDone(dir)
				}
			}
			continue
		case stBodyEOF:
			p.body(dir, b[off:])
			return len(b), nil
		case stSkipLine:
			_, n := nextLine(b[off:])
			if n == 0 {
				return len(b), nil
			}
			off += n
			d.st = d.after
			continue
		case stLine:
			if dir != p.client && p.replyIs09() {
				p.startReply09()
				continue
			}
			if dir != p.client && !looksLikeStatus(b[off:]) && b[off] != '\r' && b[off] != '\n' {
				p.badReply()
				continue
			}
		}
		line, n := nextLine(b[off:])
		if n == 0 {
			if len(b)-off > maxLine {
				if d.st != stResync {
					p.env.Weird(weirdHeaderOverflow, "line longer than 16 KiB")
					d.overflown = true
				}
				d.after = d.st
				if d.st == stLine {
					d.after = stResync
				}
				d.st = stSkipLine
				return len(b), nil
			}
			return off, nil
		}
		off += n
		p.line(dir, d, line)
	}
	return off, nil
}

// line handles one complete line in a line-oriented state.
func (p *parser) line(dir dissect.Dir, d *dirState, line []byte) {
	switch d.st {
	case stLine:
		if len(trimSpace(line)) == 0 {
			return
		}
		if dir == p.client {
			p.requestLine(d, line, false)
		} else {
			p.statusLine(d, line)
		}
	case stHeaders:
		if len(line) == 0 {
			p.headersDone(dir, d)
			return
		}
		d.hdrLines++
		if d.hdrLines > maxHeaders {
			if d.hdrLines == maxHeaders+1 {
				p.env.Weird(weirdTooManyHeaders, "")
			}
			return
		}
		if isSpace(line[0]) {
			return // obsolete line folding: continuation of the previous header
		}
		p.header(dir, d, line)
	case stChunkSize:
		size, ok := parseHex(line)
		if !ok || size > maxChunkSize {
			p.env.Weird(weirdBadChunkSize, "")
			if dir == p.client {
				p.messageDone(dir)
				d.st = stResync
			} else {
				d.st = stBodyEOF
			}
			return
		}
		if size == 0 {
			d.st = stTrailer
			return
		}
		d.remain = size
		d.st = stBody
	case stChunkCRLF:
		d.st = stChunkSize
		if len(line) != 0 {
			// Data ran past the chunk: treat the line as the next chunk-size.
			p.line(dir, d, line)
		}
	case stTrailer:
		if len(line) == 0 {
			p.messageDone(dir)
		}
	case stRecover:
		if len(line) == 0 {
			d.st = stLine
		}
	case stResync:
		if dir == p.client {
			r, prob := parseRequestLine(line)
			if prob == lineOK && !r.v09 && methodName(r.method) != "" {
				d.st = stLine
				p.requestLine(d, line, true)
			}
			return
		}
		if s, ok := parseStatusLine(line); ok && s.maj == 1 {
			d.st = stLine
			p.statusLine(d, line)
		}
	}
}

// requestLine starts a transaction from a request line.
func (p *parser) requestLine(d *dirState, line []byte, resynced bool) {
	r, prob := parseRequestLine(line)
	switch prob {
	case lineBad:
		p.env.Weird(weirdBadRequest, "")
		d.st = stRecover
		return
	case lineBadWithVersion:
		p.env.Weird(weirdBadRequestVersion, "")
		d.st = stRecover
		return
	}
	p.env.PDU()
	name := methodName(r.method)
	if name == "" {
		p.scratch = append(p.scratch[:0], r.method...)
		p.env.Weird(weirdUnknownMethod, string(p.scratch))
		p.env.Command("OTHER")
	} else {
		p.env.Command(name)
	}
	if r.missingURI {
		p.env.Weird(weirdMissingURI, "")
	}
	if r.badVersion {
		p.env.Weird(weirdBadVersion, "")
	}
	if r.v09 && name != "GET" {
		p.scratch = append(p.scratch[:0], r.method...)
		p.env.Weird(weirdInvalid09Method, string(p.scratch))
	}
	p.roles()
	t := p.push()
	t.hasRequest = true
	t.method = t.put(r.method)
	t.uri = t.putUnescaped(r.uri)
	t.v09 = r.v09
	t.connect = name == "CONNECT"
	t.head = name == "HEAD"
	if !r.v09 && !r.badVersion {
		t.reqMaj, t.reqMin, t.reqVersion = r.maj, r.min, true
	}
	p.sawReq = true
	// Header lines after a simple request are still read (Zeek does too): a client that
	// forgot the version usually sends headers.
	p.req = t
	d.startMessage()
}

// statusLine starts (or continues, after 1xx) the response of the oldest open transaction.
func (p *parser) statusLine(d *dirState, line []byte) {
	s, ok := parseStatusLine(line)
	if !ok {
		p.badReply()
		return
	}
	p.env.PDU()
	t := p.nextReply()
	if t == nil {
		return
	}
	t.respStarted = true
	t.respMaj, t.respMin, t.respVersion = s.maj, s.min, true
	if s.code >= 100 && s.code < 200 {
		t.infoCode = s.code
		t.infoMsg = t.put(s.reason)
		if s.code == 101 {
			t.code, t.hasStatus = s.code, true
			t.status = t.infoMsg
		}
	} else {
		t.code, t.hasStatus = s.code, true
		t.status = t.put(s.reason)
	}
	p.resp = t
	d.startMessage()
}

// nextReply returns the transaction the next response answers, creating a reply-only one
// when no request is waiting.
func (p *parser) nextReply() *txn {
	if p.resp != nil {
		return p.resp
	}
	for i := 0; i < p.n; i++ {
		t := p.ring[(p.head+i)%len(p.ring)]
		if !t.respDone {
			return t
		}
	}
	if p.sawReq {
		p.env.Weird(weirdUnsolicited, "")
	}
	t := p.push()
	t.reqDone = true
	return t
}

// replyIs09 reports whether the next response answers an HTTP/0.9 request (no status line).
func (p *parser) replyIs09() bool {
	if p.resp != nil {
		return false
	}
	for i := 0; i < p.n; i++ {
		t := p.ring[(p.head+i)%len(p.ring)]
		if !t.respDone {
			return t.v09
		}
	}
	return false
}

func (p *parser) startReply09() {
	t := p.nextReply()
	p.env.PDU()
	t.respStarted, t.hasStatus, t.code = true, true, 0
	p.resp = t
	d := &p.dirs[p.client.Flip()]
	*d = dirState{st: stBodyEOF}
}

// badReply handles response bytes that are not a status line: the waiting request is logged
// without a status and the direction scans for the next status line.
func (p *parser) badReply() {
	p.env.Weird(weirdBadReply, "")
	d := &p.dirs[p.client.Flip()]
	d.st = stResync
	if p.resp != nil {
		return
	}
	for i := 0; i < p.n; i++ {
		t := p.ring[(p.head+i)%len(p.ring)]
		if !t.respDone {
			t.respDone = true
			p.flush()
			return
		}
	}
}

// header handles one "Name: value" line.
func (p *parser) header(dir dissect.Dir, d *dirState, line []byte) {
	colon := -1
	for i, c := range line {
		if c == ':' {
			colon = i
			break
		}
	}
	if colon <= 0 {
		return
	}
	name := trimSpace(line[:colon])
	value := trimSpace(line[colon+1:])
	switch {
	case eqFold(name, "content-length"):
		v, ok := parseDec(value)
		if !ok {
			p.env.Weird(weirdBadContentLength, "")
			return
		}
		d.cl, d.hasCL = v, true
		return
	case eqFold(name, "transfer-encoding"):
		if containsFold(value, "chunked") {
			d.chunked = true
		}
		return
	}
	if dir == p.client {
		t := p.req
		if t == nil {
			return
		}
		switch {
		case eqFold(name, "host"):
			t.host = t.put(value)
		case eqFold(name, "user-agent"):
			t.ua = t.put(value)
			p.softwareFact(&p.lastUA, p.client, value, "user_agent")
		case eqFold(name, "referer"):
			t.referrer = t.put(value)
		case eqFold(name, "origin"):
			t.origin = t.put(value)
		case eqFold(name, "authorization"):
			p.authorization(t, value)
		case eqFold(name, "forwarded"), eqFold(name, "x-forwarded-for"), eqFold(name, "x-forwarded-from"),
			eqFold(name, "client-ip"), eqFold(name, "via"), eqFold(name, "xroxy-connection"),
			eqFold(name, "proxy-connection"):
			if t.nProxied < maxProxied {
				t.proxied[t.nProxied] = t.putPair(name, value)
				t.nProxied++
			}
		}
		return
	}
	switch {
	case eqFold(name, "content-type"):
		d.html = hasPrefixFold(value, "text/html") || hasPrefixFold(value, "application/xhtml")
	case eqFold(name, "server"):
		p.softwareFact(&p.lastServer, p.client.Flip(), value, "server")
	}
}

// authorization decodes a Basic credential: the user name is logged, the password is not.
func (p *parser) authorization(t *txn, value []byte) {
	if !hasPrefixFold(value, "basic ") {
		return
	}
	dec, ok := decodeBase64(p.scratch[:0], trimSpace(value[6:]))
	p.scratch = dec[:0]
	if !ok {
		p.env.Weird(weirdBadAuth, "")
		return
	}
	user := dec
	for i, c := range dec {
		if c == ':' {
			user = dec[:i]
			break
		}
	}
	t.user = t.put(user)
	p.env.Weird(weirdBasicAuth, "")
	p.env.Event(p.client, dissect.EvLogin, "HTTP Basic authentication in clear text, user "+string(user))
}

// headersDone decides how the message body is delimited (RFC 9112 §6.3).
func (p *parser) headersDone(dir dissect.Dir, d *dirState) {
	if dir == p.client {
		t := p.req
		switch {
		case d.chunked:
			d.st = stChunkSize
		case d.hasCL && d.cl > 0:
			d.st, d.remain = stBody, d.cl
		default:
			p.messageDone(dir)
		}
		if t != nil && t.connect {
			// The bytes after a CONNECT request belong to the tunnel unless it is refused.
			p.messageDone(dir)
			d.st = stTunnel
		}
		return
	}
	t := p.resp
	if t == nil {
		p.messageDone(dir)
		return
	}
	code := t.code
	if t.infoCode != 0 && t.infoCode != 101 && (!t.hasStatus || code < 200) {
		// An interim 1xx response: the final one follows.
		*d = dirState{st: stLine}
		p.resp = nil
		t.respStarted = false
		return
	}
	p.resetTitle()
	switch {
	case code == 101:
		p.messageDone(dir)
		p.dirs[0].st, p.dirs[1].st = stTunnel, stTunnel
		return
	case t.connect && code >= 200 && code < 300:
		p.messageDone(dir)
		p.dirs[0].st, p.dirs[1].st = stTunnel, stTunnel
		return
	case t.connect:
		if p.dirs[p.client].st == stTunnel {
			p.dirs[p.client].st = stLine
		}
	}
	if t.head || code == 204 || code == 304 {
		p.messageDone(dir)
		return
	}
	switch {
	case d.chunked:
		d.st = stChunkSize
	case d.hasCL && d.cl > 0:
		d.st, d.remain = stBody, d.cl
	case d.hasCL:
		p.messageDone(dir)
	default:
		d.st = stBodyEOF
	}
}

// body counts body bytes and keeps the start of an HTML response for its title.
func (p *parser) body(dir dissect.Dir, b []byte) {
	if d := &p.dirs[dir]; d.headN < len(d.head) {
		d.headN += copy(d.head[d.headN:], b)
		if d.headN == len(d.head) && dissect.IsEICAR(d.head[:]) {
			p.env.Weird(weirdEICAR, "")
		}
	}
	if dir == p.client {
		if p.req != nil {
			p.req.reqBody += uint64(len(b))
		}
		return
	}
	t := p.resp
	if t == nil {
		return
	}
	t.respBody += uint64(len(b))
	if p.dirs[dir].html && p.scanned < titleScan {
		p.scanTitle(b[:min(len(b), titleScan-p.scanned)])
	}
}

// scanTitle looks through the first titleScan bytes of an HTML body for "<title" and keeps
// the body from there on for findTitle; a body without one is scanned, not copied. The last
// bytes of each chunk are kept so that a tag split between two chunks is found.
func (p *parser) scanTitle(chunk []byte) {
	p.scanned += len(chunk)
	if len(p.title) > 0 {
		p.title = append(p.title, chunk...)
		return
	}
	const tag = len("<title")
	w := append(p.tailBuf[:0], p.tailBuf[:p.tailLen]...)
	w = append(w, chunk[:min(len(chunk), tag-1)]...)
	if i := titleStart(w); i >= 0 && i < p.tailLen {
		p.title = append(append(p.title, w[i:p.tailLen]...), chunk...)
		return
	}
	if i := titleStart(chunk); i >= 0 {
		p.title = append(p.title, chunk[i:]...)
		return
	}
	// Keep the last tag-1 bytes looked through.
	if len(chunk) >= tag-1 {
		p.tailLen = copy(p.tailBuf[:], chunk[len(chunk)-(tag-1):])
		return
	}
	w = append(p.tailBuf[:p.tailLen], chunk...) // fits: at most 2*(tag-1) bytes
	if n := len(w); n > tag-1 {
		w = w[n-(tag-1):]
	}
	p.tailLen = copy(p.tailBuf[:], w)
}

// resetTitle forgets the title scan of the last response.
func (p *parser) resetTitle() { p.title, p.scanned, p.tailLen = p.title[:0], 0, 0 }

// messageDone ends the current message of dir.
func (p *parser) messageDone(dir dissect.Dir) {
	d := &p.dirs[dir]
	if dir == p.client {
		if p.req != nil {
			p.req.reqDone = true
			p.req = nil
		}
		*d = dirState{st: stLine}
		p.flush()
		return
	}
	if t := p.resp; t != nil {
		t.respDone = true
		if len(p.title) > 0 {
			if title := findTitle(p.title); len(title) > 0 && string(title) != string(p.lastTitle) {
				p.lastTitle = append(p.lastTitle[:0], title...)
				p.env.Fact(p.client.Flip(), "web_title", string(title), "html.title")
			}
		}
		p.resetTitle()
		p.resp = nil
	}
	*d = dirState{st: stLine}
	p.flush()
}

// flush logs and drops the completed transactions at the head of the queue.
func (p *parser) flush() {
	for p.n > 0 {
		t := p.ring[p.head]
		if !t.reqDone || !t.respDone {
			return
		}
		p.logTxn(t)
		p.pop()
	}
}

// push appends a fresh transaction, logging the oldest one if the queue is full.
func (p *parser) push() *txn {
	if p.n == maxPending {
		if !p.flooded {
			p.flooded = true
			p.env.Weird(weirdPendingFlood, "more than 64 unanswered requests")
		}
		old := p.ring[p.head]
		if old == p.req {
			p.req = nil
		}
		if old == p.resp {
			p.resp = nil
		}
		p.logTxn(old)
		p.pop()
	}
	if p.n == len(p.ring) {
		size := 2 * len(p.ring)
		if size == 0 {
			size = 2
		}
		if size > maxPending {
			size = maxPending
		}
		ring := make([]*txn, size)
		for i := 0; i < p.n; i++ {
			ring[i] = p.ring[(p.head+i)%len(p.ring)]
		}
		for i := p.n; i < size; i++ {
			ring[i] = &txn{}
		}
		p.ring, p.head = ring, 0
	}
	t := p.ring[(p.head+p.n)%len(p.ring)]
	p.n++
	t.reset()
	p.depth++
	t.depth = p.depth
	t.ts = p.env.TS
	return t
}

func (p *parser) pop() {
	p.head = (p.head + 1) % len(p.ring)
	p.n--
}

// logTxn writes one http.log record (Zeek's field names; unset fields omitted).
func (p *parser) logTxn(t *txn) {
	env := p.env
	now := env.TS
	env.TS = t.ts
	r := env.Log(logHTTP).Uint("trans_depth", t.depth)
	if t.hasRequest {
		r.Bytes("method", t.get(t.method))
		if t.host.n > 0 {
			r.Bytes("host", t.get(t.host))
		}
		r.Bytes("uri", t.get(t.uri))
		if t.referrer.n > 0 {
			r.Bytes("referrer", t.get(t.referrer))
		}
	}
	var v [3]byte
	switch {
	case t.respVersion:
		v = [3]byte{'0' + t.respMaj, '.', '0' + t.respMin}
	case t.v09:
		v = [3]byte{'0', '.', '9'}
	case t.reqVersion:
		v = [3]byte{'0' + t.reqMaj, '.', '0' + t.reqMin}
	}
	if v[0] != 0 {
		r.Bytes("version", v[:])
	}
	if t.ua.n > 0 {
		r.Bytes("user_agent", t.get(t.ua))
	}
	if t.origin.n > 0 {
		r.Bytes("origin", t.get(t.origin))
	}
	r.Uint("request_body_len", t.reqBody).Uint("response_body_len", t.respBody)
	if t.hasStatus {
		r.Uint("status_code", uint64(t.code))
		if t.status.n > 0 {
			r.Bytes("status_msg", t.get(t.status))
		}
	}
	if t.infoCode != 0 {
		r.Uint("info_code", uint64(t.infoCode))
		if t.infoMsg.n > 0 {
			r.Bytes("info_msg", t.get(t.infoMsg))
		}
	}
	if t.user.n > 0 {
		r.Bytes("username", t.get(t.user))
	}
	if t.nProxied > 0 {
		r.Array("proxied")
		for i := 0; i < t.nProxied; i++ {
			r.ElemStr(string(t.get(t.proxied[i]))) // rare: allocates
		}
		r.End()
	}
	r.Done()
	env.TS = now
}

// roles reports the client and server roles once per flow.
func (p *parser) roles() {
	if p.rolesSent {
		return
	}
	p.rolesSent = true
	p.env.Fact(p.client, dissect.AttrRole, "http_client", "request")
	p.env.Fact(p.client.Flip(), dissect.AttrRole, "http_server", "response")
}

// softwareFact reports a User-Agent or Server string when it differs from the last one.
func (p *parser) softwareFact(last *[]byte, side dissect.Dir, v []byte, field string) {
	if len(v) == 0 || string(v) == string(*last) {
		return
	}
	if len(v) > maxField {
		v = v[:maxField]
	}
	*last = append((*last)[:0], v...)
	p.env.Fact(side, dissect.AttrSoftware, string(v), field)
}

// Gap skips lost bytes inside a body; elsewhere the direction resynchronises on the next
// start line and the message in progress is closed as it stands.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	d := &p.dirs[dir]
	switch d.st {
	case stTunnel:
		return
	case stBodyEOF:
		p.countGap(dir, lost)
		return
	case stBody:
		if uint64(lost) < d.remain {
			d.remain -= uint64(lost)
			p.countGap(dir, lost)
			return
		}
	}
	if dir == p.client {
		if p.req != nil {
			p.messageDone(dir)
		}
	} else if p.resp != nil {
		p.messageDone(dir)
	}
	p.dirs[dir] = dirState{st: stResync}
}

func (p *parser) countGap(dir dissect.Dir, lost int) {
	if dir == p.client {
		if p.req != nil {
			p.req.reqBody += uint64(lost)
		}
	} else if p.resp != nil {
		p.resp.respBody += uint64(lost)
	}
}

// Close ends a body delimited by the connection and logs every transaction still open.
func (p *parser) Close() {
	if p.resp != nil {
		p.resp.respDone = true
		p.messageDone(p.client.Flip())
	}
	for p.n > 0 {
		p.logTxn(p.ring[p.head])
		p.pop()
	}
	p.req, p.resp = nil, nil
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
