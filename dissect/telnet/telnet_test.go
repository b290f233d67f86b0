package telnet

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

func s2c(s string) step { return step{dissect.Resp, s} }
func c2s(s string) step { return step{dissect.Orig, s} }

// A BusyBox-style login: option negotiation, banner, prompts, user typed with a
// correction, password (never logged), shell prompt.
var login = []step{
	s2c("\xff\xfd\x18\xff\xfd\x20\xff\xfb\x01\xff\xfb\x03"), // DO TTYPE, DO TSPEED, WILL ECHO, WILL SGA
	c2s("\xff\xfb\x18\xff\xfd\x01\xff\xfd\x03"),             // WILL TTYPE, DO ECHO, DO SGA
	s2c("\xff\xfa\x18\x01\xff\xf0"),                         // SB TTYPE SEND
	c2s("\xff\xfa\x18\x00xterm-256color\xff\xf0"),           // SB TTYPE IS xterm-256color
	s2c("\r\nRTU-7 Gateway (BusyBox v1.31.1)\r\n\r\nrtu7 login: "),
	c2s("r"), s2c("r"), c2s("x"), s2c("x"), c2s("\x7f"), s2c("\b \b"), c2s("o"), s2c("o"),
	c2s("o"), s2c("o"), c2s("t"), s2c("t"), c2s("\r\x00"),
	s2c("\r\nPassword: "),
	c2s("hunter2\r\x00"),
	s2c("\r\n~ # "),
	c2s("reboot\r\x00"),
}

func run(t testing.TB, steps []step, feed func(s *dissecttest.Stream, st step)) *dissecttest.Capture {
	env, c := dissecttest.NewEnv("telnet", dissecttest.Flow(6, 23))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range steps {
		if feed == nil {
			s.Write(t, st.dir, []byte(st.b))
		} else {
			feed(s, st)
		}
	}
	s.P.Close()
	return c
}

