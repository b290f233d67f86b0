package http

import (
	"strconv"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func feed(t *testing.T, split func(dir dissect.Dir, b []byte) [][]byte, steps ...step) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("http", dissecttest.Flow(6, 80))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range steps {
		for _, part := range split(st.dir, []byte(st.b)) {
			if err := s.Write(t, st.dir, part); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.P.Close()
	return c
}

func TestSegmentation(t *testing.T) {
	exchange := []step{req(getReq), resp(getResp), req("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), resp(chunkResp)}
	check := func(t *testing.T, c *dissecttest.Capture) {
		t.Helper()
		recs := c.Logs("http")
		if len(recs) != 2 {
			t.Fatalf("%d records, want 2: %v", len(recs), recs)
		}
		want(t, recs[0], "uri", "/index.html?a=Ab", "user_agent", "curl/8.0", "response_body_len", "43", "status_code", "200")
		want(t, recs[1], "trans_depth", "2", "response_body_len", "15")
		if w := c.WeirdNames(); len(w) != 0 {
			t.Errorf("weirds %v", w)
		}
	}
	t.Run("two segments", func(t *testing.T) {
		check(t, feed(t, func(_ dissect.Dir, b []byte) [][]byte { return [][]byte{b[:len(b)/2], b[len(b)/2:]} }, exchange...))
	})
	t.Run("byte at a time", func(t *testing.T) {
		check(t, feed(t, func(_ dissect.Dir, b []byte) [][]byte {
			out := make([][]byte, len(b))
			for i := range b {
				out[i] = b[i : i+1]
			}
			return out
		}, exchange...))
	})
	t.Run("two PDUs in one segment", func(t *testing.T) {
		check(t, run(t, req(getReq+"GET / HTTP/1.1\r\nHost: a\r\n\r\n"), resp(getResp+chunkResp)))
	})
}

func TestGapResync(t *testing.T) {
	env, c := dissecttest.NewEnv("http", dissecttest.Flow(6, 80))
	s := &dissecttest.Stream{P: newParser(env)}
	w := func(d dissect.Dir, b string) {
		if err := s.Write(t, d, []byte(b)); err != nil {
			t.Fatal(err)
		}
	}
	// A gap inside a Content-Length body is skipped and counted.
	w(dissect.Orig, getReq)
	w(dissect.Resp, getResp[:len(getResp)-20])
	s.Gap(dissect.Resp, 10)
	w(dissect.Resp, getResp[len(getResp)-10:])
	// A gap in the middle of a header block: the parser drops the message and waits for the
	// next start line, discarding the tail of the broken one.
	w(dissect.Orig, "GET /lost HTTP/1.1\r\nHo")
	s.Gap(dissect.Orig, 50)
	w(dissect.Orig, "st: tail of lost header\r\n\r\nGET /after HTTP/1.1\r\nHost: b\r\n\r\n")
	w(dissect.Resp, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
	w(dissect.Resp, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	s.P.Close()
	recs := c.Logs("http")
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3: %v", len(recs), recs)
	}
	want(t, recs[0], "response_body_len", "43", "status_code", "200")
	want(t, recs[1], "uri", "/lost", "status_code", "404")
	want(t, recs[2], "uri", "/after", "host", "b", "status_code", "200")
}

// TestGarbageBounded: a direction that never sends a line end is not buffered without bound.
func TestGarbageBounded(t *testing.T) {
	env, c := dissecttest.NewEnv("http", dissecttest.Flow(6, 80))
	s := &dissecttest.Stream{P: newParser(env)}
	chunk := make([]byte, 4096)
	for i := range chunk {
		chunk[i] = 'A'
	}
	for i := 0; i < 20; i++ {
		if err := s.Write(t, dissect.Orig, chunk); err != nil {
			t.Fatal(err)
		}
		if s.Pending(dissect.Orig) > maxLine+len(chunk) {
			t.Fatalf("%d bytes pending", s.Pending(dissect.Orig))
		}
	}
	if w := c.WeirdNames(); len(w) != 1 || w[0] != weirdHeaderOverflow {
		t.Errorf("weirds %v, want one %s", w, weirdHeaderOverflow)
	}
}

// typical is a keep-alive poll of a device web page.
var typical = []step{
	req(getReq), resp(getResp),
	req("POST /api/values HTTP/1.1\r\nHost: plc.local\r\nUser-Agent: curl/8.0\r\nContent-Length: 11\r\n\r\n{\"x\": 1234}"),
	resp("HTTP/1.1 200 OK\r\nServer: Siemens-S7-1200/4.2\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"),
	req("GET /data HTTP/1.1\r\nHost: plc.local\r\nUser-Agent: curl/8.0\r\n\r\n"), resp(chunkResp),
}

func newBenchParser() *parser {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 80), Name: "http", TS: 1, Out: dissecttest.Discard{}}
	return newParser(env).(*parser)
}

func TestSteadyStateAllocs(t *testing.T) {
	p := newBenchParser()
	bufs := make([][]byte, len(typical))
	for i, st := range typical {
		bufs[i] = []byte(st.b)
	}
	cycle := func() {
		for i, st := range typical {
			if n, err := p.Parse(st.dir, bufs[i]); n != len(bufs[i]) || err != nil {
				t.Fatalf("Parse = %d, %v", n, err)
			}
		}
	}
	cycle()
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per cycle, want 0", a)
	}
	if a := testing.AllocsPerRun(200, func() { p.Parse(dissect.Orig, bufs[0][:20]) }); a != 0 {
		t.Errorf("%.1f allocs for a partial line, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p := newBenchParser()
	bufs := make([][]byte, len(typical))
	total := 0
	for i, st := range typical {
		bufs[i] = []byte(st.b)
		total += len(bufs[i])
	}
	b.ReportAllocs()
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, st := range typical {
			p.Parse(st.dir, bufs[j])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(typical)), "ns/PDU")
}

func FuzzParse(f *testing.F) {
	seed := func(steps ...step) []byte {
		var out []byte
		for i, st := range steps {
			if i > 0 {
				out = append(out, dissecttest.Sep...)
			}
			out = append(out, byte(st.dir))
			out = append(out, st.b...)
		}
		return out
	}
	f.Add(seed(typical...))
	f.Add(seed(req("GET /zeek.html\n"), resp("<html></html>")))
	f.Add(seed(req("CONNECT a:443 HTTP/1.1\r\n\r\n"), resp("HTTP/1.1 200 OK\r\n\r\n\x16\x03")))
	f.Add(seed(req("POST / HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"), resp("HTTP/1.1 100 Continue\r\n\r\n"), req("hello")))
	f.Add(seed(req("GET / HTTP/1.1\r\nAuthorization: Basic dGVzdDoxOjM0\r\n\r\n"), resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")))
	f.Add(seed(req("GET / HTTP/1.1\r\nHo"), step{0xff, "xxxx"}, req("st: a\r\n\r\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "http", data, 70000)
	})
}

// The page title is found however the body is cut, including "<title" split between two
// segments, as long as it starts within the first titleScan bytes of the body; a body without
// one is looked through without being kept.
func TestTitleAcrossSegments(t *testing.T) {
	page := func(pad int) string {
		body := strings.Repeat("x", pad) + "<html><TiTle> Line 3 HMI </title></html>"
		return "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	titleOf := func(c *dissecttest.Capture) string {
		for _, f := range c.Facts {
			if f.Attr == "web_title" {
				return f.Value
			}
		}
		return ""
	}
	for _, pad := range []int{0, 3000, titleScan - 10} {
		pg := page(pad)
		hdr := strings.Index(pg, "\r\n\r\n") + 4
		tag := hdr + pad + len("<html><Ti")
		for _, cut := range []int{hdr + 1, tag - 5, tag - 3, tag, tag + 2} {
			c := feed(t, func(d dissect.Dir, b []byte) [][]byte {
				if d == dissect.Resp {
					return [][]byte{b[:cut], b[cut:]}
				}
				return [][]byte{b}
			}, req(getReq), resp(pg))
			want := "Line 3 HMI"
			if pad == titleScan-10 {
				want = "" // the title runs past the first titleScan bytes of the body
			}
			if got := titleOf(c); got != want {
				t.Errorf("title after %d bytes, cut at %d: %q, want %q", pad, cut, got, want)
			}
		}
	}
	// Byte at a time.
	c := feed(t, func(d dissect.Dir, b []byte) [][]byte {
		out := make([][]byte, len(b))
		for i := range b {
			out[i] = b[i : i+1]
		}
		return out
	}, req(getReq), resp(page(100)))
	if got := titleOf(c); got != "Line 3 HMI" {
		t.Errorf("byte at a time: title %q", got)
	}
	// A page without a title keeps nothing.
	env, _ := dissecttest.NewEnv("http", dissecttest.Flow(6, 80))
	p := newParser(env).(*parser)
	s := &dissecttest.Stream{P: p}
	s.Write(t, dissect.Orig, []byte(getReq))
	body := strings.Repeat("<p>no title here</p>", 500)
	s.Write(t, dissect.Resp, []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body[:5000]))
	if len(p.title) != 0 {
		t.Errorf("%d bytes of a title-less body kept", len(p.title))
	}
}

// TestEICAR: a body that is the EICAR test file is a named anomaly, however it is cut into
// segments or chunks: a download with Content-Length (whole, two segments, a byte at a time),
// a chunked download whose chunks split the file, an upload. A body that only contains it
// later, or a shorter body, is not.
func TestEICAR(t *testing.T) {
	dl := func(body string) string {
		return "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	get := "GET /eicar.com HTTP/1.1\r\nHost: av-test\r\n\r\n"
	chunked := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"14\r\n" + dissect.EICAR[:20] + "\r\n" + strconv.FormatInt(int64(len(dissect.EICAR)-20+2), 16) + "\r\n" + dissect.EICAR[20:] + "\r\n\r\n0\r\n\r\n"
	upload := "POST /upload HTTP/1.1\r\nHost: files\r\nContent-Length: " + strconv.Itoa(len(dissect.EICAR)) + "\r\n\r\n" + dissect.EICAR
	whole := func(_ dissect.Dir, b []byte) [][]byte { return [][]byte{b} }
	halves := func(_ dissect.Dir, b []byte) [][]byte { return [][]byte{b[:len(b)-40], b[len(b)-40:]} }
	bytewise := func(_ dissect.Dir, b []byte) [][]byte {
		out := make([][]byte, len(b))
		for i := range b {
			out[i] = b[i : i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		split func(dissect.Dir, []byte) [][]byte
		steps []step
		n     int
	}{
		{"download", whole, []step{req(get), resp(dl(dissect.EICAR))}, 1},
		{"download in two segments", halves, []step{req(get), resp(dl(dissect.EICAR + "\r\n"))}, 1},
		{"download a byte at a time", bytewise, []step{req(get), resp(dl(dissect.EICAR))}, 1},
		{"chunked", whole, []step{req(get), resp(chunked)}, 1},
		{"upload", whole, []step{req(upload), resp("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")}, 1},
		{"inside a larger file", whole, []step{req(get), resp(dl("readme: " + dissect.EICAR))}, 0},
		{"truncated", whole, []step{req(get), resp(dl(dissect.EICAR[:60]))}, 0},
		{"two downloads", whole, []step{req(get + get), resp(dl(dissect.EICAR) + dl("plain text, long enough to fill the head buffer of the second body ......"))}, 1},
	} {
		c := feed(t, tc.split, tc.steps...)
		n := 0
		for _, w := range c.WeirdNames() {
			if w == weirdEICAR {
				n++
			} else {
				t.Errorf("%s: weird %s", tc.name, w)
			}
		}
		if n != tc.n {
			t.Errorf("%s: %d %s, want %d", tc.name, n, weirdEICAR, tc.n)
		}
	}
}
