package dissect

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"testing"
	"unicode/utf8"
)

func TestJSONEncoding(t *testing.T) {
	cases := []string{"plain", "quote\" and \\ backslash", "tab\tnew\nline\x01", "ümlaut and 日本", "bad \xff utf8", ""}
	for _, c := range cases {
		for _, got := range [][]byte{AppendJSONString(nil, c), appendJSONBytes(nil, []byte(c))} {
			var back string
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("%q encoded as invalid JSON %s: %v", c, got, err)
			}
			want := c
			if c == "bad \xff utf8" {
				want = "bad \ufffd utf8"
			}
			if back != want {
				t.Fatalf("%q round-trips as %q", c, back)
			}
		}
	}
}

// validPerByte is s with every byte that does not start a valid UTF-8 sequence replaced by
// U+FFFD, one replacement per byte: what the JSON encoder promises.
func validPerByte(s string) string {
	var out []rune
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		out = append(out, r) // RuneError for a bad byte, with n == 1
		i += n
	}
	return string(out)
}

// FuzzJSONString: whatever the bytes, the encoder writes one valid JSON string that decodes
// to them (invalid UTF-8 replaced byte by byte), the same from a string and from bytes.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"b\\c", "ctl\x00\x1f\x7f", "ümlaut 日本", "bad \xff\xfe utf8", "\xe6\x97", "x\ny\rz\tw", "trail\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b := AppendJSONString([]byte("pre"), s), appendJSONBytes(nil, []byte(s))
		if string(a[:3]) != "pre" || string(a[3:]) != string(b) {
			t.Fatalf("string and bytes encodings differ: %q vs %q", a, b)
		}
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, b, err)
		}
		if want := validPerByte(s); back != want {
			t.Fatalf("%q decodes as %q, want %q", s, back, want)
		}
	})
}

func TestRecordZeroAlloc(t *testing.T) {
	env := &Env{Flow: &FlowInfo{UID: "C1"}, Name: "x"}
	n := testing.AllocsPerRun(1000, func() {
		env.Log("x").Str("a", "b").Uint("n", 7).Bytes("c", []byte("d")).Array("l").ElemStr("e").End().Done()
	})
	if n != 0 {
		t.Fatalf("%v allocs per record", n)
	}
}

type lines [][]byte

func (l *lines) Record(_ string, b []byte) { *l = append(*l, append([]byte(nil), b...)) }
func (l *lines) Fact(*Fact)                {}
func (l *lines) Event(*Event)              {}

// The envelope (site, uid, id.*) is formatted once per flow; a record must still carry the
// flow's current values when the engine changes them (and a record from a fresh Env, its own).
func TestLogEnvelopeFollowsFlow(t *testing.T) {
	var out lines
	fl := &FlowInfo{UID: "CAAA", Orig: Endpoint{IP: netip.MustParseAddr("10.0.0.1"), Port: 1000},
		Resp: Endpoint{IP: netip.MustParseAddr("10.0.0.2"), Port: 502}}
	env := &Env{Flow: fl, Name: "x", Out: &out, TS: 1_600_000_000_000_000_000}
	env.Log("x").Uint("n", 1).Done()
	env.Log("x").Uint("n", 2).Done()
	fl.UID = "CBBB"
	fl.Orig.Port = 1001
	env.Log("x").Uint("n", 3).Done()
	fl.Resp.IP = netip.MustParseAddr("fe80::1")
	env.Site = "plant-a"
	env.Log("x").Uint("n", 4).Done()
	env.Flow = &FlowInfo{UID: "CL2"} // a layer-2 flow: no id.* fields
	env.Log("x").Uint("n", 5).Done()
	want := []string{
		`{"ts":1600000000.000000,"uid":"CAAA","id.orig_h":"10.0.0.1","id.orig_p":1000,"id.resp_h":"10.0.0.2","id.resp_p":502,"n":1}`,
		`{"ts":1600000000.000000,"uid":"CAAA","id.orig_h":"10.0.0.1","id.orig_p":1000,"id.resp_h":"10.0.0.2","id.resp_p":502,"n":2}`,
		`{"ts":1600000000.000000,"uid":"CBBB","id.orig_h":"10.0.0.1","id.orig_p":1001,"id.resp_h":"10.0.0.2","id.resp_p":502,"n":3}`,
		`{"ts":1600000000.000000,"site":"plant-a","uid":"CBBB","id.orig_h":"10.0.0.1","id.orig_p":1001,"id.resp_h":"fe80::1","id.resp_p":502,"n":4}`,
		`{"ts":1600000000.000000,"site":"plant-a","uid":"CL2","n":5}`,
	}
	if len(out) != len(want) {
		t.Fatalf("%d records, want %d", len(out), len(want))
	}
	for i := range want {
		if string(out[i]) != want[i] {
			t.Errorf("record %d:\n got %s\nwant %s", i, out[i], want[i])
		}
	}
}

func TestAppendUint(t *testing.T) {
	for _, v := range []uint64{0, 7, 9, 10, 42, 99, 100, 502, 999, 1000, 4840, 9999, 10000, 44818, 65535, 99999, 100000, 1 << 32, ^uint64(0)} {
		if got, want := string(appendUint([]byte("x"), v)), "x"+strconv.FormatUint(v, 10); got != want {
			t.Errorf("appendUint(%d) = %q, want %q", v, got, want)
		}
	}
}

func BenchmarkAppendUint(b *testing.B) {
	buf := make([]byte, 0, 64)
	for i := 0; i < b.N; i++ {
		buf = appendUint(buf[:0], uint64(i&0xffff))
	}
}

func BenchmarkStrconvAppendUint(b *testing.B) {
	buf := make([]byte, 0, 64)
	for i := 0; i < b.N; i++ {
		buf = strconv.AppendUint(buf[:0], uint64(i&0xffff), 10)
	}
}

// Addresses formatted through the Env's two-entry cache come out right when a flow's records
// name three different addresses in turn, IPv6 with a zone among them.
func TestRecordAddrCache(t *testing.T) {
	var out lines
	env := &Env{Flow: &FlowInfo{UID: "C1"}, Name: "x", Out: &out}
	addrs := []string{"10.0.0.1", "fe80::1%eth0", "192.168.100.200", "10.0.0.1", "::ffff:10.0.0.1", "192.168.100.200"}
	for _, s := range addrs {
		env.Log("x").Addr("a", netip.MustParseAddr(s)).Done()
	}
	for i, s := range addrs {
		var m map[string]any
		if err := json.Unmarshal(out[i], &m); err != nil {
			t.Fatal(err)
		}
		if m["a"] != s {
			t.Errorf("record %d: address %v, want %s", i, m["a"], s)
		}
	}
}
