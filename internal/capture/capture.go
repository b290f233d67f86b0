// Package capture reads packets: pcap and pcapng files (optionally gzip-compressed) and live
// interfaces through AF_PACKET. Every source hands out packets whose Data is only valid until
// the next call; nothing on the read path allocates per packet.
package capture

import (
	"errors"
	"fmt"
)

// Link types (LINKTYPE_* values from the tcpdump registry) that the decoder understands.
const (
	LinkNull     = 0   // BSD loopback: 4-byte host-order address family
	LinkEthernet = 1   // Ethernet II / 802.3
	LinkRaw      = 101 // raw IPv4 or IPv6
	LinkRawDLT   = 12  // DLT_RAW on some platforms, same as LinkRaw
	LinkLoop     = 108 // OpenBSD loopback: 4-byte network-order family
	LinkSLL      = 113 // Linux cooked capture v1
	LinkIPv4     = 228
	LinkIPv6     = 229
	LinkSLL2     = 276 // Linux cooked capture v2
)

// Packet is one captured frame. Data aliases the source's buffer: valid until the next Next
// (or, from a Retainer that agreed to Retain, until Release passes Off).
type Packet struct {
	TS       int64 // ns since the epoch
	Data     []byte
	WireLen  int    // original length on the wire
	LinkType uint16 // LINKTYPE_* of the interface it came from
	Iface    int    // interface index within the source (pcapng, multi-interface live)
	Off      int64  // byte offset of the packet's record in a file source
	DataOff  int64  // byte offset of Data in an uncompressed file source (see Store)
}

// Source yields packets until io.EOF.
type Source interface {
	// Next fills p with the next packet. It returns io.EOF at the end of the input, or a
	// *FormatError when the input is corrupt (everything before it was delivered).
	Next(p *Packet) error
	Close() error
}

// Retainer is implemented by sources that can keep packets' Data valid past the next call to
// Next, so a reader can hand them to other goroutines without copying them.
type Retainer interface {
	// Retain asks for Data to stay valid until released; false when the source cannot.
	Retain() bool
	// Release says that the data of packets whose Off is before upTo is no longer used.
	Release(upTo int64)
}

// FormatError says what is wrong with a capture file and where.
type FormatError struct {
	File   string
	Offset int64 // byte offset of the offending record or block in the (decompressed) file
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s: byte %d: %s", e.File, e.Offset, e.Msg)
}

// ErrUnknownFormat is returned by Open when the file is neither pcap nor pcapng.
var ErrUnknownFormat = errors.New("not a pcap or pcapng file")

// MaxRecord is the largest packet record accepted (a bigger captured length is corruption).
const MaxRecord = 256 * 1024

// MaxBlock is the largest pcapng block accepted.
const MaxBlock = 16 * 1024 * 1024

// Rereadable is implemented by sources whose packets can be read again after they have gone
// by: uncompressed capture files.
type Rereadable interface {
	// Store returns a handle that reads the source's bytes by offset, independent of the
	// source (it stays valid after the source is closed, until its own Close); false when
	// the source cannot be read again.
	Store() (Store, bool)
}

// Store reads bytes of a capture file again: ReadAt(b, p.DataOff) gives a packet's first
// len(b) bytes of Data. It is safe for concurrent use.
type Store interface {
	ReadAt(b []byte, off int64) error
	Close() error
}
