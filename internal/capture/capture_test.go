package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/quietwire/quietwire/internal/testutil"
)

func frames(n int) []testutil.Pkt {
	var out []testutil.Pkt
	t0 := time.Unix(1600000000, 123456000)
	for i := 0; i < n; i++ {
		out = append(out, testutil.Pkt{TS: t0.Add(time.Duration(i) * time.Millisecond), Data: bytes.Repeat([]byte{byte(i)}, 60+i)})
	}
	return out
}

func writeFile(t *testing.T, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readAll(t *testing.T, path string) ([]Packet, error) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var out []Packet
	for {
		var p Packet
		err := s.Next(&p)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		p.Data = append([]byte(nil), p.Data...)
		out = append(out, p)
	}
}

func TestPcapRoundTrip(t *testing.T) {
	in := frames(50)
	path := writeFile(t, "a.pcap", testutil.PcapBytes(t, layers.LinkTypeEthernet, in))
	got, err := readAll(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("got %d packets, want %d", len(got), len(in))
	}
	for i := range in {
		if got[i].TS != in[i].TS.UnixNano() || !bytes.Equal(got[i].Data, in[i].Data) || got[i].LinkType != LinkEthernet {
			t.Fatalf("packet %d: ts %d data %d bytes lt %d", i, got[i].TS, len(got[i].Data), got[i].LinkType)
		}
	}
}

func TestPcapGzipAndNanos(t *testing.T) {
	var b bytes.Buffer
	w, _ := pcapgo.NewWriterNanos(&b), 0
	if err := w.WriteFileHeader(65535, layers.LinkTypeRaw); err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1600000000, 987654321)
	w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: 20, Length: 1500}, make([]byte, 20))
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b.Bytes())
	zw.Close()
	got, err := readAll(t, writeFile(t, "a.pcap.gz", z.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].TS != ts.UnixNano() || got[0].WireLen != 1500 || got[0].LinkType != LinkRaw {
		t.Fatalf("got %+v", got)
	}
}

func TestPcapBigEndian(t *testing.T) {
	var b []byte
	b = binary.BigEndian.AppendUint32(b, 0xa1b2c3d4)
	b = binary.BigEndian.AppendUint16(b, 2)
	b = binary.BigEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = binary.BigEndian.AppendUint32(b, 65535)
	b = binary.BigEndian.AppendUint32(b, 113)
	b = binary.BigEndian.AppendUint32(b, 1000)
	b = binary.BigEndian.AppendUint32(b, 5)
	b = binary.BigEndian.AppendUint32(b, 16)
	b = binary.BigEndian.AppendUint32(b, 16)
	b = append(b, make([]byte, 16)...)
	got, err := readAll(t, writeFile(t, "be.pcap", b))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].TS != 1000*1e9+5000 || got[0].LinkType != LinkSLL {
		t.Fatalf("got %+v", got)
	}
}

func TestPcapngInterfaces(t *testing.T) {
	var b bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&b, pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet, SnapLength: 65535}, pcapgo.NgWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := w.AddInterface(pcapgo.NgInterface{LinkType: layers.LinkTypeLinuxSLL, SnapLength: 65535})
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1600000000, 111222333)
	w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: 60, Length: 60, InterfaceIndex: 0}, make([]byte, 60))
	w.WritePacket(gopacket.CaptureInfo{Timestamp: ts.Add(time.Second), CaptureLength: 40, Length: 80, InterfaceIndex: id2}, make([]byte, 40))
	w.Flush()
	got, err := readAll(t, writeFile(t, "a.pcapng", b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d packets", len(got))
	}
	if got[0].LinkType != LinkEthernet || got[1].LinkType != LinkSLL || got[1].Iface != 1 {
		t.Fatalf("link types %d %d iface %d", got[0].LinkType, got[1].LinkType, got[1].Iface)
	}
	if got[0].TS != ts.UnixNano() || got[1].TS != ts.Add(time.Second).UnixNano() || got[1].WireLen != 80 {
		t.Fatalf("timestamps %d %d wire %d", got[0].TS, got[1].TS, got[1].WireLen)
	}
}

