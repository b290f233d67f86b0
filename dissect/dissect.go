// Package dissect is the contract between the flow engine and the protocol dissectors.
//
// A dissector is one package under dissect/ that registers a Factory from init(). The engine
// (internal/engine) offers each new flow to the factories whose transport matches, port-hinted
// ones first; a factory's Probe looks at the first bytes of a direction and decides. Once a
// factory matches, the engine builds its Parser with an Env for that flow and feeds it:
//
//   - TCP: each direction's reassembled bytes, in order. Parse returns how many bytes it used;
//     the engine keeps the rest (bounded) and hands it back with the next bytes. A hole in the
//     stream becomes Gap(dir, n): the parser must resynchronise before trusting data again.
//   - UDP: one datagram per Parse call (n is ignored, the datagram is never re-offered).
//   - Ether: one frame payload (after the Ethertype / LLC header) per Parse call.
//
// Parsers never build devices or alerts. They emit log records (Zeek/ICSNPP names), facts about
// the two endpoints, operational events and named anomalies, all through their Env.
package dissect

import (
	"fmt"
	"sort"
	"sync"
)

// Dir is the direction of bytes within a flow: from the flow's originator or from its responder.
// Roles (client/server, master/outstation) come from the protocol, not from Dir.
type Dir uint8

const (
	Orig Dir = 0 // sent by the flow originator (the endpoint whose first packet the engine saw)
	Resp Dir = 1 // sent by the responder
)

// Flip returns the other direction.
func (d Dir) Flip() Dir { return d ^ 1 }

func (d Dir) String() string {
	if d == Orig {
		return "orig"
	}
	return "resp"
}

// Transport says what a factory's parser is fed.
type Transport uint8

const (
	TCP   Transport = 1 << iota // reassembled byte streams
	UDP                         // one datagram per Parse
	Ether                       // one L2 frame payload per Parse, selected by Ethertype
)

// Verdict is a Probe's answer.
type Verdict uint8

const (
	NeedMore Verdict = iota // cannot tell yet: offer more bytes (up to ProbeDepth)
	Match                   // this is the protocol: attach the parser
	NoMatch                 // not this protocol: never ask again on this flow
)

// ProbeDepth is how many leading bytes per direction the engine buffers while no probe has
// decided. A probe that still answers NeedMore past it counts as NoMatch.
const ProbeDepth = 512

// Parser consumes one flow's traffic for one protocol. It is not safe for concurrent use: only
// the worker owning the flow calls it. b is only valid during the call: copy what you keep.
type Parser interface {
	// Parse consumes whole PDUs from b and returns how many bytes it used; n < len(b) with a
	// nil error means "need more" (TCP only). A non-nil error means "stop parsing this flow".
	// Malformed traffic is not an error: report it with Env.Weird and carry on where possible.
	Parse(dir Dir, b []byte) (n int, err error)
	// Gap reports that lost bytes are missing from dir's stream (TCP only).
	Gap(dir Dir, lost int)
	// Close is called once at the end of the flow (FIN/RST, idle timeout, end of capture):
	// flush or expire pending transactions.
	Close()
}

// Factory describes one dissector. Register it from the package's init().
type Factory struct {
	Name       string    // package name: "modbus"; conn.log service, summary counter
	Transport  Transport // bit set: TCP|UDP for protocols carried over both
	Ports      []uint16  // hints only: port-hinted factories are probed first
	Ethertypes []uint16  // for Ether transport
	// LLCSAPs and SNAP select 802.3 frames (length field instead of an Ethertype) for Ether
	// transport: by LLC DSAP (0x82 BACnet/Ethernet, 0x42 STP…), or for SNAP (DSAP 0xAA) by
	// OUI<<16 | protocol id (0x00000c2000 CDP). Parse then gets the bytes after the LLC/SNAP
	// header.
	LLCSAPs []uint8
	SNAP    []uint64
	// PortOnly: the factory is only offered flows on one of its Ports (for protocols without a
	// reliable content signature). Probe must still not return Match on garbage.
	PortOnly bool
	// Probe looks at the first bytes seen in dir and decides. It must not retain b.
	Probe func(dir Dir, b []byte) Verdict
	// New builds the per-flow parser.
	New func(env *Env) Parser
	// Logs lists the log names the parser may write (documentation and architecture tests).
	Logs []string
}

var (
	regMu    sync.Mutex
	registry = map[string]*Factory{}
	sorted   []*Factory
)

// Register adds a factory. It panics on a duplicate or incomplete factory; call it only from
// init().
func Register(f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	if f.Name == "" || f.Probe == nil || f.New == nil || f.Transport == 0 {
		panic(fmt.Sprintf("dissect: incomplete factory %q", f.Name))
	}
	if _, dup := registry[f.Name]; dup {
		panic("dissect: duplicate factory " + f.Name)
	}
	fp := &f
	registry[f.Name] = fp
	sorted = append(sorted, fp)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
}

// Factories returns the registered factories sorted by name. The slice is shared: do not modify.
func Factories() []*Factory {
	regMu.Lock()
	defer regMu.Unlock()
	return sorted
}

// Lookup returns the factory registered under name, or nil.
func Lookup(name string) *Factory {
	regMu.Lock()
	defer regMu.Unlock()
	return registry[name]
}
