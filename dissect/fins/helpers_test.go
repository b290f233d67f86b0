package fins

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// Annotated frames (W227 §3-1, W421 §7-3). A command from node 0.0xef.0 (SA1) to PLC node
// 0.0xc8.0 (DA1): ICF 0x80 (gateway used, command, response required), RSV 0, GCT 2.

// memReadCmd: Memory Area Read of 10 DM words from D100.
var memReadCmd = []byte{
	0x80, 0x00, 0x02, // ICF, RSV, GCT
	0x00, 0xc8, 0x00, // DNA, DA1, DA2
	0x00, 0xef, 0x00, // SNA, SA1, SA2
	0x05,       // SID
	0x01, 0x01, // MRC/SRC: Memory Area Read
	0x82,             // memory area: DM word
	0x00, 0x64, 0x00, // beginning address 100, bit 0
	0x00, 0x0a, // 10 items
}

// memReadResp answers it: ICF 0xc0 (response), addresses swapped, SID echoed, MRES/SRES 0.
var memReadResp = append([]byte{
	0xc0, 0x00, 0x02, 0x00, 0xef, 0x00, 0x00, 0xc8, 0x00, 0x05,
	0x01, 0x01, // command echoed
	0x00, 0x00, // response code: normal completion
}, make([]byte, 20)...)

// memWriteCmd: Memory Area Write of one CIO word (0xb0) at 10 with value 0x1234.
var memWriteCmd = []byte{0x80, 0x00, 0x02, 0x00, 0xc8, 0x00, 0x00, 0xef, 0x00, 0x06, 0x01, 0x02,
	0xb0, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x12, 0x34}

// runCmd: Run, program number 0xffff, mode 0x04 (RUN).
var runCmd = []byte{0x80, 0x00, 0x02, 0x00, 0xc8, 0x00, 0x00, 0xef, 0x00, 0x07, 0x04, 0x01, 0xff, 0xff, 0x04}

// stopCmd: Stop, no data.
var stopCmd = []byte{0x80, 0x00, 0x02, 0x00, 0xc8, 0x00, 0x00, 0xef, 0x00, 0x08, 0x04, 0x02}

// ctrlDataResp: Controller Data Read response with model "CJ2M-CPU33" and version "02.01".
func ctrlDataResp(sid byte) []byte {
	b := []byte{0xc0, 0x00, 0x02, 0x00, 0xef, 0x00, 0x00, 0xc8, 0x00, sid, 0x05, 0x01, 0x00, 0x00}
	model := make([]byte, 20)
	copy(model, "CJ2M-CPU33          ")
	version := make([]byte, 20)
	copy(version, "02.01")
	b = append(b, model...)
	b = append(b, version...)
	return append(b, make([]byte, 52)...) // for system use, area data
}

var ctrlDataCmd = []byte{0x80, 0x00, 0x02, 0x00, 0xc8, 0x00, 0x00, 0xef, 0x00, 0x09, 0x05, 0x01, 0x00}

// tcp wraps a FINS frame in a FINS/TCP FRAME_SEND header.
func tcp(frame []byte) []byte { return tcpCmd(tcpFrameSend, frame) }

func tcpCmd(cmd uint32, body []byte) []byte {
	n := 8 + len(body)
	b := []byte{'F', 'I', 'N', 'S', byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n),
		byte(cmd >> 24), byte(cmd >> 16), byte(cmd >> 8), byte(cmd), 0, 0, 0, 0}
	return append(b, body...)
}

type step struct {
	dir dissect.Dir
	b   []byte
}

func req(b []byte) step  { return step{dissect.Orig, b} }
func resp(b []byte) step { return step{dissect.Resp, b} }

func runTCP(t testing.TB, steps ...step) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("fins", dissecttest.Flow(6, Port))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range steps {
		if err := s.Write(t, st.dir, st.b); err != nil {
			t.Fatal(err)
		}
	}
	s.P.Close()
	return c
}

func runUDP(t testing.TB, steps ...step) (*dissecttest.Capture, *dissect.Env) {
	t.Helper()
	env, c := dissecttest.NewEnv("fins", dissecttest.Flow(17, Port))
	p := newParser(env)
	for _, st := range steps {
		if n, err := p.Parse(st.dir, st.b); n != len(st.b) || err != nil {
			t.Fatalf("Parse = %d, %v", n, err)
		}
	}
	p.Close()
	return c, env
}