func TestBadInput(t *testing.T) {
	good := testutil.PcapBytes(t, layers.LinkTypeEthernet, frames(3))
	hugeLen := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(hugeLen[24+8:], 1<<30)
	badLT := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(badLT[20:], 0x00ff0001)
	cases := []struct {
		name, want string
		b          []byte
		wantPkts   int
	}{
		{"empty", "not a pcap", nil, 0},
		{"text", "not a pcap", []byte("hello world, this is not a capture"), 0},
		{"short header", "truncated pcap file header", good[:20], 0},
		{"bad link type field", "impossible link type", badLT, 0},
		{"huge caplen", "byte 24: impossible captured length", hugeLen, 0},
		{"truncated record", "truncated pcap record", good[:len(good)-5], 2},
		{"truncated record header", "truncated pcap record header", good[:len(good)-(16+62)+8], 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "x.pcap", c.b)
			got, err := readAll(t, path)
			if err == nil {
				t.Fatalf("no error")
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.File != path {
				t.Fatalf("error %v is not a FormatError naming the file", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
			if len(got) != c.wantPkts {
				t.Fatalf("kept %d packets before the error, want %d", len(got), c.wantPkts)
			}
		})
	}
}

func TestBadPcapng(t *testing.T) {
	var b bytes.Buffer
	w, _ := pcapgo.NewNgWriterInterface(&b, pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet}, pcapgo.NgWriterOptions{})
	w.WritePacket(gopacket.CaptureInfo{Timestamp: time.Unix(1, 0), CaptureLength: 60, Length: 60}, make([]byte, 60))
	w.WritePacket(gopacket.CaptureInfo{Timestamp: time.Unix(2, 0), CaptureLength: 60, Length: 60}, make([]byte, 60))
	w.Flush()
	good := b.Bytes()
	// Find the last EPB and corrupt its length.
	last := bytes.LastIndex(good, []byte{6, 0, 0, 0})
	bad := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(bad[last+4:], 7)
	got, err := readAll(t, writeFile(t, "x.pcapng", bad))
	if err == nil || !strings.Contains(err.Error(), "impossible pcapng block length 7") {
		t.Fatalf("err = %v", err)
	}
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset != int64(last) {
		t.Fatalf("offset: %v, want %d", err, last)
	}
	if len(got) != 1 {
		t.Fatalf("kept %d packets", len(got))
	}
}

// Every truncation of a valid file either reads cleanly up to a record boundary or fails with a
// FormatError: never a panic, never a silent short read in the middle of a record.
func TestTruncationSweep(t *testing.T) {
	for _, ng := range []bool{false, true} {
		var good []byte
		if ng {
			var b bytes.Buffer
			w, _ := pcapgo.NewNgWriterInterface(&b, pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet}, pcapgo.NgWriterOptions{})
			for _, p := range frames(4) {
				w.WritePacket(gopacket.CaptureInfo{Timestamp: p.TS, CaptureLength: len(p.Data), Length: len(p.Data)}, p.Data)
			}
			w.Flush()
			good = b.Bytes()
		} else {
			good = testutil.PcapBytes(t, layers.LinkTypeEthernet, frames(4))
		}
		dir := t.TempDir()
		for n := 0; n < len(good); n++ {
			p := filepath.Join(dir, "t")
			os.WriteFile(p, good[:n], 0o644)
			got, err := readAll(t, p)
			if err == nil && len(got) == 4 {
				t.Fatalf("ng=%v: %d of %d bytes read as complete", ng, n, len(good))
			}
			if err != nil {
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("ng=%v n=%d: %v is not a FormatError", ng, n, err)
				}
			}
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(testutil.PcapBytes(f, layers.LinkTypeEthernet, frames(2)))
	var b bytes.Buffer
	w, _ := pcapgo.NewNgWriterInterface(&b, pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet}, pcapgo.NgWriterOptions{})
	w.WritePacket(gopacket.CaptureInfo{Timestamp: time.Unix(1, 0), CaptureLength: 60, Length: 60}, make([]byte, 60))
	w.Flush()
	f.Add(b.Bytes())
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "f")
		os.WriteFile(p, data, 0o644)
		s, err := Open(p)
		if err != nil {
			return
		}
		defer s.Close()
		var pk Packet
		for i := 0; i < 10000; i++ {
			if err := s.Next(&pk); err != nil {
				return
			}
			if len(pk.Data) > MaxRecord {
				t.Fatalf("record of %d bytes", len(pk.Data))
			}
		}
	})
}

func BenchmarkReadPcap(b *testing.B) {
	var pk []testutil.Pkt
	for i := 0; i < 10000; i++ {
		pk = append(pk, testutil.Pkt{TS: time.Unix(int64(i), 0), Data: make([]byte, 100)})
	}
	path := filepath.Join(b.TempDir(), "b.pcap")
	os.WriteFile(path, testutil.PcapBytes(b, layers.LinkTypeEthernet, pk), 0o644)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		s, _ := Open(path)
		var p Packet
		for s.Next(&p) == nil {
			n++
		}
		s.Close()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pkts/s")
}

