package engine_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// evidenceTap reads every flow's evidence as the flow ends, as an alert would, and keeps it by
// flow uid.
type evidenceTap struct {
	mu  sync.Mutex
	got map[string][]dissect.EvidencePacket
}

func (e *evidenceTap) Fact(*dissect.Fact)   {}
func (e *evidenceTap) Event(*dissect.Event) {}
func (e *evidenceTap) FlowEnd(f *engine.FlowSummary) {
	ev := f.Info.Evidence.Packets(f.Info, 1000)
	e.mu.Lock()
	e.got[f.Info.UID] = ev
	e.mu.Unlock()
}

// evidenceFrames: 24 UDP flows of 6 packets each, some longer than the ring's snap length, in
// an interleaving that changes every round.
func evidenceFrames(t *testing.T) []testutil.Pkt {
	var out []testutil.Pkt
	t0 := time.Unix(1700000000, 0)
	for round := range 6 {
		for i := range 24 {
			k := (i*5 + round) % 24
			payload := bytes.Repeat([]byte{byte(k), byte(round)}, 10+k*20) // up to 940 bytes
			f := testutil.Frame{Src: fmt.Sprintf("10.0.0.%d", 1+k), Dst: "10.0.1.1", UDP: true, SrcPort: uint16(4000 + k), DstPort: 9000, Payload: payload}
			out = append(out, testutil.Pkt{TS: t0.Add(time.Duration(round*24+i) * time.Millisecond), Data: f.Build(t)})
		}
	}
	return out
}

// The evidence rings read packets back from an uncompressed capture instead of copying them:
// a flow's evidence is the same, byte for byte, as when the packets are copied (a compressed
// capture), with one worker or two, and across two capture files; each flow's evidence is its
// own six packets, oldest first, cut at the snap length.
func TestEvidenceFromFileEqualsCopies(t *testing.T) {
	pkts := evidenceFrames(t)
	dir := t.TempDir()
	raw := testutil.PcapBytes(t, layers.LinkTypeEthernet, pkts)
	plain := filepath.Join(dir, "e.pcap")
	os.WriteFile(plain, raw, 0o644)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	gz := filepath.Join(dir, "e.pcap.gz")
	os.WriteFile(gz, z.Bytes(), 0o644)
	half1 := filepath.Join(dir, "h1.pcap")
	half2 := filepath.Join(dir, "h2.pcap")
	os.WriteFile(half1, testutil.PcapBytes(t, layers.LinkTypeEthernet, pkts[:70]), 0o644)
	os.WriteFile(half2, testutil.PcapBytes(t, layers.LinkTypeEthernet, pkts[70:]), 0o644)

	run := func(workers int, files ...string) map[string][]dissect.EvidencePacket {
		tap := &evidenceTap{got: map[string][]dissect.EvidencePacket{}}
		replay.Run(t, engine.Config{Observer: tap, EvidenceBytes: 1 << 20, Workers: workers, Dissectors: []string{}}, files...)
		return tap.got
	}
	copied := run(1, gz)
	if len(copied) != 24 {
		t.Fatalf("%d flows with evidence, want 24", len(copied))
	}
	for uid, ev := range copied {
		if len(ev) != 6 {
			t.Fatalf("flow %s: %d evidence packets, want 6", uid, len(ev))
		}
		for i, p := range ev {
			if i > 0 && p.TS <= ev[i-1].TS {
				t.Fatalf("flow %s: evidence not oldest first", uid)
			}
			if len(p.Data) != min(p.WireLen, 384) || p.Data[len(p.Data)-1] != byte(i) {
				t.Fatalf("flow %s packet %d: %d bytes of %d, last byte %d", uid, i, len(p.Data), p.WireLen, p.Data[len(p.Data)-1])
			}
		}
	}
	for name, got := range map[string]map[string][]dissect.EvidencePacket{
		"plain file": run(1, plain), "two workers": run(2, plain), "two files": run(1, half1, half2),
	} {
		if len(got) != len(copied) {
			t.Fatalf("%s: %d flows, want %d", name, len(got), len(copied))
		}
		for uid, want := range copied {
			ev := got[uid]
			if len(ev) != len(want) {
				t.Fatalf("%s: flow %s has %d packets, want %d", name, uid, len(ev), len(want))
			}
			for i := range want {
				if ev[i].TS != want[i].TS || ev[i].WireLen != want[i].WireLen || ev[i].LinkType != want[i].LinkType || !bytes.Equal(ev[i].Data, want[i].Data) {
					t.Fatalf("%s: flow %s packet %d differs from the copied one", name, uid, i)
				}
			}
		}
	}
}
