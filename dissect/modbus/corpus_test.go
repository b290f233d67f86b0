package modbus

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
	"github.com/quietwire/quietwire/internal/capture"
	"github.com/quietwire/quietwire/internal/decode"
	"github.com/quietwire/quietwire/internal/testutil"
)

// replayFlow is a minimal in-test TCP replay: segments in capture order, a retransmitted
// prefix trimmed by sequence number, the probe run per direction as the engine does.
type replayFlow struct {
	env     *dissect.Env
	stream  *dissecttest.Stream
	next    [2]uint32
	started [2]bool
	probe   [2][]byte
	state   int // 0 probing, 1 attached, 2 rejected
}

// replay runs every TCP flow touching port 502 of pcap through the parser and returns the
// modbus.log lines of all flows and how many flows were attached.
func replay(t *testing.T, pcap string) (recs []dissecttest.Rec, attached int) {
	t.Helper()
	src, err := capture.Open(pcap)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dec := decode.New(decode.Config{})
	flows := map[string]*replayFlow{}
	var order []*replayFlow
	caps := map[*replayFlow]*dissecttest.Capture{}
	var pkt capture.Packet
	for {
		if err := src.Next(&pkt); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("%s: %v", pcap, err)
		}
		p, reason := dec.Decode(pkt.LinkType, pkt.Data, pkt.TS, pkt.WireLen)
		if reason != decode.OK || p.Proto != 6 || (p.SrcPort != 502 && p.DstPort != 502) {
			continue
		}
		sip := netip.AddrFrom4([4]byte(p.SrcIP[:4]))
		dip := netip.AddrFrom4([4]byte(p.DstIP[:4]))
		a, b := fmt.Sprint(sip, p.SrcPort), fmt.Sprint(dip, p.DstPort)
		key, dir := a+">"+b, dissect.Orig
		f := flows[key]
		if f == nil {
			if f = flows[b+">"+a]; f != nil {
				dir = dissect.Resp
			}
		}
		if f == nil {
			info := &dissect.FlowInfo{UID: "C" + key, Proto: 6,
				Orig: dissect.Endpoint{IP: sip, Port: p.SrcPort}, Resp: dissect.Endpoint{IP: dip, Port: p.DstPort}}
			env, c := dissecttest.NewEnv("modbus", info)
			f = &replayFlow{env: env, stream: &dissecttest.Stream{P: newParser(env)}}
			flows[key] = f
			order = append(order, f)
			caps[f] = c
		}
		f.env.TS = p.TS
		seq, data := p.Seq, p.Payload
		if p.Flags&0x02 != 0 { // SYN: data starts at seq+1
			f.next[dir], f.started[dir] = seq+1, true
			continue
		}
		if len(data) == 0 {
			continue
		}
		if f.started[dir] {
			d := int32(f.next[dir] - seq)
			if d >= int32(len(data)) {
				continue // pure retransmission
			}
			if d > 0 {
				data = data[d:]
			}
		}
		f.next[dir], f.started[dir] = seq+uint32(len(p.Payload)), true
		switch f.state {
		case 0:
			f.probe[dir] = append(f.probe[dir], data...)
			switch Probe(dir, f.probe[dir]) {
			case dissect.Match:
				f.state = 1
				attached++
				f.stream.Write(t, dir, f.probe[dir])
			case dissect.NoMatch:
				f.state = 2
			}
		case 1:
			f.stream.Write(t, dir, data)
		}
	}
	for _, f := range order {
		if f.state == 1 {
			f.stream.P.Close()
			recs = append(recs, caps[f].Logs("modbus")...)
		}
	}
	return recs, attached
}

// baselineRows reads a Zeek TSV baseline and returns each row's values for cols, joined.
// Baselines without a #fields line are read positionally with positional.
func baselineRows(t *testing.T, path string, cols []string, positional map[string]int) []string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var fields []string
	var out []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#fields") {
			fields = strings.Split(line, "\t")[1:]
			continue
		}
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		vals := strings.Split(line, "\t")
		var row []string
		for _, c := range cols {
			i, ok := positional[c]
			if fields != nil {
				i, ok = -1, false
				for j, f := range fields {
					if f == c {
						i, ok = j, true
					}
				}
			}
			v := "-"
			if ok && i < len(vals) {
				v = vals[i]
			}
			row = append(row, v)
		}
		out = append(out, strings.Join(row, " "))
	}
	return out
}

func ourRows(recs []dissecttest.Rec, cols []string) []string {
	var out []string
	for _, r := range recs {
		var row []string
		for _, c := range cols {
			v := r.Get(c)
			if v == "" {
				v = "-"
			}
			row = append(row, v)
		}
		out = append(out, strings.Join(row, " "))
	}
	return out
}

func sameRows(t *testing.T, name string, got, want []string) {
	t.Helper()
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: modbus.log differs from the Zeek baseline\n got %d rows:\n%s\nwant %d rows:\n%s",
			name, len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
}

// TestCorpusBaselines replays the corpus captures whose Zeek baselines describe a clean
// conversation and compares modbus.log with them.
func TestCorpusBaselines(t *testing.T) {
	files := testutil.CorpusFiles(t, "modbus")
	byName := map[string]string{}
	for _, f := range files {
		byName[filepath.Base(f)] = f
	}
	t.Run("modbus_and_non_modbus_on_port_502", func(t *testing.T) {
		pcap := byName["zeek__modbus-and-non-modbus-p502.pcap"]
		if pcap == "" {
			t.Skip("capture absent")
		}
		recs, attached := replay(t, pcap)
		if attached != 1 {
			t.Errorf("%d flows attached, want 1 (the others on port 502 are DCE/RPC, TLS, scanners)", attached)
		}
		cols := []string{"tid", "unit", "func", "pdu_type", "exception"}
		want := baselineRows(t, filepath.Join(pcap+".gt", "zeek-baseline",
			"scripts.base.protocols.modbus.modbus_and_non_modbus_on_port_502", "modbus.log"), cols, nil)
		sameRows(t, "p502", ourRows(recs, cols), want)
	})
	t.Run("icsnpp_modbus_example", func(t *testing.T) {
		pcap := byName["icsnpp-modbus__modbus_example.pcap"]
		if pcap == "" {
			t.Skip("capture absent")
		}
		all, _ := replay(t, pcap)
		// This baseline predates tid/unit/pdu_type in modbus.log: its rows are
		// ts uid id.orig_h id.orig_p id.resp_h id.resp_p func exception, and that Zeek wrote
		// one line per transaction, when the response arrived. Compare our RESP lines.
		var recs []dissecttest.Rec
		for _, r := range all {
			if r.Get("pdu_type") == "RESP" {
				recs = append(recs, r)
			}
		}
		cols := []string{"func", "exception"}
		want := baselineRows(t, filepath.Join(pcap+".gt", "zeek-baseline", "analyzer.basic", "modbus.log"),
			cols, map[string]int{"func": 6, "exception": 7})
		sameRows(t, "icsnpp", ourRows(recs, cols), want)
	})
}
