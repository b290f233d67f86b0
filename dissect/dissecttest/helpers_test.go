package dissecttest

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

// recorder is a testing.TB that keeps Errorf messages instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestWeirds(t *testing.T) {
	c := &Capture{}
	c.Record("weird", []byte(`{"name":"a"}`))
	c.Record("conn", []byte(`{"name":"x"}`))
	c.Record("weird", []byte(`{"name":"b"}`))
	c.Record("weird", []byte(`{"name":"a"}`))
	if got := c.WeirdNames(); !reflect.DeepEqual(got, []string{"a", "b", "a"}) {
		t.Errorf("WeirdNames = %v", got)
	}
	if got := c.WeirdCounts(); !reflect.DeepEqual(got, map[string]int{"a": 2, "b": 1}) {
		t.Errorf("WeirdCounts = %v", got)
	}
	if got := (&Capture{}).WeirdCounts(); len(got) != 0 {
		t.Errorf("WeirdCounts of nothing = %v", got)
	}
}

func TestWant(t *testing.T) {
	c := &Capture{}
	c.Record("x", []byte(`{"a":"1","n":2,"b":true}`))
	r := c.Records[0]
	rec := &recorder{TB: t}
	Want(rec, "ok", r, "a", "1", "n", "2", "b", "true", "absent", "")
	if len(rec.errs) != 0 {
		t.Errorf("matching fields reported: %v", rec.errs)
	}
	Want(rec, "bad", r, "a", "2", "absent", "x")
	if len(rec.errs) != 2 {
		t.Errorf("two mismatches gave %d errors: %v", len(rec.errs), rec.errs)
	}
}

// wholeParser consumes whole frames and keeps them.
type wholeParser struct{ got [][]byte }

func (p *wholeParser) Parse(_ dissect.Dir, b []byte) (int, error) {
	p.got = append(p.got, b)
	return len(b), nil
}
func (p *wholeParser) Gap(dissect.Dir, int) {}
func (p *wholeParser) Close()               {}

func TestParseFrames(t *testing.T) {
	p := &wholeParser{}
	env, _ := NewEnv("x", Flow(17, 1))
	ts := env.TS
	ParseFrames(t, env, p, 250, []byte{1, 2}, []byte{3})
	if len(p.got) != 2 || env.TS != ts+500 {
		t.Errorf("%d frames parsed, clock moved %d ns; want 2 and 500", len(p.got), env.TS-ts)
	}
}

func TestSeed(t *testing.T) {
	in := Seed(Chunk(0, []byte("req")), Chunk(1, []byte("resp")), Chunk(0xff, []byte{9, 9}))
	got := bytes.Split(in, Sep)
	want := [][]byte{[]byte("\x00req"), []byte("\x01resp"), {0xff, 9, 9}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Seed chunks %q, want %q", got, want)
	}
	if got, want := SeedFrames([]byte("a"), []byte("b")), Seed(Chunk(0, []byte("a")), Chunk(0, []byte("b"))); !bytes.Equal(got, want) {
		t.Errorf("SeedFrames = %q, want %q", got, want)
	}
}

func TestBuilders(t *testing.T) {
	if got := Cat([]byte{1}, nil, []byte{2, 3}); !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Errorf("Cat = % x", got)
	}
	for _, tc := range []struct {
		n    int
		head []byte
	}{
		{0, []byte{0x30, 0x00}},
		{0x7f, []byte{0x30, 0x7f}},
		{0x80, []byte{0x30, 0x81, 0x80}},
		{0xff, []byte{0x30, 0x81, 0xff}},
		{0x100, []byte{0x30, 0x82, 0x01, 0x00}},
	} {
		b := BER(0x30, make([]byte, tc.n)...)
		if !bytes.HasPrefix(b, tc.head) || len(b) != len(tc.head)+tc.n {
			t.Errorf("BER of %d bytes: % x…, %d bytes", tc.n, b[:len(tc.head)], len(b))
		}
	}
}
