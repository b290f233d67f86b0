package profinet

import (
	"path/filepath"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Interface UUID DEA00001-6C97-11D1-8271-00A02442DF7D (IO device) in big- and little-endian
// wire order.
var (
	devIfaceBE = []byte{0xDE, 0xA0, 0x00, 0x01, 0x6C, 0x97, 0x11, 0xD1, 0x82, 0x71, 0x00, 0xA0, 0x24, 0x42, 0xDF, 0x7D}
	devIfaceLE = []byte{0x01, 0x00, 0xA0, 0xDE, 0x97, 0x6C, 0xD1, 0x11, 0x82, 0x71, 0x00, 0xA0, 0x24, 0x42, 0xDF, 0x7D}
)

// rpc builds a big-endian DCE/RPC CL datagram: header + body.
func rpc(ptype, flags1 byte, opnum uint16, seq uint32, fragNum uint16, body []byte) []byte {
	h := []byte{
		4, ptype, flags1, 0, // version 4, PDU type, flags1, flags2
		0x00, 0x00, 0x00, // drep: big endian, ASCII, IEEE
		0, // serial high
	}
	h = append(h, make([]byte, 16)...)                                                                   // object UUID
	h = append(h, devIfaceBE...)                                                                         // interface UUID
	h = append(h, 0x13, 0x14, 0x2F, 0x90, 0, 0, 0x10, 0, 0xA9, 0x94, 0xD2, 0x10, 0x68, 0x90, 0xCA, 0x5A) // activity
	h = append(h,
		0, 0, 0, 0, // server boot time
		0, 0, 0, 1, // interface version 0.1
		byte(seq>>24), byte(seq>>16), byte(seq>>8), byte(seq), // sequence number
		byte(opnum>>8), byte(opnum), // operation number
		0xff, 0xff, 0xff, 0xff, // interface hint, activity hint
		byte(len(body)>>8), byte(len(body)), // length of body
		byte(fragNum>>8), byte(fragNum), // fragment number
		0, 0) // auth protocol, serial low
	return cat(h, body)
}

// ndrReq is the NDR request header (big endian) around blocks.
func ndrReq(blocks []byte) []byte {
	n := len(blocks)
	l := []byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	return cat([]byte{0, 0, 0x10, 0}, l, []byte{0, 0, 0x10, 0}, []byte{0, 0, 0, 0}, l, blocks)
}

func ndrRes(status uint32, blocks []byte) []byte {
	n := len(blocks)
	l := []byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	return cat([]byte{byte(status >> 24), byte(status >> 16), byte(status >> 8), byte(status)}, l, l, []byte{0, 0, 0, 0}, l, blocks)
}

// iodHeader builds an IODWriteReqHeader / IODReadResHeader-style block (BlockLength 60).
func iodHeader(btype uint16, slot, sub, index uint16, recLen uint32) []byte {
	b := []byte{byte(btype >> 8), byte(btype), 0, 60, 1, 0, // block header, version 1.0
		0, 1} // sequence number
	b = append(b, make([]byte, 16)...) // AR UUID
	b = append(b, 0, 0, 0, 0,          // API
		byte(slot>>8), byte(slot), byte(sub>>8), byte(sub), 0, 0, // slot, subslot, padding
		byte(index>>8), byte(index), // index
		byte(recLen>>24), byte(recLen>>16), byte(recLen>>8), byte(recLen)) // record data length
	return append(b, make([]byte, 24)...) // padding / additional values
}

func controlBlock(btype uint16, cmd uint16) []byte {
	b := []byte{byte(btype >> 8), byte(btype), 0, 28, 1, 0, 0, 0}
	b = append(b, make([]byte, 16)...)
	return append(b, 0, 1, 0, 0, byte(cmd>>8), byte(cmd), 0, 0)
}

func im0Record() []byte {
	b := []byte{0x00, 0x20, 0x00, 0x38, 1, 0, 0x00, 0x2a}
	b = append(b, []byte("6ES7 516-3AN01-0AB0 ")...)
	b = append(b, []byte("S C-X4U123456789")...)
	b = append(b, 0, 5, 'V', 2, 9, 0)
	return append(b, make([]byte, 10)...)
}

func run(t testing.TB, dgrams ...[]byte) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("profinet", dissecttest.Flow(17, Port))
	p := newParser(env)
	for i, d := range dgrams {
		dir := dissect.Dir(i & 1)
		if d[1] == ptRequest {
			dir = dissect.Orig
		} else if d[1] == ptResponse {
			dir = dissect.Resp
		}
		if n, err := p.Parse(dir, d); n != len(d) || err != nil {
			t.Fatalf("Parse = %d, %v", n, err)
		}
	}
	p.Close()
	return c
}

