package capture

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket/afpacket"
	"golang.org/x/net/bpf"
)

// LiveConfig opens AF_PACKET sockets on monitoring interfaces.
type LiveConfig struct {
	Iface   string
	BPF     []bpf.RawInstruction // compiled filter, nil for none
	Fanout  uint16               // fanout group id, shared by every socket of one sensor
	Sockets int                  // sockets in the fanout group (one per worker)
	RingMiB int                  // ring size per socket (default 64 MiB)
}

// liveSource is a TPACKET_V3 ring on one interface. It is receive-only: nothing here (or
// anywhere in Quietwire) writes to the socket.
type liveSource struct {
	tp    *afpacket.TPacket
	iface string
	idx   int
}

// OpenLive opens cfg.Sockets receive-only AF_PACKET sockets on cfg.Iface, joined in one
// fanout group by flow hash (with defragmentation) when there is more than one.
func OpenLive(cfg LiveConfig) ([]Source, error) {
	if cfg.Sockets <= 0 {
		cfg.Sockets = 1
	}
	if cfg.RingMiB <= 0 {
		cfg.RingMiB = 64
	}
	if _, err := net.InterfaceByName(cfg.Iface); err != nil {
		return nil, fmt.Errorf("capture: interface %q: %w", cfg.Iface, err)
	}
	const block = 1 << 20
	var out []Source
	for i := 0; i < cfg.Sockets; i++ {
		tp, err := afpacket.NewTPacket(
			afpacket.OptInterface(cfg.Iface),
			afpacket.OptTPacketVersion(afpacket.TPacketVersion3),
			afpacket.OptFrameSize(1<<16),
			afpacket.OptBlockSize(block),
			afpacket.OptNumBlocks(cfg.RingMiB),
			afpacket.OptBlockTimeout(10*time.Millisecond),
			afpacket.OptPollTimeout(200*time.Millisecond),
			afpacket.OptAddVLANHeader(true),
		)
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("capture: AF_PACKET on %s: %w", cfg.Iface, err)
		}
		if err := tp.SetPromiscuous(true); err != nil {
			tp.Close()
			closeAll(out)
			return nil, fmt.Errorf("capture: promiscuous mode on %s: %w", cfg.Iface, err)
		}
		if cfg.BPF != nil {
			if err := tp.SetBPF(cfg.BPF); err != nil {
				tp.Close()
				closeAll(out)
				return nil, fmt.Errorf("capture: BPF on %s: %w", cfg.Iface, err)
			}
		}
		if cfg.Sockets > 1 {
			if err := tp.SetFanout(afpacket.FanoutHash|afpacket.FanoutHashWithDefrag, cfg.Fanout); err != nil {
				tp.Close()
				closeAll(out)
				return nil, fmt.Errorf("capture: fanout on %s: %w", cfg.Iface, err)
			}
		}
		out = append(out, &liveSource{tp: tp, iface: cfg.Iface, idx: i})
	}
	return out, nil
}

func closeAll(s []Source) {
	for _, x := range s {
		x.Close()
	}
}

// ErrClosed is returned by a live source after Close.
var ErrClosed = errors.New("capture: source closed")

// Next returns the next frame. On a poll timeout it returns a tick: a Packet with nil Data
// and TS set to the wall clock, so the pipeline can expire flows and flush logs while the
// wire is quiet (the live source is the one place allowed to read the wall clock).
func (s *liveSource) Next(p *Packet) error {
	data, ci, err := s.tp.ZeroCopyReadPacketData()
	if err != nil {
		if errors.Is(err, afpacket.ErrTimeout) {
			*p = Packet{TS: time.Now().UnixNano()}
			return nil
		}
		if errors.Is(err, afpacket.ErrPoll) || strings.Contains(err.Error(), "bad file descriptor") {
			return ErrClosed
		}
		return fmt.Errorf("capture: reading %s: %w", s.iface, err)
	}
	p.TS = ci.Timestamp.UnixNano()
	p.Data = data
	p.WireLen = ci.Length
	p.LinkType = LinkEthernet
	p.Iface = 0
	return nil
}

func (s *liveSource) Close() error {
	s.tp.Close()
	return nil
}

// Drops returns the kernel's drop counter for this socket (since the last call).
func (s *liveSource) Drops() uint64 {
	_, st, err := s.tp.SocketStats()
	if err != nil {
		return 0
	}
	return uint64(st.Drops())
}

// IfaceAddrs returns the IP addresses configured on iface. A monitoring interface should
// have none: an address invites the kernel to answer on the monitored segment.
func IfaceAddrs(iface string) ([]string, error) {
	ifc, err := net.InterfaceByName(iface)
	if err != nil {
		return nil, err
	}
	as, err := ifc.Addrs()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range as {
		out = append(out, a.String())
	}
	return out, nil
}

// TxPackets reads the interface's transmit counter from sysfs. The sensor watches it: it must
// never move on a monitoring interface.
func TxPackets(iface string) (uint64, error) {
	b, err := os.ReadFile("/sys/class/net/" + iface + "/statistics/tx_packets")
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}
