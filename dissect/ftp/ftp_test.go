package ftp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

type step struct {
	dir dissect.Dir
	s   string
}

func c2s(s string) step { return step{dissect.Orig, s} }
func s2c(s string) step { return step{dissect.Resp, s} }

var session = []step{
	s2c("220 (vsFTPd 3.0.3)\r\n"),
	c2s("USER plc\r\n"),
	s2c("331 Please specify the password.\r\n"),
	c2s("PASS s3cret!\r\n"),
	s2c("230 Login successful.\r\n"),
	c2s("TYPE I\r\n"),
	s2c("200 Switching to Binary mode.\r\n"),
	c2s("retr firmware.bin\r\n"),
	s2c("150 Opening BINARY mode data connection for firmware.bin (1024 bytes).\r\n"),
	s2c("226 Transfer complete.\r\n"),
	c2s("FEAT\r\n"),
	s2c("211-Features:\r\n EPRT\r\n PASV\r\n211 End\r\n"),
}

func run(t testing.TB, feed func(s *dissecttest.Stream, st step)) *dissecttest.Capture {
	env, c := dissecttest.NewEnv("ftp", dissecttest.Flow(6, 21))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range session {
		feed(s, st)
	}
	s.P.Close()
	return c
}

func whole(t testing.TB) func(s *dissecttest.Stream, st step) {
	return func(s *dissecttest.Stream, st step) { s.Write(t, st.dir, []byte(st.s)) }
}