func TestWriteRequest(t *testing.T) {
	req := rpc(ptRequest, 0x20, opWrite, 1, 0, ndrReq(cat(iodHeader(0x0008, 2, 1, 0x80, 14), make([]byte, 14))))
	res := rpc(ptResponse, 0x0a, opWrite, 1, 0, ndrRes(0, iodHeader(0x8008, 2, 1, 0x80, 14)))
	if Probe(dissect.Orig, req) != dissect.Match {
		t.Fatal("Probe refused a PNIO Write request")
	}
	c := run(t, req, res)
	recs := c.Logs(logIOCM)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	want := map[string]string{"packet_type": "Request", "operation_num": "Write", "integer_encoding": "Big Endian",
		"interface_uuid": "DEA00001-6C97-11D1-8271-00A02442DF7D", "activity_uuid": "13142F90-0000-1000-A994-D2106890CA5A",
		"idempotent": "true", "no_fragment_requested": "false", "interface_vers_major": "0", "interface_vers_minor": "1",
		"operation_type": "IODWriteReqHeader", "block_version": "1.0", "slot_number": "2", "subslot_number": "1",
		"index": "0x0080", "record_data_length": "14", "source_h": "10.0.0.1", "destination_p": "34964", "len_of_body": "98"}
	for k, v := range want {
		if g := recs[0].Get(k); g != v {
			t.Errorf("%s = %q, want %q", k, g, v)
		}
	}
	if recs[1].Get("pnio_status") != "0x00000000" || recs[1].Get("source_h") != "10.0.0.2" || recs[1].Get("last_fragment") != "true" {
		t.Errorf("response %s", recs[1].Raw)
	}
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvWrite || c.Events[0].Src != dissect.Orig ||
		c.Events[0].Detail != "PNIO Write slot 2 subslot 0x1 index 0x80 length 14" {
		t.Errorf("events %+v", c.Events)
	}
	roles := map[dissect.Dir]string{}
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrRole {
			roles[f.Side] = f.Value
		}
	}
	if roles[dissect.Orig] != "profinet_cm_client" || roles[dissect.Resp] != "profinet_io_device" {
		t.Errorf("roles %v", roles)
	}
}

func TestControlAndErrors(t *testing.T) {
	c := run(t,
		rpc(ptRequest, 0x20, opControl, 2, 0, ndrReq(controlBlock(0x0110, 0x0001))),
		rpc(ptResponse, 0x0a, opConnect, 0, 0, ndrRes(0xdb814004, nil)),
		rpc(ptRequest, 0x20, opRelease, 3, 0, ndrReq(controlBlock(0x0114, 0x0004))),
	)
	var ev []string
	for _, e := range c.Events {
		ev = append(ev, e.Kind+": "+e.Detail)
	}
	if len(ev) != 2 || ev[0] != "command: PNIO Control PrmEnd" || ev[1] != "command: PNIO Release Release" {
		t.Errorf("events %q", ev)
	}
	if w := c.WeirdCounts(); w[weirdPNIOError] != 1 {
		t.Errorf("weirds %v", w)
	}
	if g := c.Logs(logIOCM)[0].Get("control_command"); g != "PrmEnd" {
		t.Errorf("control_command %q", g)
	}
}

