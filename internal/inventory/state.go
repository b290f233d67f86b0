package inventory

import (
	"maps"
	"net/netip"
	"slices"
)

// State is the inventory's raw observations, for persistence. Devices are assembled from it.
type State struct {
	Endpoints []EndpointState              `json:"endpoints"`
	MACs      []MACState                   `json:"macs"`
	Edges     []EdgeState                  `json:"edges"`
	Users     map[string]map[string]string `json:"users,omitempty"`
}

// EndpointState is one endpoint with its observations.
type EndpointState struct {
	Key string `json:"key"` // ip or mac
	Endpoint
	PeerList []netip.Addr `json:"peer_list,omitempty"`
}

// MACState is the IPs seen behind one MAC.
type MACState struct {
	MAC   [6]byte              `json:"mac"`
	IPs   map[netip.Addr]int64 `json:"ips"`
	First int64                `json:"first"`
	Last  int64                `json:"last"`
}

// EdgeState is one edge.
type EdgeState struct {
	ClientIP  netip.Addr `json:"client_ip"`
	ClientMAC [6]byte    `json:"client_mac"`
	ServerIP  netip.Addr `json:"server_ip"`
	ServerMAC [6]byte    `json:"server_mac"`
	Proto     string     `json:"proto"`
	Port      uint16     `json:"port"`
	Transport uint8      `json:"transport"`
	Edge
	LastStart int64   `json:"last_start"`
	Intervals uint64  `json:"intervals"`
	MeanIv    float64 `json:"mean_iv"`
	M2Iv      float64 `json:"m2_iv"`
}

// Export copies the inventory's state.
func (inv *Inventory) Export() *State {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	st := &State{Users: map[string]map[string]string{}}
	// The state is a deep copy: it is saved (marshalled) after the lock is released while the
	// workers go on updating the inventory's maps and slices.
	for k, e := range inv.eps {
		es := EndpointState{Key: addrOf(k), Endpoint: e.clone()}
		for p := range e.Peers {
			es.PeerList = append(es.PeerList, p)
		}
		st.Endpoints = append(st.Endpoints, es)
	}
	for m, mi := range inv.macIPs {
		st.MACs = append(st.MACs, MACState{MAC: m, IPs: maps.Clone(mi.ips), First: mi.first, Last: mi.last})
	}
	for k, ed := range inv.edges {
		e := *ed
		e.Commands = maps.Clone(ed.Commands)
		st.Edges = append(st.Edges, EdgeState{ClientIP: k.Client.ip, ClientMAC: k.Client.mac, ServerIP: k.Server.ip, ServerMAC: k.Server.mac,
			Proto: k.Proto, Port: k.Port, Transport: k.Transport, Edge: e,
			LastStart: ed.lastStart, Intervals: ed.intervals, MeanIv: ed.meanIv, M2Iv: ed.m2Iv})
	}
	for id, m := range inv.users {
		c := map[string]string{}
		for k, v := range m {
			c[k] = v
		}
		st.Users[id] = c
	}
	return st
}

// Import merges a saved state into the inventory (observations accumulate).
func (inv *Inventory) Import(st *State) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	for i := range st.Endpoints {
		es := &st.Endpoints[i]
		e := es.Endpoint
		if e.Attrs == nil {
			e.Attrs = map[string]*Attr{}
		}
		if len(es.PeerList) > 0 {
			e.Peers = map[netip.Addr]bool{}
			for _, p := range es.PeerList {
				e.Peers[p] = true
			}
		}
		k := epKey{ip: e.IP, mac: e.MAC}
		if cur := inv.eps[k]; cur != nil {
			for name, a := range e.Attrs {
				if cur.Attrs[name] == nil {
					cur.Attrs[name] = a
				}
			}
			continue
		}
		ep := e
		inv.eps[k] = &ep
	}
	for _, ms := range st.MACs {
		if inv.macIPs[ms.MAC] == nil {
			ips := ms.IPs
			if ips == nil {
				ips = map[netip.Addr]int64{}
			}
			inv.macIPs[ms.MAC] = &macInfo{ips: ips, first: ms.First, last: ms.Last}
		}
	}
	for _, es := range st.Edges {
		k := EdgeKey{Client: epKey{ip: es.ClientIP, mac: es.ClientMAC}, Server: epKey{ip: es.ServerIP, mac: es.ServerMAC},
			Proto: es.Proto, Port: es.Port, Transport: es.Transport}
		if inv.edges[k] != nil {
			continue
		}
		ed := es.Edge
		ed.lastStart, ed.intervals, ed.meanIv, ed.m2Iv = es.LastStart, es.Intervals, es.MeanIv, es.M2Iv
		if ed.Commands == nil {
			ed.Commands = map[string]uint64{}
		}
		inv.edges[k] = &ed
	}
	for id, m := range st.Users {
		if inv.users[id] == nil {
			inv.users[id] = map[string]string{}
		}
		for k, v := range m {
			inv.users[id][k] = v
		}
	}
}

// Prune forgets endpoints and edges last seen before ts (retention), and the MAC bindings
// older than it. It returns how many endpoints and edges it removed.
func (inv *Inventory) Prune(ts int64) (endpoints, edges int) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	for k, e := range inv.eps {
		if e.Last < ts {
			delete(inv.eps, k)
			endpoints++
		}
	}
	for k, e := range inv.edges {
		if e.Last < ts {
			delete(inv.edges, k)
			edges++
		}
	}
	for m, mi := range inv.macIPs {
		for ip, last := range mi.ips {
			if last < ts {
				delete(mi.ips, ip)
			}
		}
		if len(mi.ips) == 0 && mi.last < ts {
			delete(inv.macIPs, m)
		}
	}
	return endpoints, edges
}

// Latest returns the newest packet time the inventory has seen (the site's own clock, for
// retention of captures analysed long after they were taken).
func (inv *Inventory) Latest() int64 {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	var t int64
	for _, e := range inv.eps {
		t = max(t, e.Last)
	}
	return t
}

// clone copies an endpoint with its own maps and slices (Peers left out: Export lists them).
func (e *Endpoint) clone() Endpoint {
	c := *e
	c.MACs, c.VLANs, c.Claimed = slices.Clone(e.MACs), slices.Clone(e.VLANs), slices.Clone(e.Claimed)
	c.Roles, c.Events, c.Peers = maps.Clone(e.Roles), maps.Clone(e.Events), nil
	if e.Attrs != nil {
		c.Attrs = make(map[string]*Attr, len(e.Attrs))
		for k, a := range e.Attrs {
			ac := *a
			ac.History = slices.Clone(a.History)
			c.Attrs[k] = &ac
		}
	}
	return c
}
