package guess

import (
	"encoding/csv"
	"os"
	"strconv"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// fakeMagic is claimed by a content-probing test factory, standing in for any dissector
// (modbus, tls, …) whose probe recognises its bytes on a port of the table.
const fakeMagic = "QWFAKE"

// fakeUndecided keeps the test factory answering NeedMore.
const fakeUndecided = "QWNEED"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "zz_guess_test_content",
		Transport: dissect.TCP | dissect.UDP,
		Probe: func(_ dissect.Dir, b []byte) dissect.Verdict {
			if len(b) >= len(fakeUndecided) && string(b[:len(fakeUndecided)]) == fakeUndecided {
				return dissect.NeedMore // never decides, however many bytes it sees
			}
			n := min(len(b), len(fakeMagic))
			if string(b[:n]) != fakeMagic[:n] {
				return dissect.NoMatch
			}
			if n < len(fakeMagic) {
				return dissect.NeedMore
			}
			return dissect.Match
		},
		New: func(*dissect.Env) dissect.Parser { return nil },
	})
}

func TestTableMatchesCSV(t *testing.T) {
	f, err := os.Open("ports.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != len(table) {
		t.Fatalf("ports.csv has %d entries, ports_gen.go %d: run go generate", len(rows)-1, len(table))
	}
	for i, r := range rows[1:] {
		lo, _ := strconv.Atoi(r[0])
		e := table[i]
		if int(e.lo) != lo || e.name != r[3] || e.service != "guess:"+r[3] || e.role != r[3]+"_server" {
			t.Errorf("row %d: csv %v, table %+v: run go generate", i+1, r, e)
		}
		if r[4] == "" {
			t.Errorf("row %d (%s): no source", i+1, r[3])
		}
	}
}

// The ports our own dissectors parse must not be guessed: their probes decide there.
func TestTableAvoidsParsedPorts(t *testing.T) {
	parsed := []struct {
		port  uint16
		proto uint8
	}{
		{502, 6}, {102, 6}, {44818, 6}, {2222, 17}, {20000, 6}, {2404, 6}, {47808, 17}, {4840, 6},
		{1883, 6}, {34964, 17}, {9600, 6}, {9600, 17}, {5007, 6}, {5000, 17}, {5094, 6}, {5094, 17},
		{48898, 6}, {48899, 17}, {18245, 6},
	}
	for _, p := range parsed {
		if e := lookup(p.port, p.proto); e != nil {
			t.Errorf("port %d/%d is parsed by a dissector but guessed as %s", p.port, p.proto, e.name)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		port  uint16
		proto uint8
		want  string
	}{
		{1200, 6, "codesys_v2"},
		{2455, 6, "codesys_v2"},
		{1741, 17, "codesys_v3"},
		{1741, 6, ""}, // the block driver is UDP only
		{18246, 17, "ge_egd"},
		{34980, 17, "ethercat_udp"},
		{55002, 17, "fl_net"},
		{55004, 17, ""},
		{1502, 17, "tristation"},
		{4000, 6, "roc_plus"},
		{102, 17, "iec61850_90_5"},
		{102, 6, ""}, // TCP 102 is ISO transport (mms, s7comm)
		{12289, 6, "yokogawa_fam3"},
		{12289, 17, "yokogawa_fam3"},
		{80, 6, ""},
	}
	for _, tc := range tests {
		got := ""
		if e := lookup(tc.port, tc.proto); e != nil {
			got = e.name
		}
		if got != tc.want {
			t.Errorf("lookup(%d, %d) = %q, want %q", tc.port, tc.proto, got, tc.want)
		}
	}
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"empty", nil, dissect.NeedMore},
		{"binary payload", []byte{0x01, 0x00, 0x13, 0x88, 0x00, 0x00, 0x00, 0x10}, dissect.Match},
		{"TLS client hello", []byte{0x16, 0x03, 0x01, 0x00, 0x85, 0x01, 0x00}, dissect.NoMatch},
		{"TLS application data", []byte{0x17, 0x03, 0x03, 0x00, 0x20}, dissect.NoMatch},
		{"SSH banner", []byte("SSH-2.0-OpenSSH_8.9\r\n"), dissect.NoMatch},
		{"HTTP request", []byte("GET / HTTP/1.1\r\nHost: plc\r\n\r\n"), dissect.NoMatch},
		{"another dissector claims it", []byte(fakeMagic + "\x00\x01"), dissect.NoMatch},
		{"another dissector needs more", []byte(fakeMagic[:3]), dissect.NeedMore},
	}
	for _, tc := range tests {
		if got := Probe(dissect.Orig, tc.b); got != tc.want {
			t.Errorf("%s: Probe = %d, want %d", tc.name, got, tc.want)
		}
	}
	// A long prefix that still keeps another probe undecided: the port decides.
	long := make([]byte, maxDeferWait)
	copy(long, fakeUndecided)
	if got := Probe(dissect.Orig, long[:maxDeferWait-1]); got != dissect.NeedMore {
		t.Errorf("undecided prefix below the wait cap: Probe = %d, want NeedMore", got)
	}
	if got := Probe(dissect.Orig, long); got != dissect.Match {
		t.Errorf("long undecided prefix: Probe = %d, want Match", got)
	}
}

