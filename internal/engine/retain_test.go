package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/quietwire/quietwire/internal/capture"
	"github.com/quietwire/quietwire/internal/logs"
	"github.com/quietwire/quietwire/internal/testutil"
)

// lagSource records how far the packet being read gets ahead of the offset up to which the
// engine has released the source's buffers.
type lagSource struct {
	capture.Source
	rt               capture.Retainer
	released, maxLag int64
}

func (s *lagSource) Retain() bool { return s.rt.Retain() }

func (s *lagSource) Next(p *capture.Packet) error {
	err := s.Source.Next(p)
	if err == nil {
		s.maxLag = max(s.maxLag, p.Off-s.released)
	}
	return err
}

func (s *lagSource) Release(upTo int64) {
	s.released = max(s.released, upTo)
	s.rt.Release(upTo)
}

// A capture in which one worker gets a single packet at the start and the other everything
// after it: the first worker's batch never fills, and the reader used to keep every buffer it
// read behind that batch (a 310 MB capture of this shape took 326 MB of memory with two
// workers, 24 MB with one). The partly filled batch now goes to its worker once it holds the
// buffers back by more than maxRetained, and the run's records are those of one worker.
func TestParallelRetentionBounded(t *testing.T) {
	defer func(m int64) { maxRetained = m }(maxRetained)
	maxRetained = 256 << 10
	t0 := time.Unix(1700000000, 0)
	lone := testutil.Frame{Src: "10.9.9.1", Dst: "10.9.9.2", UDP: true, SrcPort: 1111, DstPort: 2222, Payload: []byte("x")}
	// the busy pair: the first address pair (from a fixed list) that goes to the other worker
	var busy testutil.Frame
	for i := 1; ; i++ {
		busy = testutil.Frame{Src: "10.0.0.1", Dst: fmt.Sprintf("10.0.1.%d", i), UDP: true, SrcPort: 5000, DstPort: 6000, Payload: make([]byte, 200)}
		if shardOf(shardHash(1, busy.Build(t)), 2) != shardOf(shardHash(1, lone.Build(t)), 2) {
			break
		}
	}
	pkts := []testutil.Pkt{{TS: t0, Data: lone.Build(t)}}
	data := busy.Build(t)
	for i := 0; i < 16000; i++ {
		pkts = append(pkts, testutil.Pkt{TS: t0.Add(time.Millisecond + time.Duration(i)*time.Microsecond), Data: data})
	}
	path := testutil.WritePcap(t, t.TempDir(), "skew.pcap", pkts)
	run := func(workers int) (*Summary, int64) {
		d, err := logs.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		e, err := New(Config{Workers: workers}, d)
		if err != nil {
			t.Fatal(err)
		}
		src, err := capture.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		ls := &lagSource{Source: src, rt: src.(capture.Retainer)}
		if err := e.Run(ls); err != nil {
			t.Fatal(err)
		}
		src.Close()
		s := e.Finish()
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		return s, ls.maxLag
	}
	s1, _ := run(1)
	s2, lag := run(2)
	if s2.Packets != 16001 || s2.Decoded != s1.Decoded || s2.Flows != s1.Flows || s2.Flows != 2 {
		t.Fatalf("two workers: %d packets, %d decoded, %d flows; one worker: %d decoded, %d flows", s2.Packets, s2.Decoded, s2.Flows, s1.Decoded, s1.Flows)
	}
	// a batch's worth of packets may go by between two releases
	if limit := maxRetained + batchPkts*int64(16+len(data)); lag > limit {
		t.Fatalf("the reader got %d bytes ahead of the released buffers (capture %d bytes), want at most %d", lag, 16001*(16+len(data)), limit)
	}
}
