package http

import (
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

type step struct {
	dir dissect.Dir
	b   string
}

func req(s string) step  { return step{dissect.Orig, s} }
func resp(s string) step { return step{dissect.Resp, s} }

// run feeds whole steps through the engine's stream semantics and closes the flow.
func run(t testing.TB, steps ...step) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("http", dissecttest.Flow(6, 80))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range steps {
		if err := s.Write(t, st.dir, []byte(st.b)); err != nil {
			t.Fatalf("Parse: %v", err)
		}
	}
	s.P.Close()
	return c
}

func want(t *testing.T, r dissecttest.Rec, kv ...string) {
	t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		if got := r.Get(kv[i]); got != kv[i+1] {
			t.Errorf("%s = %q, want %q (record %s)", kv[i], got, kv[i+1], r.Raw)
		}
	}
}

const (
	getReq = "GET /index.html?a=%41b HTTP/1.1\r\n" + // request line: escaped URI
		"Host: plc.local\r\n" +
		"User-Agent: curl/8.0\r\n" +
		"Referer: http://plc.local/\r\n" +
		"\r\n"
	getResp = "HTTP/1.1 200 OK\r\n" +
		"Server: Siemens-S7-1200/4.2\r\n" +
		"Content-Type: text/html\r\n" +
		"Content-Length: 43\r\n" +
		"\r\n" +
		"<html><title> PLC Portal </title>hello</htm"
	chunkResp = "HTTP/1.1 200 OK\r\n" +
		"Transfer-Encoding: chunked\r\n" +
		"\r\n" +
		"5\r\nhello\r\n" + // chunk of 5
		"a;ext=1\r\n0123456789\r\n" + // chunk of 10 with an extension
		"0\r\n" + // last chunk
		"X-Trailer: 1\r\n\r\n"
)

