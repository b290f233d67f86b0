// Package apitest builds a store filled by the real pipeline (engine → inventory → detect)
// over captures generated in code, for the API and browser tests. Nothing is read from disk
// but what it writes, so the tests never skip for want of a corpus.
package apitest

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	_ "github.com/quietwire/quietwire/dissect/all"
	"github.com/quietwire/quietwire/internal/api"
	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/inventory"
	"github.com/quietwire/quietwire/internal/store"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// Start is the packet time of the fixtures' first frame.
var Start = time.Date(2026, 1, 5, 6, 0, 0, 0, time.UTC)

// Host is a simulated station.
type Host struct{ IP, MAC string }

// Plant describes one site's simulated network.
type Plant struct {
	Site     string
	HMI      Host // polls the PLCs during and after learning
	PLCs     []Host
	EWS      Host // engineering workstation appearing after learning, writing to PLC 0
	Vendor   string
	Products []string
}

// PlantA and PlantB are the two fixture sites. They reuse one IP plan on purpose: the same
// address in two sites is two devices.
var (
	PlantA = Plant{Site: "plant-a", HMI: Host{"10.10.1.10", "00:1b:1b:0a:01:0a"},
		PLCs:   []Host{{"10.10.1.20", "00:80:f4:0a:01:14"}, {"10.10.1.21", "00:80:f4:0a:01:15"}, {"10.10.1.22", "00:80:f4:0a:01:16"}},
		EWS:    Host{"10.10.1.50", "00:15:5d:0a:01:32"},
		Vendor: "Schneider Electric", Products: []string{"Modicon M340", "Modicon M580", "Modicon M221"}}
	PlantB = Plant{Site: "plant-b", HMI: Host{"10.10.1.10", "00:1b:1b:0b:01:0a"},
		PLCs:   []Host{{"10.10.1.20", "00:0e:8c:0b:01:14"}, {"10.10.1.30", "00:0e:8c:0b:01:1e"}},
		EWS:    Host{"10.10.1.77", "00:15:5d:0b:01:4d"},
		Vendor: "Siemens", Products: []string{"SIMATIC S7-1500", "SIMATIC S7-1200"}}
)

type gen struct {
	t    testing.TB
	pkts []testutil.Pkt
	port uint16
}

func (g *gen) frame(at time.Duration, f testutil.Frame) {
	g.pkts = append(g.pkts, testutil.Pkt{TS: Start.Add(at), Data: f.Build(g.t)})
}

// conn writes one TCP connection: handshake, request/response pairs, close.
func (g *gen) conn(at time.Duration, c, s Host, dport uint16, pairs [][2][]byte) {
	g.port++
	sp := 40000 + g.port
	base := func(from, to Host, fp, tp uint16) testutil.Frame {
		return testutil.Frame{SrcMAC: from.MAC, DstMAC: to.MAC, Src: from.IP, Dst: to.IP, SrcPort: fp, DstPort: tp}
	}
	cs, ss := uint32(1000), uint32(5000)
	step := time.Millisecond
	emit := func(f testutil.Frame, seq, ack uint32, flags string, p []byte) {
		f.Seq, f.Ack, f.Flags, f.Payload = seq, ack, flags, p
		g.frame(at, f)
		at += step
	}
	cf, sf := base(c, s, sp, dport), base(s, c, dport, sp)
	emit(cf, cs, 0, "S", nil)
	emit(sf, ss, cs+1, "SA", nil)
	cs, ss = cs+1, ss+1
	emit(cf, cs, ss, "A", nil)
	for _, p := range pairs {
		emit(cf, cs, ss, "PA", p[0])
		cs += uint32(len(p[0]))
		emit(sf, ss, cs, "PA", p[1])
		ss += uint32(len(p[1]))
	}
	emit(cf, cs, ss, "FA", nil)
	emit(sf, ss, cs+1, "FA", nil)
	emit(cf, cs+1, ss+1, "A", nil)
}

func mbap(tid uint16, pdu []byte) []byte {
	b := make([]byte, 7, 7+len(pdu))
	binary.BigEndian.PutUint16(b[0:], tid)
	binary.BigEndian.PutUint16(b[4:], uint16(len(pdu)+1))
	b[6] = 1
	return append(b, pdu...)
}

