package arp

import (
	"net/netip"
	"sync"
)

// The binding table belongs to the engine run (Env.Shared): one pseudo-flow is one (source
// MAC, destination MAC) pair, so two devices claiming one IP never meet in the same parser.
// It maps (VLAN, IP) to the last MAC that claimed it in an ARP request or reply, and is shared
// by every worker under one mutex (ARP is a few frames per second per host: contention is
// negligible). Two runs in one process (tests, a looping demo) do not see each other's.
//
// Bounds and ageing, in packet time:
//   - at most maxBindings entries; when full, new IPs are not tracked (arp_binding_table_full
//     is reported once per process) while known IPs keep being checked;
//   - a binding unused for bindingMaxAge (or newer than the packet: time went backwards, as
//     when several captures are replayed in one process) is replaced silently, so a DHCP
//     lease handed to another device hours later is not a conflict;
//   - a conflict on one IP is reported at most once per reportEvery, so two devices fighting
//     over an address do not flood weird.log.
const (
	maxBindings   = 65536
	bindingMaxAge = int64(4 * 3600e9)
	reportEvery   = int64(60e9)
)

type bindKey struct {
	vlan uint16
	ip   netip.Addr
}

type binding struct {
	mac      [6]byte
	last     int64 // packet time of the last claim
	reported int64 // packet time of the last report, 0 if never
}

// claim results.
type claimResult uint8

const (
	claimOK       claimResult = iota
	claimConflict             // another MAC holds the IP
	claimFull                 // the table just became full
)

type bindingTable struct {
	sync.Mutex
	m    map[bindKey]binding
	full bool
}

func newBindingTable() any { return &bindingTable{m: make(map[bindKey]binding)} }

// claim records that mac claims ip on vlan at ts. On a conflict it returns the MAC that held
// the IP before. It does not allocate once the IP is known.
func (bindings *bindingTable) claim(vlan uint16, ip netip.Addr, mac [6]byte, ts int64) (claimResult, [6]byte) {
	k := bindKey{vlan, ip}
	bindings.Lock()
	defer bindings.Unlock()
	e, ok := bindings.m[k]
	if !ok {
		if len(bindings.m) >= maxBindings {
			if !bindings.full {
				bindings.full = true
				return claimFull, [6]byte{}
			}
			return claimOK, [6]byte{}
		}
		bindings.m[k] = binding{mac: mac, last: ts}
		return claimOK, [6]byte{}
	}
	if e.mac == mac {
		e.last = ts
		bindings.m[k] = e
		return claimOK, [6]byte{}
	}
	old := e.mac
	stale := ts < e.last || ts-e.last > bindingMaxAge
	e.mac, e.last = mac, ts
	if stale || (e.reported != 0 && ts >= e.reported && ts-e.reported < reportEvery) {
		bindings.m[k] = e
		return claimOK, [6]byte{}
	}
	e.reported = ts
	bindings.m[k] = e
	return claimConflict, old
}
