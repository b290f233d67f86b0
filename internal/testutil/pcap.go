package testutil

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Pkt is a frame with its capture time.
type Pkt struct {
	TS   time.Time
	Data []byte
}

// PcapBytes writes frames as a classic pcap (microsecond, little-endian) with gopacket's
// writer, an implementation independent of our reader.
func PcapBytes(t testing.TB, lt layers.LinkType, pkts []Pkt) []byte {
	t.Helper()
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	if err := w.WriteFileHeader(65535, lt); err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		ci := gopacket.CaptureInfo{Timestamp: p.TS, CaptureLength: len(p.Data), Length: len(p.Data)}
		if err := w.WritePacket(ci, p.Data); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// WritePcap writes frames to dir/name and returns the path.
func WritePcap(t testing.TB, dir, name string, pkts []Pkt) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, PcapBytes(t, layers.LinkTypeEthernet, pkts), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