func readRegs(tid uint16) [2][]byte {
	resp := []byte{0x03, 20}
	for i := 0; i < 10; i++ {
		resp = append(resp, 0, byte(i+int(tid)))
	}
	return [2][]byte{mbap(tid, []byte{0x03, 0, 0, 0, 10}), mbap(tid, resp)}
}

func deviceID(tid uint16, vendor, product, rev string) [2][]byte {
	resp := []byte{0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, 0x04}
	for i, v := range []string{vendor, "BMX-" + fmt.Sprint(tid), rev} {
		resp = append(resp, byte(i), byte(len(v)))
		resp = append(resp, v...)
	}
	resp = append(resp, 0x04, byte(len(product)))
	resp = append(resp, product...)
	return [2][]byte{mbap(tid, []byte{0x2b, 0x0e, 0x01, 0x00}), mbap(tid, resp)}
}

func writeRegs(tid uint16) [2][]byte {
	return [2][]byte{mbap(tid, []byte{0x10, 0, 100, 0, 2, 4, 0, 1, 0, 2}), mbap(tid, []byte{0x10, 0, 100, 0, 2})}
}

// Capture returns the frames of a plant: 60 s of HMI polling (learning ends at 30 s), an
// identity read of every PLC, then after learning an engineering workstation that writes
// registers of the first PLC and the HMI writing where it only read before.
func (p Plant) Capture(t testing.TB) []testutil.Pkt {
	g := &gen{t: t}
	for i, plc := range p.PLCs {
		g.conn(time.Duration(i)*100*time.Millisecond, p.HMI, plc, 502, [][2][]byte{deviceID(uint16(i+1), p.Vendor, p.Products[i%len(p.Products)], fmt.Sprintf("v%d.%d", 2+i, 10+i))})
	}
	for s := 1; s < 60; s += 2 {
		for i, plc := range p.PLCs {
			at := time.Duration(s)*time.Second + time.Duration(i)*50*time.Millisecond
			g.conn(at, p.HMI, plc, 502, [][2][]byte{readRegs(uint16(s)), readRegs(uint16(s + 1))})
		}
	}
	g.conn(45*time.Second, p.EWS, p.PLCs[0], 502, [][2][]byte{readRegs(7), writeRegs(8)})
	g.conn(50*time.Second, p.HMI, p.PLCs[len(p.PLCs)-1], 502, [][2][]byte{readRegs(9), writeRegs(10)})
	return g.pkts
}

// Result is what Fill stored.
type Result struct {
	Inventories map[string]*inventory.Inventory
	Detectors   map[string]*detect.Detector
	Summary     *engine.Summary
}

// Fill runs the pipeline over the plants' captures and stores inventory, baseline and
// alerts (with evidence) in st.
func Fill(t testing.TB, st *store.Store, plants ...Plant) *Result {
	t.Helper()
	res := &Result{Inventories: map[string]*inventory.Inventory{}, Detectors: map[string]*detect.Detector{}}
	ctx := context.Background()
	for _, p := range plants {
		path := testutil.WritePcap(t, t.TempDir(), p.Site+".pcap", p.Capture(t))
		inv := inventory.New(inventory.Config{Site: p.Site})
		det := detect.New(detect.Config{Site: p.Site, Sensor: "sensor-1", LearningPeriod: int64(30 * time.Second), DeviceLearning: int64(time.Second)}, nil)
		cfg := engine.Config{Site: p.Site, Observer: engine.Observers{inv, det}, EvidenceBytes: 4 << 20, TCPTimeout: int64(5 * time.Second)}
		rr := replay.Run(t, cfg, path)
		if rr.Err != nil {
			t.Fatal(rr.Err)
		}
		det.Finish()
		res.Summary = rr.Summary
		if err := st.SaveInventory(ctx, p.Site, inv.Export(), Start.Unix()); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveBaseline(ctx, det.Baseline(), Start.Unix()); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveAlerts(ctx, det.Alerts()); err != nil {
			t.Fatal(err)
		}
		res.Inventories[p.Site], res.Detectors[p.Site] = inv, det
	}
	if err := api.SaveEngineSummary(ctx, st, res.Summary); err != nil {
		t.Fatal(err)
	}
	return res
}