func TestSession(t *testing.T) {
	c := run(t, whole(t))
	recs := c.Logs("ftp")
	want := [][4]string{
		{"USER", "plc", "331", ""},
		{"PASS", "<hidden>", "230", "<hidden>"},
		{"TYPE", "I", "200", "<hidden>"},
		{"RETR", "firmware.bin", "226", "<hidden>"},
		{"FEAT", "", "211", "<hidden>"},
	}
	if len(recs) != len(want) {
		t.Fatalf("ftp.log: %d lines, want %d: %v", len(recs), len(want), recs)
	}
	for i, w := range want {
		r := recs[i]
		if r.Get("command") != w[0] || r.Get("arg") != w[1] || r.Get("reply_code") != w[2] ||
			r.Get("password") != w[3] || r.Get("user") != "plc" {
			t.Errorf("line %d = %s, want %v", i, r.Raw, w)
		}
	}
	for _, r := range c.Records {
		if contains(r.Raw, "s3cret") {
			t.Errorf("password leaked: %s", r.Raw)
		}
	}
	if recs[4].Get("reply_msg") != "Features:" {
		t.Errorf("multi-line reply_msg = %q", recs[4].Get("reply_msg"))
	}
	var login, xfer int
	for _, e := range c.Events {
		switch {
		case e.Kind == dissect.EvLogin && e.Detail == "user=plc ok" && e.Src == dissect.Orig:
			login++
		case e.Kind == dissect.EvFileTransfer && e.Detail == "RETR firmware.bin":
			xfer++
		}
	}
	if login != 1 || xfer != 1 {
		t.Errorf("events %+v", c.Events)
	}
	if w := c.Logs("weird"); len(w) != 1 || w[0].Get("name") != weirdCleartextLogin {
		t.Errorf("weirds %v", w)
	}
	var sw string
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrSoftware && f.Side == dissect.Resp {
			sw = f.Value
		}
	}
	if sw != "(vsFTPd 3.0.3)" {
		t.Errorf("software fact %q", sw)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestFailedLoginAndTLS(t *testing.T) {
	env, c := dissecttest.NewEnv("ftp", dissecttest.Flow(6, 21))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range []step{s2c("220 FTP ready\r\n"), c2s("USER admin\r\n"), s2c("331 Password required\r\n"),
		c2s("PASS x\r\n"), s2c("530 Login incorrect.\r\n"), c2s("AUTH TLS\r\n"), s2c("234 Proceed with negotiation.\r\n"),
		c2s("\x16\x03\x01\x00\x05hello"), s2c("\x16\x03\x03\x00\x05world")} {
		s.Write(t, st.dir, []byte(st.s))
	}
	if len(c.Events) != 1 || c.Events[0].Detail != "user=admin failed" {
		t.Errorf("events %+v", c.Events)
	}
	if n := len(c.Logs("ftp")); n != 3 {
		t.Errorf("ftp.log %d lines, want 3", n)
	}
	if s.Pending(dissect.Orig)+s.Pending(dissect.Resp) != 0 {
		t.Error("TLS bytes left pending")
	}
}

func TestSegmentation(t *testing.T) {
	feeds := map[string]func(s *dissecttest.Stream, st step){
		"one PDU over two segments": func(s *dissecttest.Stream, st step) {
			s.Write(t, st.dir, []byte(st.s[:2]))
			s.Write(t, st.dir, []byte(st.s[2:]))
		},
		"byte at a time": func(s *dissecttest.Stream, st step) {
			for i := range st.s {
				s.Write(t, st.dir, []byte{st.s[i]})
			}
		},
	}
	for name, feed := range feeds {
		t.Run(name, func(t *testing.T) {
			if n := len(run(t, feed).Logs("ftp")); n != 5 {
				t.Errorf("ftp.log %d lines, want 5", n)
			}
		})
	}
	t.Run("two PDUs in one segment", func(t *testing.T) {
		env, c := dissecttest.NewEnv("ftp", dissecttest.Flow(6, 21))
		s := &dissecttest.Stream{P: newParser(env)}
		s.Write(t, dissect.Resp, []byte("220 hi\r\n"))
		s.Write(t, dissect.Orig, []byte("USER a\r\nPASS b\r\n"))
		s.Write(t, dissect.Resp, []byte("331 pw\r\n230 ok\r\n"))
		if n := len(c.Logs("ftp")); n != 2 {
			t.Errorf("ftp.log %d lines, want 2", n)
		}
	})
	t.Run("gap then resync", func(t *testing.T) {
		env, c := dissecttest.NewEnv("ftp", dissecttest.Flow(6, 21))
		s := &dissecttest.Stream{P: newParser(env)}
		s.Write(t, dissect.Orig, []byte("USER a"))
		s.Gap(dissect.Orig, 10)
		s.Write(t, dissect.Orig, []byte("bc\r\nCWD /x\r\n"))
		s.Write(t, dissect.Resp, []byte("250 ok\r\n"))
		recs := c.Logs("ftp")
		if len(recs) != 1 || recs[0].Get("command") != "CWD" {
			t.Errorf("ftp.log %v", recs)
		}
	})
}

func TestNotFTP(t *testing.T) {
	if v := Probe(dissect.Resp, []byte("220 mail.example.com ESMTP Postfix\r\n")); v != dissect.NoMatch {
		t.Errorf("SMTP greeting: %d", v)
	}
	if v := Probe(dissect.Orig, []byte("\x16\x03\x01\x02\x00\x01")); v != dissect.NoMatch {
		t.Errorf("TLS: %d", v)
	}
	if v := Probe(dissect.Resp, []byte("220 ProFTPD Server\r\n")); v != dissect.Match {
		t.Errorf("FTP greeting: %d", v)
	}
	env, c := dissecttest.NewEnv("ftp", dissecttest.Flow(6, 21))
	p := newParser(env)
	p.Parse(dissect.Resp, []byte("\x00\x01binary\n\x02\x03junk\n"))
	for _, r := range c.Records {
		if r.Log != "weird" {
			t.Errorf("logged %s", r.Raw)
		}
	}
}

func FuzzParse(f *testing.F) {
	var all []byte
	for i, st := range session {
		if i > 0 {
			all = append(all, dissecttest.Sep...)
		}
		all = append(all, byte(st.dir))
		all = append(all, st.s...)
	}
	f.Add(all)
	f.Add([]byte("\x01220-a\r\n\x01PKT\x00USER x\r\n\x01PKT\xffab\x01PKT\x01220 b\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) { dissecttest.Fuzz(t, "ftp", data, 70000) })
}

var cycle = [][2][]byte{
	{[]byte("PWD\r\n"), []byte("257 \"/\" is the current directory\r\n")},
	{[]byte("TYPE A\r\n"), []byte("200 Switching to ASCII mode.\r\n")},
	{[]byte("NOOP\r\n"), []byte("200 NOOP ok.\r\n")},
}

func TestSteadyStateAllocs(t *testing.T) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 21), Name: "ftp", Out: dissecttest.Discard{}}
	p := newParser(env)
	run := func() {
		for _, x := range cycle {
			p.Parse(dissect.Orig, x[0])
			p.Parse(dissect.Resp, x[1])
		}
	}
	run()
	if a := testing.AllocsPerRun(200, run); a != 0 {
		t.Errorf("%.1f allocs per cycle, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 21), Name: "ftp", Out: dissecttest.Discard{}}
	p := newParser(env)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, x := range cycle {
			p.Parse(dissect.Orig, x[0])
			p.Parse(dissect.Resp, x[1])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
}