// A retained source keeps every packet's Data intact until Release passes it, across the
// window's buffer changes (records straddling 1 MiB boundaries, a pcapng block bigger than a
// buffer) and reuses the buffers Release frees.
func TestRetainedPackets(t *testing.T) {
	var pkts []testutil.Pkt
	t0 := time.Unix(1600000000, 0)
	for i := 0; i < 6000; i++ {
		n := 60 + (i*7919)%1400
		if i == 1500 {
			n = 65_000
		}
		d := make([]byte, n)
		for j := range d {
			d[j] = byte(i + j*31)
		}
		pkts = append(pkts, testutil.Pkt{TS: t0.Add(time.Duration(i) * time.Microsecond), Data: d})
	}
	for _, format := range []string{"pcap", "pcapng"} {
		var b []byte
		if format == "pcap" {
			b = testutil.PcapBytes(t, layers.LinkTypeEthernet, pkts)
		} else {
			var buf bytes.Buffer
			w, err := pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pkts {
				w.WritePacket(gopacket.CaptureInfo{Timestamp: p.TS, CaptureLength: len(p.Data), Length: len(p.Data)}, p.Data)
				if i == 2000 {
					// A 2 MiB custom block (skipped by the reader): bigger than a window buffer.
					w.Flush()
					n := uint32(2<<20 + 12)
					blk := binary.LittleEndian.AppendUint32(nil, 0x00000bad)
					blk = binary.LittleEndian.AppendUint32(blk, n)
					blk = append(blk, make([]byte, 2<<20)...)
					buf.Write(binary.LittleEndian.AppendUint32(blk, n))
				}
			}
			w.Flush()
			b = buf.Bytes()
		}
		path := writeFile(t, "r."+format, b)
		src, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rt := src.(Retainer)
		if !rt.Retain() {
			t.Fatal("a file source refuses to retain")
		}
		const lag = 1800 // packets held (like batches in flight) before being released: 1.3 MiB
		var held []Packet
		reused := 0
		for i := 0; ; i++ {
			var p Packet
			err := src.Next(&p)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, p)
			if i >= lag {
				old := held[i-lag]
				if i%100 == 0 {
					for j := i - lag; j <= i; j++ {
						if !bytes.Equal(held[j].Data, pkts[j].Data) {
							t.Fatalf("%s: packet %d overwritten before its release (read %d)", format, j, i)
						}
					}
				}
				fs := src.(*fileSource)
				before := len(fs.w.spares)
				rt.Release(old.Off + 1)
				if len(fs.w.spares) > before {
					reused++
				}
			}
		}
		if len(held) != len(pkts) {
			t.Fatalf("%s: %d packets, want %d", format, len(held), len(pkts))
		}
		for i := len(held) - lag; i < len(held); i++ {
			if !bytes.Equal(held[i].Data, pkts[i].Data) || held[i].TS != pkts[i].TS.UnixNano() {
				t.Fatalf("%s: packet %d differs", format, i)
			}
		}
		if fs := src.(*fileSource); reused == 0 || len(fs.w.retired) > 2 {
			t.Fatalf("%s: %d releases freed a buffer, %d buffers still retired", format, reused, len(fs.w.retired))
		}
		src.Close()
	}
}

// ngBlock is one little-endian pcapng block with its length fields.
func ngBlock(typ uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	n := uint32(12 + len(body))
	b := binary.LittleEndian.AppendUint32(nil, typ)
	b = binary.LittleEndian.AppendUint32(b, n)
	b = append(b, body...)
	return binary.LittleEndian.AppendUint32(b, n)
}

// A file source's Store reads every packet's bytes again at its DataOff, in pcap and in pcapng
// (enhanced and simple packet blocks), after the source is closed too; a compressed file has
// no Store.
func TestStoreRereads(t *testing.T) {
	in := frames(40)
	var ng bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&ng, pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet, SnapLength: 65535}, pcapgo.NgWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range in {
		w.WritePacket(gopacket.CaptureInfo{Timestamp: p.TS, CaptureLength: len(p.Data), Length: len(p.Data)}, p.Data)
	}
	w.Flush()
	shb := ngBlock(blkSHB, []byte{0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	idb := ngBlock(blkIDB, []byte{1, 0, 0, 0, 0xff, 0xff, 0, 0})
	spb := append(binary.LittleEndian.AppendUint32(nil, 61), bytes.Repeat([]byte{0xab}, 61)...)
	simple := append(append(append([]byte(nil), shb...), idb...), ngBlock(blkSPB, spb)...)
	files := map[string][]byte{
		"a.pcap":     testutil.PcapBytes(t, layers.LinkTypeEthernet, in),
		"a.pcapng":   ng.Bytes(),
		"spb.pcapng": simple,
	}
	for name, b := range files {
		path := writeFile(t, name, b)
		src, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		st, ok := src.(Rereadable).Store()
		if !ok {
			t.Fatalf("%s: no store", name)
		}
		var got [][]byte
		var offs []int64
		for {
			var p Packet
			if err := src.Next(&p); err != nil {
				break
			}
			got, offs = append(got, append([]byte(nil), p.Data...)), append(offs, p.DataOff)
		}
		src.Close()
		if len(got) == 0 {
			t.Fatalf("%s: no packets", name)
		}
		for i := range got {
			again := make([]byte, len(got[i]))
			if err := st.ReadAt(again, offs[i]); err != nil || !bytes.Equal(again, got[i]) {
				t.Fatalf("%s packet %d: read again at %d: %v, %x vs %x", name, i, offs[i], err, again[:4], got[i][:4])
			}
		}
		st.Close()
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(files["a.pcap"])
	zw.Close()
	src, err := Open(writeFile(t, "a.pcap.gz", z.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, ok := src.(Rereadable).Store(); ok {
		t.Fatal("a compressed capture offers a store")
	}
}