func TestIM0Facts(t *testing.T) {
	rec := im0Record()
	res := rpc(ptResponse, 0x0a, opRead, 4, 0, ndrRes(0, cat(iodHeader(0x8009, 0, 1, indexIM0, uint32(len(rec))), rec)))
	c := run(t, res, res)
	got := map[string]string{}
	for _, f := range c.Facts {
		if f.Side != dissect.Resp {
			t.Errorf("I&M0 fact about %v", f.Side)
		}
		got[f.Attr] = f.Value
	}
	want := map[string]string{dissect.AttrVendorID: "42", dissect.AttrOrderNumber: "6ES7 516-3AN01-0AB0",
		dissect.AttrSerial: "S C-X4U123456789", dissect.AttrHardware: "5", dissect.AttrFirmware: "V2.9.0"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(c.Facts) != 5 {
		t.Errorf("%d facts, want 5 (the repeated response adds none)", len(c.Facts))
	}
}

func TestFackAndLittleEndian(t *testing.T) {
	fk := rpc(ptFack, 0, opWrite, 1, 0, nil)
	fk = cat(fk, []byte{1, 0, 0, 1, 0, 0, 5, 0xb8, 0, 0, 5, 0xb8, 0, 0, 0, 1, 0, 0, 0, 7})
	le := rpc(ptRequest, 0x08, 0, 0, 0, nil)
	le[4] = 0x10
	copy(le[24:40], devIfaceLE)
	le[60], le[61], le[62], le[63] = 1, 0, 0, 0 // interface version 1 (little endian) = 0.1
	le[68], le[69] = 5, 0                       // opnum 5
	c := run(t, fk, le)
	recs := c.Logs(logIOCM)
	if r := recs[0]; r.Get("packet_type") != "Fragment Acknowledge" || r.Get("vers_fack") != "Default version" ||
		r.Get("window_size") != "1" || r.Get("max_tsdu") != "1464" || r.Get("sel_ack_len") != "1" || r.Get("array_of_sel_ack") != "[7]" {
		t.Errorf("fack %s", r.Raw)
	}
	if r := recs[1]; r.Get("integer_encoding") != "Little Endian" || r.Get("operation_num") != "Read Implicit" ||
		r.Get("interface_uuid") != "0100A0DE-976C-D111-8271-00A02442DF7D" || r.Get("interface_vers_minor") != "1" {
		t.Errorf("little endian %s", r.Raw)
	}
	if Probe(dissect.Orig, le) != dissect.Match {
		t.Error("Probe refused a little-endian PNIO request")
	}
}

func TestProbeNegative(t *testing.T) {
	req := rpc(ptRequest, 0x20, opRead, 1, 0, nil)
	other := append([]byte(nil), req...)
	other[24] = 0x12 // some other DCE/RPC interface
	tests := []struct {
		name string
		b    []byte
	}{
		{"short", req[:60]},
		{"version 5", append([]byte{5}, req[1:]...)},
		{"bad drep", func() []byte { b := append([]byte(nil), req...); b[4] = 0x22; return b }()},
		{"other interface", other},
		{"dns", []byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01" + string(make([]byte, 60)))},
	}
	for _, tc := range tests {
		if Probe(dissect.Orig, tc.b) != dissect.NoMatch {
			t.Errorf("%s: Probe matched", tc.name)
		}
	}
	c := run(t, req[:40])
	if len(c.Logs(logIOCM)) != 0 || c.WeirdCounts()[weirdShort] != 1 {
		t.Errorf("short datagram: %v", c.WeirdCounts())
	}
}

// TestStreamSemantics: UDP is one datagram per Parse; a datagram split in two is a header
// whose body is missing plus a datagram too short for a header; two glued datagrams are one
// (trailing bytes ignored); Gap is a no-op.
func TestStreamSemantics(t *testing.T) {
	req := rpc(ptRequest, 0x20, opControl, 2, 0, ndrReq(controlBlock(0x0110, 1)))
	env, c := dissecttest.NewEnv("profinet", dissecttest.Flow(17, Port))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, chunk := range [][]byte{req[:100], req[100:], cat(req, req)} {
		if err := s.Write(t, dissect.Orig, chunk); err != nil || s.Pending(dissect.Orig) != 0 {
			t.Fatalf("err %v pending %d", err, s.Pending(dissect.Orig))
		}
	}
	s.Gap(dissect.Orig, 3)
	s.P.Close()
	if w := c.WeirdCounts(); w[weirdShort] != 1 || w[weirdBadLength] != 1 || len(w) != 2 || len(c.Logs(logIOCM)) != 2 {
		t.Errorf("weirds %v, records %d", w, len(c.Logs(logIOCM)))
	}
}

// TestCorpusBaselines compares all 45 ICSNPP fields of every profinet_io_cm.log row. The
// baselines have no #fields line (zeek-cut output), so the column order is ICSNPP's record
// (analyzer/types.zeek) without ts and uid.
func TestCorpusBaselines(t *testing.T) {
	cols := []string{"id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "source_h", "source_p", "destination_h",
		"destination_p", "proto", "rpc_version", "packet_type", "reserved_for_impl_1", "last_fragment", "fragment",
		"no_fragment_requested", "maybe", "idempotent", "broadcast", "reserved_for_impl_2",
		"cancel_was_pending_at_call_end", "integer_encoding", "character_encoding", "floating_point_encoding",
		"serial_high", "object_uuid", "interface_uuid", "activity_uuid", "server_boot_time", "interface_vers_major",
		"interface_vers_minor", "sequence_num", "operation_num", "interface_hint", "activity_hint", "len_of_body",
		"fragment_num", "auth_protocol", "serial_low", "vers_fack", "window_size", "max_tsdu", "max_frag_size",
		"serial_number", "sel_ack_len", "array_of_sel_ack"}
	for _, f := range testutil.CorpusFiles(t, "profinet") {
		bl, _ := filepath.Glob(f + ".gt/zeek-baseline/*/profinet_io_cm.log")
		if len(bl) == 0 {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := readRows(t, bl[0])
			got := map[string]int{}
			for _, r := range replay.Run(t, engine.Config{Dissectors: []string{"profinet"}}, f).Logs[logIOCM] {
				row := ""
				for i, c := range cols {
					v := replay.Str(r, c)
					switch {
					case v == "" && c == "array_of_sel_ack":
						v = "-"
					case v == "[]":
						v = "(empty)"
					case v == "":
						v = "-"
					}
					if i > 0 {
						row += "\t"
					}
					row += v
				}
				got[row]++
			}
			missing := 0
			for _, w := range want {
				if got[w] == 0 {
					if missing < 3 {
						t.Errorf("baseline row not produced:\n%s", w)
					}
					missing++
					continue
				}
				got[w]--
			}
			if missing > 0 {
				t.Errorf("%d of %d baseline rows not produced", missing, len(want))
			}
			for row, n := range got {
				if n > 0 {
					t.Errorf("%d extra rows like:\n%s", n, row)
				}
			}
		})
	}
}

// steady returns a Read request/response pair (no events, no new facts after the first).
func steady() (req, res []byte) {
	req = rpc(ptRequest, 0x20, opRead, 9, 0, ndrReq(iodHeader(0x0009, 0, 1, 0xAFF0, 4096)))
	rec := im0Record()
	res = rpc(ptResponse, 0x0a, opRead, 9, 0, ndrRes(0, cat(iodHeader(0x8009, 0, 1, 0xAFF0, uint32(len(rec))), rec)))
	return req, res
}

func TestNoAllocs(t *testing.T) {
	env, _ := dissecttest.NewEnv("profinet", dissecttest.Flow(17, Port))
	env.Out = dissecttest.Discard{}
	p := newParser(env)
	req, res := steady()
	p.Parse(dissect.Orig, req)
	p.Parse(dissect.Resp, res)
	allocs := testing.AllocsPerRun(1000, func() {
		p.Parse(dissect.Orig, req)
		p.Parse(dissect.Resp, res)
	})
	if allocs != 0 {
		t.Errorf("%v allocs per request/response, want 0", allocs)
	}
}

func BenchmarkParse(b *testing.B) {
	env, _ := dissecttest.NewEnv("profinet", dissecttest.Flow(17, Port))
	env.Out = dissecttest.Discard{}
	p := newParser(env)
	req, res := steady()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i&1 == 0 {
			p.Parse(dissect.Orig, req)
		} else {
			p.Parse(dissect.Resp, res)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/PDU")
}