func TestLogin(t *testing.T) {
	c := run(t, login, nil)
	recs := c.Logs("telnet")
	if len(recs) != 1 {
		t.Fatalf("telnet.log: %d lines", len(recs))
	}
	for k, v := range map[string]string{
		"banner": "RTU-7 Gateway (BusyBox v1.31.1)", "login_prompt": "true", "user": "root",
		"login_result": "ok", "terminal_type": "xterm-256color",
		"server_do": `["TERMINAL-TYPE","TERMINAL-SPEED"]`, "server_will": `["ECHO","SUPPRESS-GO-AHEAD"]`,
		"client_will": `["TERMINAL-TYPE"]`, "client_do": `["ECHO","SUPPRESS-GO-AHEAD"]`,
	} {
		if got := recs[0].Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	for _, r := range c.Records {
		if strings.Contains(r.Raw, "hunter2") {
			t.Errorf("password leaked: %s", r.Raw)
		}
	}
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvLogin || c.Events[0].Detail != "user=root ok" || c.Events[0].Src != dissect.Orig {
		t.Errorf("events %+v", c.Events)
	}
	if w := c.Logs("weird"); len(w) != 1 || w[0].Get("name") != weirdCleartext {
		t.Errorf("weirds %v", w)
	}
}

func TestFailedLogin(t *testing.T) {
	c := run(t, []step{s2c("login: "), c2s("admin\r\n"), s2c("Password: "), c2s("x\r\n"),
		s2c("\r\nLogin incorrect\r\nlogin: ")}, nil)
	recs := c.Logs("telnet")
	if len(recs) != 1 || recs[0].Get("login_result") != "failed" || recs[0].Get("user") != "admin" {
		t.Errorf("telnet.log %v", recs)
	}
}

func TestSegmentation(t *testing.T) {
	feeds := map[string]func(t *testing.T) func(s *dissecttest.Stream, st step){
		"one PDU over two segments": func(t *testing.T) func(s *dissecttest.Stream, st step) {
			return func(s *dissecttest.Stream, st step) {
				h := len(st.b) / 2
				s.Write(t, st.dir, []byte(st.b[:h]))
				s.Write(t, st.dir, []byte(st.b[h:]))
			}
		},
		"byte at a time": func(t *testing.T) func(s *dissecttest.Stream, st step) {
			return func(s *dissecttest.Stream, st step) {
				for i := range st.b {
					s.Write(t, st.dir, []byte{st.b[i]})
				}
			}
		},
	}
	for name, f := range feeds {
		t.Run(name, func(t *testing.T) {
			recs := run(t, login, f(t)).Logs("telnet")
			if len(recs) != 1 || recs[0].Get("user") != "root" || recs[0].Get("terminal_type") != "xterm-256color" {
				t.Errorf("telnet.log %v", recs)
			}
		})
	}
	t.Run("two PDUs in one segment", func(t *testing.T) {
		recs := run(t, []step{s2c("\xff\xfb\x01\xff\xfb\x03login: "), c2s("op\r\n"), s2c("op\r\nPassword: "), c2s("pw\r\n"),
			s2c("\r\n$ ")}, nil).Logs("telnet")
		if len(recs) != 1 || recs[0].Get("user") != "op" || recs[0].Get("login_result") != "ok" {
			t.Errorf("telnet.log %v", recs)
		}
	})
	t.Run("gap then resync", func(t *testing.T) {
		env, c := dissecttest.NewEnv("telnet", dissecttest.Flow(6, 23))
		s := &dissecttest.Stream{P: newParser(env)}
		s.Write(t, dissect.Resp, []byte("login: "))
		s.Write(t, dissect.Orig, []byte("ro"))
		s.Gap(dissect.Orig, 3)
		s.Write(t, dissect.Orig, []byte("t\r\n"))
		s.Write(t, dissect.Resp, []byte("login: "))
		s.Write(t, dissect.Orig, []byte("guest\r\n"))
		s.Write(t, dissect.Resp, []byte("Password: "))
		s.P.Close()
		recs := c.Logs("telnet")
		if len(recs) != 1 || recs[0].Get("user") != "guest" {
			t.Errorf("telnet.log %v", recs)
		}
	})
}

func TestNotTelnet(t *testing.T) {
	for _, b := range [][]byte{{0x16, 3, 1, 0, 0x40}, []byte("SSH-2.0-OpenSSH_9\r\n"), {0xff, 0x01}} {
		if v := Probe(dissect.Resp, b); v != dissect.NoMatch {
			t.Errorf("Probe(%q) = %d", b, v)
		}
	}
	if v := Probe(dissect.Resp, []byte{0xff, 0xfd, 0x18}); v != dissect.Match {
		t.Errorf("Probe(IAC DO TTYPE) = %d", v)
	}
}

func FuzzParse(f *testing.F) {
	var all []byte
	for i, st := range login {
		if i > 0 {
			all = append(all, dissecttest.Sep...)
		}
		all = append(all, byte(st.dir))
		all = append(all, st.b...)
	}
	f.Add(all)
	f.Add([]byte("\x01\xff\xfa\x18\x01\xff\x01PKT\x00\xff\xfa\x18\x00vt100\xff\xff\xff\xf0"))
	f.Fuzz(func(t *testing.T, data []byte) { dissecttest.Fuzz(t, "telnet", data, 70000) })
}

// Steady state: an interactive session after login (commands and their output).
func TestSteadyStateAllocs(t *testing.T) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 23), Name: "telnet", Out: dissecttest.Discard{}}
	p := newParser(env)
	for _, st := range login {
		p.Parse(st.dir, []byte(st.b))
	}
	out := []byte("total 4\r\ndrwxr-xr-x 2 root root 4096 Jan 1 00:00 etc\r\n~ # \xff\xf1")
	in := []byte("ls -l\r\x00")
	if a := testing.AllocsPerRun(200, func() {
		p.Parse(dissect.Orig, in)
		p.Parse(dissect.Resp, out)
	}); a != 0 {
		t.Errorf("%.1f allocs, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 23), Name: "telnet", Out: dissecttest.Discard{}}
	p := newParser(env)
	steps := login[:5] // negotiation and banner, then the prompt: the expensive part
	b.ReportAllocs()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, st := range steps {
			p.Parse(st.dir, []byte(st.b))
			n++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/segment")
}
