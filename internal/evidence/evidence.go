// Package evidence writes the packets kept for an alert as a pcap file that Wireshark opens.
package evidence

import (
	"encoding/binary"

	"github.com/quietwire/quietwire/dissect"
)

// Pcap returns pkts as a classic pcap (nanosecond timestamps). Packets of several link types
// are written with the first packet's link type (a pcap holds one); the engine keeps frames of
// one flow, which share their capture interface.
func Pcap(pkts []dissect.EvidencePacket) []byte {
	lt := uint32(1)
	if len(pkts) > 0 {
		lt = uint32(pkts[0].LinkType)
	}
	b := make([]byte, 0, 24+len(pkts)*128)
	b = binary.LittleEndian.AppendUint32(b, 0xa1b23c4d) // nanosecond magic
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 65535)
	b = binary.LittleEndian.AppendUint32(b, lt)
	for _, p := range pkts {
		b = binary.LittleEndian.AppendUint32(b, uint32(p.TS/1e9))
		b = binary.LittleEndian.AppendUint32(b, uint32(p.TS%1e9))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p.Data)))
		b = binary.LittleEndian.AppendUint32(b, uint32(max(p.WireLen, len(p.Data))))
		b = append(b, p.Data...)
	}
	return b
}