func run(t *testing.T, flow *dissect.FlowInfo, chunks ...[]byte) (*dissecttest.Capture, *dissect.Env) {
	t.Helper()
	env, c := dissecttest.NewEnv("guess", flow)
	s := &dissecttest.Stream{P: newParser(env)}
	for i, ch := range chunks {
		if err := s.Write(t, dissect.Dir(i&1), ch); err != nil {
			t.Fatal(err)
		}
		if s.Pending(dissect.Dir(i&1)) != 0 {
			t.Fatalf("guess left %d bytes pending", s.Pending(dissect.Dir(i&1)))
		}
	}
	s.P.Close()
	return c, env
}

func TestFlowLabel(t *testing.T) {
	c, env := run(t, dissecttest.Flow(6, 1200), []byte{0xbb, 0xbb, 0x01}, []byte{0xbb, 0xbb, 0x02, 0x00})
	if env.Service != "guess:codesys_v2" {
		t.Errorf("service %q, want guess:codesys_v2", env.Service)
	}
	logs := c.Logs("guess")
	if len(logs) != 1 {
		t.Fatalf("%d guess.log records, want 1", len(logs))
	}
	dissecttest.Want(t, "guess.log", logs[0], "protocol", "codesys_v2", "transport", "tcp", "confidence", "port",
		"id.resp_p", "1200", "uid", "CTEST0000000000001")
	if len(c.Facts) != 1 || c.Facts[0].Side != dissect.Resp || c.Facts[0].Attr != dissect.AttrRole || c.Facts[0].Value != "codesys_v2_server" {
		t.Errorf("facts %+v, want one role fact codesys_v2_server about the responder", c.Facts)
	}
	if env.PDUs != 0 || len(c.Logs("weird")) != 0 {
		t.Errorf("PDUs %d, weirds %v: the guess decodes nothing", env.PDUs, c.WeirdNames())
	}
}

// When the flow's originator owns the table port (a capture that began mid-session, or a
// PLC-initiated exchange), the role fact is about the originator.
func TestServerOnOriginatorPort(t *testing.T) {
	flow := dissecttest.Flow(17, 50000)
	flow.Orig.Port = 18246
	c, env := run(t, flow, []byte{0x0d, 0x01, 0x00, 0x00})
	if env.Service != "guess:ge_egd" {
		t.Errorf("service %q", env.Service)
	}
	if len(c.Facts) != 1 || c.Facts[0].Side != dissect.Orig {
		t.Errorf("facts %+v, want the role about the originator", c.Facts)
	}
	dissecttest.Want(t, "guess.log", c.Logs("guess")[0], "transport", "udp", "protocol", "ge_egd")
}

// No payload, no label: a parser closed before any bytes writes nothing.
func TestNoPayloadNoRecord(t *testing.T) {
	c, _ := run(t, dissecttest.Flow(6, 4000))
	if len(c.Records) != 0 || len(c.Facts) != 0 {
		t.Errorf("records %v facts %v, want none", c.Records, c.Facts)
	}
}

// The stream is never framed: however TCP cuts it, everything is consumed and one record is
// written; a gap changes nothing.
func TestSegmentation(t *testing.T) {
	payload := []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09}
	feeds := map[string]func(s *dissecttest.Stream){
		"one segment": func(s *dissecttest.Stream) { s.Write(t, dissect.Orig, payload) },
		"two segments": func(s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, payload[:3])
			s.Write(t, dissect.Orig, payload[3:])
		},
		"byte at a time": func(s *dissecttest.Stream) {
			for _, b := range payload {
				s.Write(t, dissect.Orig, []byte{b})
			}
		},
		"gap": func(s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, payload[:2])
			s.Gap(dissect.Orig, 100)
			s.Write(t, dissect.Orig, payload[2:])
		},
	}
	for name, feed := range feeds {
		env, c := dissecttest.NewEnv("guess", dissecttest.Flow(6, 8193))
		s := &dissecttest.Stream{P: newParser(env)}
		feed(s)
		s.P.Close()
		if s.Pending(dissect.Orig) != 0 || len(c.Logs("guess")) != 1 {
			t.Errorf("%s: pending %d, %d records", name, s.Pending(dissect.Orig), len(c.Logs("guess")))
		}
	}
}

func TestFactory(t *testing.T) {
	f := dissect.Lookup("guess")
	if f == nil || !f.PortOnly || f.Transport != dissect.TCP|dissect.UDP {
		t.Fatalf("factory %+v", f)
	}
	for _, p := range f.Ports {
		if lookup(p, 6) == nil && lookup(p, 17) == nil {
			t.Errorf("hint port %d not in the table", p)
		}
	}
}
