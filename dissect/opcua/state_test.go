package opcua

import (
	"bytes"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// session is a small conversation: HEL/ACK, OPN, Read and Write requests and responses.
func session() (orig, resp [][]byte) {
	orig = [][]byte{hello(), opnRequest(), readRequest(2), writeRequest(3)}
	resp = [][]byte{ack(), opnResponse(), readResponse(2)}
	return
}

func rows(c *dissecttest.Capture) []string {
	var out []string
	for _, r := range c.Logs(logMain) {
		out = append(out, r.Get("msg_type")+"/"+r.Get("is_final")+"/"+r.Get("identifier_str"))
	}
	return out
}

// TestSegmentation feeds the same conversation whole, split in two, two messages per
// segment and byte at a time: the logs must be the same.
func TestSegmentation(t *testing.T) {
	orig, resp := session()
	want := func() []string {
		p, c := newTest(t)
		s := &dissecttest.Stream{P: p}
		for i := range orig {
			s.Write(t, dissect.Orig, orig[i])
			if i < len(resp) {
				s.Write(t, dissect.Resp, resp[i])
			}
		}
		return rows(c)
	}()
	if len(want) != 7 {
		t.Fatalf("whole: %v", want)
	}
	splits := map[string]func([]byte) [][]byte{
		"two segments": func(b []byte) [][]byte { return [][]byte{b[:len(b)/2], b[len(b)/2:]} },
		"byte at a time": func(b []byte) [][]byte {
			var out [][]byte
			for i := range b {
				out = append(out, b[i:i+1])
			}
			return out
		},
	}
	for name, split := range splits {
		t.Run(name, func(t *testing.T) {
			p, c := newTest(t)
			s := &dissecttest.Stream{P: p}
			for i := range orig {
				for _, seg := range split(orig[i]) {
					s.Write(t, dissect.Orig, seg)
				}
				if i < len(resp) {
					for _, seg := range split(resp[i]) {
						s.Write(t, dissect.Resp, seg)
					}
				}
			}
			if got := rows(c); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("got %v, want %v", got, want)
			}
			if s.Pending(dissect.Orig) != 0 || s.Pending(dissect.Resp) != 0 {
				t.Errorf("bytes left pending")
			}
		})
	}
	t.Run("two messages per segment", func(t *testing.T) {
		p, c := newTest(t)
		s := &dissecttest.Stream{P: p}
		s.Write(t, dissect.Orig, cat(orig[0], orig[1]))
		s.Write(t, dissect.Resp, cat(resp[0], resp[1]))
		s.Write(t, dissect.Orig, cat(orig[2], orig[3]))
		s.Write(t, dissect.Resp, resp[2])
		got := rows(c)
		// Order differs from the interleaved feed; compare as sets of rows.
		if len(got) != len(want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

// TestGapResync loses the middle of a message: the parser drops the partial state, skips
// to the next plausible header and decodes the following messages.
func TestGapResync(t *testing.T) {
	p, c := newTest(t)
	s := &dissecttest.Stream{P: p}
	r1, r2 := readRequest(2), readRequest(3)
	s.Write(t, dissect.Orig, r1[:20])
	s.Gap(dissect.Orig, len(r1)-20-10)
	s.Write(t, dissect.Orig, cat(r1[len(r1)-10:], r2, writeRequest(4)))
	got := rows(c)
	if strings.Join(got, ",") != "MSG/F/ReadRequest,MSG/F/WriteRequest" {
		t.Errorf("after gap: %v", got)
	}
	if len(c.Logs("weird")) != 0 {
		t.Errorf("resync must be silent: %v", c.Logs("weird"))
	}
}

// TestBadChunkSize: an impossible size is reported once and the stream resynchronised.
func TestBadChunkSize(t *testing.T) {
	p, c := newTest(t)
	bad := cat([]byte("MSGF"), u32(3), []byte("garbage!"))
	feed(t, p, dissect.Orig, cat(bad, readRequest(2)))
	if w := c.WeirdCounts(); w[weirdBadChunkSize] != 1 || len(w) != 1 {
		t.Errorf("weirds %v", w)
	}
	if got := rows(c); len(got) != 1 || got[0] != "MSG/F/ReadRequest" {
		t.Errorf("rows %v", got)
	}
	// An unknown message type likewise.
	p, c = newTest(t)
	feed(t, p, dissect.Orig, cat([]byte("XYZF"), u32(40), readRequest(2)))
	if w := c.WeirdCounts(); w[weirdUnknownType] != 1 {
		t.Errorf("weirds %v", w)
	}
}

// chunked splits a service body into n chunks of one message with request id reqID.
func chunked(body []byte, n int, reqID uint32) [][]byte {
	var out [][]byte
	step := (len(body) + n - 1) / n
	for i := 0; i < n; i++ {
		lo, hi := i*step, min((i+1)*step, len(body))
		ct := byte('C')
		if i == n-1 {
			ct = 'F'
		}
		out = append(out, secure("MSG", ct, uint32(10+i), reqID, body[lo:hi]))
	}
	return out
}

func TestChunkReassembly(t *testing.T) {
	p, c := newTest(t)
	body := readRequest(6)[hdrLen+16:] // type id onwards
	feed(t, p, dissect.Orig, chunked(body, 3, 6)...)
	got := rows(c)
	if strings.Join(got, ",") != "MSG/C/ReadRequest,MSG/C/,MSG/F/" {
		t.Errorf("rows %v", got)
	}
	nodes := c.Logs(logReadNodes)
	if len(nodes) != 1 || nodes[0].Get("node_id_string") != "the.answer" {
		t.Fatalf("reassembled read: %v", nodes)
	}
	if nodes[0].Get("nodes_to_read_link_id") != c.Logs(logRead)[0].Get("nodes_to_read_link_id") ||
		c.Logs(logRead)[0].Get("opcua_link_id") != c.Logs(logMain)[0].Get("opcua_link_id") {
		t.Error("link ids do not chain back to the first chunk")
	}

	// An abort chunk drops the message.
	p, c = newTest(t)
	ch := chunked(body, 3, 7)
	abort := secure("MSG", 'A', 20, 7, cat(u32(0x80830000), str("gave up")))
	feed(t, p, dissect.Orig, ch[0], abort, ch[2])
	if len(c.Logs(logReadNodes)) != 0 {
		t.Error("aborted message decoded")
	}
	if w := c.WeirdCounts(); w[weirdChunkAbort] != 1 {
		t.Errorf("weirds %v", w)
	}
	if r := c.Logs(logMain)[1]; r.Get("is_final") != "A" || r.Get("reason") != "gave up" || r.Get("error") != "2156068864" {
		t.Errorf("abort row %s", r.Raw)
	}
}

// TestChunkLimits: a message of more than maxChunks chunks is given up, reported once.
func TestChunkLimits(t *testing.T) {
	p, c := newTest(t)
	first := secure("MSG", 'C', 1, 9, cat(fourByteID(idReadReq), reqHdrBytes(9)))
	feed(t, p, dissect.Orig, first)
	mid := secure("MSG", 'C', 2, 9, []byte{0})
	for i := 0; i < maxChunks+5; i++ {
		feed(t, p, dissect.Orig, mid)
	}
	feed(t, p, dissect.Orig, secure("MSG", 'F', 3, 9, []byte{0}))
	if w := c.WeirdCounts(); w[weirdChunkLimit] != 1 {
		t.Errorf("weirds %v", w)
	}
	if len(p.dirs[0].msg) != 0 || p.dirs[0].msgOn {
		t.Error("reassembly state kept")
	}
}

// TestLargeChunk: a chunk bigger than the engine's buffer is accumulated by the parser.
func TestLargeChunk(t *testing.T) {
	p, c := newTest(t)
	pad := bytes.Repeat([]byte{'x'}, 100<<10)
	big := secure("MSG", 'F', 2, 2, cat(fourByteID(idReadReq), reqHdrBytes(2), f64(0), u32(0), i32(1),
		u8(3), u16(1), str(string(pad)), u32(13), str("\x00null"), u16(0), str("\x00null")))
	s := &dissecttest.Stream{P: p}
	for off := 0; off < len(big); off += 1460 {
		s.Write(t, dissect.Orig, big[off:min(off+1460, len(big))])
		if s.Pending(dissect.Orig) > 64<<10 {
			t.Fatalf("%d bytes pending", s.Pending(dissect.Orig))
		}
	}
	if n := c.Logs(logReadNodes); len(n) != 1 || len(n[0].Get("node_id_string")) != len(pad) {
		t.Errorf("big read not decoded")
	}
}

// TestEncrypted: a secured channel's bodies are logged with their headers only.
func TestEncrypted(t *testing.T) {
	p, c := newTest(t)
	opn := message("OPN", 'F', cat(u32(0), str("http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256"),
		str("CERT"), str("01234567890123456789"), bytes.Repeat([]byte{0xa5}, 64)))
	msg := secure("MSG", 'F', 0xdeadbeef, 0x12345678, bytes.Repeat([]byte{0x5a}, 64))
	feed(t, p, dissect.Orig, opn, msg)
	rs := c.Logs(logMain)
	if len(rs) != 2 {
		t.Fatalf("rows %v", rs)
	}
	if rs[0].Get("encrypted") != "true" || rs[0].Get("snd_cert_len") != "4" || rs[0].Get("snd_cert") != "0x43455254" ||
		rs[0].Get("seq_number") != "" || rs[0].Get("identifier") != "" {
		t.Errorf("OPN row %s", rs[0].Raw)
	}
	if rs[1].Get("encrypted") != "true" || rs[1].Get("sec_token_id") != "7" || rs[1].Get("request_id") != "" {
		t.Errorf("MSG row %s", rs[1].Raw)
	}
	// A signed-only body (Sign mode) is still decoded.
	feed(t, p, dissect.Orig, readRequest(5))
	if len(c.Logs(logReadNodes)) != 1 {
		t.Error("signed-only body not decoded")
	}
}

// TestPairing: responses are paired by request id; an unmatched one is reported once;
// past maxPending the table is bounded and a flood reported.
func TestPairing(t *testing.T) {
	p, c := newTest(t)
	feed(t, p, dissect.Orig, readRequest(2))
	feed(t, p, dissect.Resp, readResponse(2))
	if len(p.pend) != 0 || len(c.WeirdCounts()) != 0 {
		t.Fatalf("pending %v weirds %v", p.pend, c.WeirdCounts())
	}
	feed(t, p, dissect.Resp, readResponse(99), readResponse(98))
	if w := c.WeirdCounts(); w[weirdUnmatched] != 1 {
		t.Errorf("weirds %v", w)
	}
	for i := 0; i < maxPending+10; i++ {
		feed(t, p, dissect.Orig, readRequest(uint32(1000+i)))
	}
	if len(p.pend) != maxPending || c.WeirdCounts()[weirdRequestFlood] != 1 {
		t.Errorf("pending %d, weirds %v", len(p.pend), c.WeirdCounts())
	}
}

// TestNotOPCUA: non-OPC UA bytes on port 4840 are refused by the probe and the parser logs
// no OPC UA record from them.
func TestNotOPCUA(t *testing.T) {
	http := []byte("GET /index.html HTTP/1.1\r\nHost: plc\r\nUser-Agent: curl\r\n\r\n")
	if v := Probe(dissect.Orig, http); v != dissect.NoMatch {
		t.Fatalf("Probe = %v", v)
	}
	p, c := newTest(t)
	s := &dissecttest.Stream{P: p}
	s.Write(t, dissect.Orig, http)
	for _, r := range c.Records {
		if strings.HasPrefix(r.Log, "opcua") {
			t.Errorf("logged %s", r.Raw)
		}
	}
	if s.Pending(dissect.Orig) >= hdrLen {
		t.Errorf("%d bytes kept", s.Pending(dissect.Orig))
	}
}

// TestSteadyStateAllocs: parsing typical messages allocates nothing once warm.
func TestSteadyStateAllocs(t *testing.T) {
	p, _ := newTest(t)
	p.env.Out = nil // records are built but not kept
	msgs := [][]byte{readRequest(2), readResponse(2), opnRequest(), hello(), ack()}
	feed(t, p, dissect.Orig, msgs[0])
	feed(t, p, dissect.Resp, msgs[1])
	allocs := testing.AllocsPerRun(200, func() {
		p.Parse(dissect.Orig, msgs[0])
		p.Parse(dissect.Resp, msgs[1])
		p.Parse(dissect.Orig, msgs[2])
		p.Parse(dissect.Orig, msgs[3])
		p.Parse(dissect.Resp, msgs[4])
	})
	if allocs != 0 {
		t.Errorf("%.1f allocs per run", allocs)
	}
	body := readRequest(6)[hdrLen+16:]
	ch := chunked(body, 3, 6)
	allocs = testing.AllocsPerRun(200, func() {
		for _, m := range ch {
			p.Parse(dissect.Orig, m)
		}
	})
	if allocs != 0 {
		t.Errorf("chunked: %.1f allocs per run", allocs)
	}
}

func BenchmarkParse(b *testing.B) {
	env, _ := dissecttest.NewEnv("opcua", dissecttest.Flow(6, 4840))
	env.Out = nil
	p := newParser(env)
	req, res := readRequest(2), readResponse(2)
	b.ReportAllocs()
	b.SetBytes(int64(len(req) + len(res)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Parse(dissect.Orig, req)
		p.Parse(dissect.Resp, res)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N), "ns/PDU")
}