func TestTransactions(t *testing.T) {
	cases := []struct {
		name   string
		steps  []step
		recs   [][]string // per http.log record: key/value pairs
		weirds []string
	}{
		{"get with html title", []step{req(getReq), resp(getResp)},
			[][]string{{"trans_depth", "1", "method", "GET", "host", "plc.local", "uri", "/index.html?a=Ab",
				"referrer", "http://plc.local/", "version", "1.1", "user_agent", "curl/8.0",
				"request_body_len", "0", "response_body_len", "43", "status_code", "200", "status_msg", "OK"}}, nil},
		{"chunked response", []step{req("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), resp(chunkResp)},
			[][]string{{"status_code", "200", "response_body_len", "15"}}, nil},
		{"post with body and 100-continue", []step{
			req("POST /cfg HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"),
			resp("HTTP/1.1 100 Continue\r\n\r\n"),
			req("a=bc"),
			resp("HTTP/1.1 204 No Content\r\n\r\n")},
			[][]string{{"method", "POST", "request_body_len", "4", "status_code", "204", "info_code", "100", "info_msg", "Continue"}}, nil},
		{"pipelined requests", []step{
			req("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: a\r\n\r\n"),
			resp("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n")},
			[][]string{{"trans_depth", "1", "uri", "/1", "response_body_len", "2"},
				{"trans_depth", "2", "method", "HEAD", "uri", "/2", "response_body_len", "0"}}, nil},
		{"body until close (HTTP/1.0)", []step{req("GET / HTTP/1.0\r\n\r\n"), resp("HTTP/1.0 200 OK\r\n\r\nabcdef")},
			[][]string{{"version", "1.0", "response_body_len", "6"}}, nil},
		{"http/0.9", []step{req("GET /zeek.html\n"), resp("<html>x</html>\n")},
			[][]string{{"method", "GET", "uri", "/zeek.html", "version", "0.9", "status_code", "0", "response_body_len", "15"}}, nil},
		{"connect tunnel", []step{
			req("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Connection: keep-alive\r\n\r\n"),
			resp("HTTP/1.0 200 Connection Established\r\n\r\n\x16\x03\x01\x00\x05hello"),
			req("\x16\x03\x01\x02\x00binary")},
			[][]string{{"method", "CONNECT", "uri", "example.com:443", "status_code", "200", "response_body_len", "0",
				"proxied", `["PROXY-CONNECTION -\u003e keep-alive"]`}}, nil},
		{"websocket upgrade", []step{
			req("GET /ws HTTP/1.1\r\nHost: a\r\nOrigin: http://a\r\nUpgrade: websocket\r\n\r\n"),
			resp("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello")},
			[][]string{{"origin", "http://a", "status_code", "101", "info_code", "101"}}, nil},
		{"basic auth: user logged, password not", []step{
			req("GET / HTTP/1.1\r\nAuthorization: Basic dGVzdDoxOjM0\r\n\r\n"), // test:1:34
			resp("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")},
			[][]string{{"username", "test", "password", "", "status_code", "401"}}, []string{weirdBasicAuth}},
		{"reply without request after bad request line", []step{
			req("OPTIONSHTTP/1.1\nHost: www.google.com\n\n"),
			resp("HTTP/1.0 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad")},
			[][]string{{"method", "", "uri", "", "status_code", "400", "response_body_len", "3"}}, []string{weirdBadRequest}},
		{"missing uri", []step{req("OPTIONS HTTP/1.1\r\n\r\n"), resp("HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")},
			[][]string{{"method", "OPTIONS", "uri", "", "version", "1.0"}}, []string{weirdMissingURI}},
		{"unknown method", []step{req("CCM_POST / HTTP/1.1\r\n\r\n"), resp("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")},
			[][]string{{"method", "CCM_POST", "status_code", "405"}}, []string{weirdUnknownMethod}},
		{"unanswered request logged at close", []step{req("DELETE /x HTTP/1.1\r\n\r\n")},
			[][]string{{"method", "DELETE", "status_code", ""}}, nil},
		{"bad chunk size", []step{req("GET / HTTP/1.1\r\n\r\n"), resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nrest")},
			[][]string{{"status_code", "200", "response_body_len", "4"}}, []string{weirdBadChunkSize}},
		{"reply that is not a status line", []step{req("GET / HTTP/1.1\r\n\r\n"), resp("<html>raw</html>\n")},
			[][]string{{"method", "GET", "status_code", "", "response_body_len", "0"}}, []string{weirdBadReply}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := run(t, tc.steps...)
			recs := c.Logs("http")
			if len(recs) != len(tc.recs) {
				t.Fatalf("%d http records, want %d: %v", len(recs), len(tc.recs), recs)
			}
			for i, kv := range tc.recs {
				want(t, recs[i], kv...)
			}
			got := strings.Join(c.WeirdNames(), ",")
			for _, w := range tc.weirds {
				if !strings.Contains(got, w) {
					t.Errorf("weirds %q lack %s", got, w)
				}
			}
			if tc.weirds == nil && got != "" {
				t.Errorf("unexpected weirds %q", got)
			}
		})
	}
}

func TestFactsAndEvents(t *testing.T) {
	c := run(t, req(getReq), resp(getResp), req(getReq), resp(getResp),
		req("GET / HTTP/1.1\r\nAuthorization: Basic YWRtaW46c2VjcmV0\r\n\r\n"), resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
	got := map[string]string{}
	n := 0
	for _, f := range c.Facts {
		got[f.Attr+"/"+f.Side.String()+"/"+f.Field] = f.Value
		n++
	}
	for k, v := range map[string]string{
		"software/orig/user_agent":  "curl/8.0",
		"software/resp/server":      "Siemens-S7-1200/4.2",
		"web_title/resp/html.title": "PLC Portal",
		"role/orig/request":         "http_client",
		"role/resp/response":        "http_server",
	} {
		if got[k] != v {
			t.Errorf("fact %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if n != 5 {
		t.Errorf("%d facts, want 5 (repeats must be suppressed): %v", n, c.Facts)
	}
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvLogin || c.Events[0].Src != dissect.Orig ||
		!strings.Contains(c.Events[0].Detail, "admin") || strings.Contains(c.Events[0].Detail, "secret") {
		t.Errorf("events = %+v, want one login by admin without the password", c.Events)
	}
	for _, r := range c.Records {
		if strings.Contains(r.Raw, "secret") {
			t.Errorf("password leaked: %s", r.Raw)
		}
	}
}

func TestRequestLine(t *testing.T) {
	cases := []struct {
		in         string
		prob       lineProblem
		method     string
		uri        string
		v09        bool
		missingURI bool
	}{
		{"GET / HTTP/1.1", lineOK, "GET", "/", false, false},
		{"GET /a b HTTP/1.1", lineOK, "GET", "/a b", false, false},
		{"GET /HTTP/1.1", lineOK, "GET", "/HTTP/1.1", true, false},
		{"OPTIONS HTTP/1.1", lineOK, "OPTIONS", "", false, true},
		{"OPTIONSHTTP/1.1", lineBad, "", "", false, false},
		{"GET/ HTTP/1.1", lineBad, "", "", false, false},
		{"\xc3\x83/ HTTP/1.1", lineBadWithVersion, "", "", false, false},
		{"GET ", lineBad, "", "", false, false},
		{"T /zeek.html", lineBad, "", "", false, false},
	}
	for _, tc := range cases {
		r, prob := parseRequestLine([]byte(tc.in))
		if prob != tc.prob {
			t.Errorf("%q: problem %d, want %d", tc.in, prob, tc.prob)
			continue
		}
		if prob != lineOK {
			continue
		}
		if string(r.method) != tc.method || string(r.uri) != tc.uri || r.v09 != tc.v09 || r.missingURI != tc.missingURI {
			t.Errorf("%q: got %q %q v09=%v missing=%v", tc.in, r.method, r.uri, r.v09, r.missingURI)
		}
	}
}

func TestProbe(t *testing.T) {
	cases := []struct {
		dir  dissect.Dir
		in   string
		want dissect.Verdict
	}{
		{dissect.Orig, "GET / HTTP/1.1\r\n", dissect.Match},
		{dissect.Orig, "GET /zeek.html\n", dissect.Match},
		{dissect.Orig, "POST /x HTT", dissect.NeedMore},
		{dissect.Resp, "HTTP/1.1 200 OK\r\n", dissect.Match},
		{dissect.Resp, "HTTP/1.", dissect.NeedMore},
		{dissect.Orig, "OPTIONS sip:a@b SIP/2.0\r\n", dissect.NoMatch},
		{dissect.Orig, "DESCRIBE rtsp://a/ RTSP/1.0\r\n", dissect.NoMatch},
		{dissect.Resp, "RTSP/1.0 200 OK\r\n", dissect.NoMatch},
		{dissect.Resp, "SSH-2.0-OpenSSH_8.9\r\n", dissect.NoMatch},
		{dissect.Orig, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", dissect.NoMatch},
		{dissect.Orig, "\x00\x01\x00\x00\x00\x06\x01\x03\x00\x00\x00\x0a", dissect.NoMatch},
		{dissect.Resp, "220 ftp.example.com FTP ready\r\n", dissect.NoMatch},
	}
	for _, tc := range cases {
		if got := Probe(tc.dir, []byte(tc.in)); got != tc.want {
			t.Errorf("Probe(%s, %q) = %d, want %d", tc.dir, tc.in, got, tc.want)
		}
	}
}

// TestNonHTTPOnPort80: binary bytes on the HTTP port are refused by the probe and, fed to the
// parser anyway, produce no http.log record.
func TestNonHTTPOnPort80(t *testing.T) {
	junk := "\x00\x01\x00\x00\x00\x06\x01\x03\x00\x00\x00\x0a"
	if v := Probe(dissect.Orig, []byte(junk)); v != dissect.NoMatch {
		t.Fatalf("Probe = %d, want NoMatch", v)
	}
	c := run(t, req(junk), resp("\x00\x01\x00\x00\x00\x05\x01\x03\x02\x00\x00"))
	if n := len(c.Logs("http")); n != 0 {
		t.Errorf("%d http records from non-HTTP bytes", n)
	}
}
