package iec104

import (
	"bufio"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
	"github.com/quietwire/quietwire/internal/testutil"
)

// TestCorpusAPDUCount replays the corpus' classic pcap captures through the parser with a
// minimal in-order TCP feeder and compares the number of APDUs with tshark's count of
// iec60870_104.type in the oracle. It checks the parser alone: the engine's reassembly is
// exercised by tools/fidelity.py. The feeder drops retransmissions and TCP keep-alives (one
// octet, no PSH, one below the next expected sequence number, or first in a direction picked
// up mid-stream).
func TestCorpusAPDUCount(t *testing.T) {
	files := testutil.CorpusFiles(t, "iec104")
	n := 0
	for _, file := range files {
		if !strings.HasSuffix(file, ".pcap") {
			continue // pcapng: left to the engine
		}
		want := oracleCount(t, file+".oracle/iec104.tsv")
		if want < 0 {
			continue
		}
		n++
		t.Run(filepath.Base(file), func(t *testing.T) {
			got := replayCount(t, file)
			if got != want {
				t.Errorf("%d APDUs, tshark %d", got, want)
			}
		})
	}
	if n == 0 {
		t.Skip("no classic pcap with an oracle in the corpus")
	}
}

// oracleCount sums the comma-separated iec60870_104.type values of a tshark oracle TSV.
func oracleCount(t *testing.T, path string) int {
	f, err := os.Open(path)
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	col, n := -1, 0
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if col < 0 {
			for i, h := range fields {
				if h == "iec60870_104.type" {
					col = i
				}
			}
			if col < 0 {
				return -1
			}
			continue
		}
		if col < len(fields) {
			for _, v := range strings.Split(fields[col], ",") {
				if v != "" {
					n++
				}
			}
		}
	}
	return n
}

type tcpDir struct {
	started bool
	next    uint32
}

type tcpFlow struct {
	s    *dissecttest.Stream
	c    *dissecttest.Capture
	dirs [2]tcpDir
}

// replayCount feeds every TCP flow with port 2404 of a classic pcap (Ethernet or Linux cooked)
// to a fresh parser and returns the number of iec104 records.
func replayCount(t *testing.T, path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 24 {
		t.Fatal("short pcap")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d:
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		t.Fatalf("not a classic pcap")
	}
	linktype := bo.Uint32(data[20:])
	flows := map[string]*tcpFlow{}
	for off := 24; off+16 <= len(data); {
		caplen := int(bo.Uint32(data[off+8:]))
		off += 16
		if off+caplen > len(data) {
			break
		}
		frame := data[off : off+caplen]
		off += caplen
		var ip []byte
		switch linktype {
		case 1:
			if len(frame) < 14 {
				continue
			}
			et, p := binary.BigEndian.Uint16(frame[12:]), 14
			for et == 0x8100 && len(frame) >= p+4 {
				et, p = binary.BigEndian.Uint16(frame[p+2:]), p+4
			}
			if et != 0x0800 {
				continue
			}
			ip = frame[p:]
		case 113:
			if len(frame) < 16 || binary.BigEndian.Uint16(frame[14:]) != 0x0800 {
				continue
			}
			ip = frame[16:]
		default:
			t.Skipf("linktype %d", linktype)
		}
		if len(ip) < 20 || ip[9] != 6 {
			continue
		}
		ihl := int(ip[0]&15) * 4
		total := int(binary.BigEndian.Uint16(ip[2:]))
		if total > len(ip) || ihl+20 > total {
			continue
		}
		tcp := ip[ihl:total]
		doff := int(tcp[12]>>4) * 4
		if doff > len(tcp) {
			continue
		}
		sp, dp := binary.BigEndian.Uint16(tcp[0:]), binary.BigEndian.Uint16(tcp[2:])
		if sp != 2404 && dp != 2404 {
			continue
		}
		seq, flags, payload := binary.BigEndian.Uint32(tcp[4:]), tcp[13], tcp[doff:]
		src, dst := string(ip[12:16])+string(tcp[0:2]), string(ip[16:20])+string(tcp[2:4])
		key, dir := src+dst, orig
		if f := flows[dst+src]; f != nil {
			key, dir = dst+src, resp
		}
		f := flows[key]
		if f == nil {
			env, c := dissecttest.NewEnv("iec104", dissecttest.Flow(6, 2404))
			f = &tcpFlow{s: &dissecttest.Stream{P: newParser(env)}, c: c}
			flows[key] = f
		}
		d := &f.dirs[dir]
		if flags&0x02 != 0 { // SYN
			d.started, d.next = true, seq+1
			continue
		}
		if len(payload) == 0 {
			continue
		}
		keepAlive := len(payload) == 1 && flags&0x08 == 0 && (!d.started || seq == d.next-1)
		if keepAlive {
			continue
		}
		if !d.started {
			d.started, d.next = true, seq
		}
		if diff := int32(seq - d.next); diff < 0 {
			if int(-diff) >= len(payload) {
				continue // retransmission
			}
			payload = payload[-diff:]
		} else if diff > 0 {
			f.s.Gap(dir, int(diff))
		}
		d.next = seq + uint32(len(payload))
		if err := f.s.Write(t, dissect.Dir(dir), payload); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, f := range flows {
		f.s.P.Close()
		n += len(f.c.Logs("iec104"))
	}
	return n
}
