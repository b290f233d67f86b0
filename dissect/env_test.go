package dissect

import (
	"encoding/json"
	"testing"
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

func TestRecordZeroAlloc(t *testing.T) {
	env := &Env{Flow: &FlowInfo{UID: "C1"}, Name: "x"}
	n := testing.AllocsPerRun(1000, func() {
		env.Log("x").Str("a", "b").Uint("n", 7).Bytes("c", []byte("d")).Array("l").ElemStr("e").End().Done()
	})
	if n != 0 {
		t.Fatalf("%v allocs per record", n)
	}
}
