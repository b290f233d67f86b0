package sim

import (
	"encoding/json"
	"io"
	"net/netip"
	"sort"
	"time"
)

// Truth is what the simulated capture contains, for scoring what the sensor found.
type Truth struct {
	Profile     string    `json:"profile"`
	Seed        uint64    `json:"seed"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	LearningEnd time.Time `json:"learning_end"` // packet time at which learning stops
	Devices     []*Device `json:"devices"`
	Edges       []Edge    `json:"edges"`
	Events      []Event   `json:"events"`
	// Indicators are the IOC lists the detector must be configured with for dns_ioc.
	Indicators Indicators `json:"indicators"`
	// Skipped lists requested scenarios the profile had no devices for.
	Skipped []string `json:"skipped_scenarios,omitempty"`
}

// Indicators of compromise.
type Indicators struct {
	Domains []string `json:"domains"`
	IPs     []string `json:"ips"`
}

// Device is one simulated device with its true identity.
type Device struct {
	Name     string `json:"name"`
	Vendor   string `json:"vendor"`
	Model    string `json:"model"`
	Firmware string `json:"firmware,omitempty"`
	// FirmwareAfter is the firmware the device reports after a firmware_change scenario.
	FirmwareAfter string   `json:"firmware_after,omitempty"`
	Serial        string   `json:"serial,omitempty"`
	Type          string   `json:"type"`
	Purdue        int      `json:"purdue_level"`
	IPs           []string `json:"ips"`
	MACs          []string `json:"macs"`
	VLAN          uint16   `json:"vlan,omitempty"`
	Hostname      string   `json:"hostname,omitempty"`
	// Announces lists the protocols in which the device states its identity (vendor, model or
	// firmware); a sensor can only be expected to know those attributes from them.
	Announces []string `json:"announces,omitempty"`
	// Announced lists which of vendor, model, firmware and serial those protocols carry.
	Announced []string `json:"announced_attributes,omitempty"`
	// Scenario is set for devices that exist only because a scenario brought them in.
	Scenario string `json:"scenario,omitempty"`
	// Routed is true when the device is only ever seen behind the router (its MAC never
	// appears in the capture).
	Routed bool `json:"routed,omitempty"`
}

// Edge is one expected communication channel.
type Edge struct {
	Client    string `json:"client"`
	Server    string `json:"server"` // IP, or a MAC for layer-2 protocols
	Proto     string `json:"protocol"`
	Transport string `json:"transport"` // tcp, udp or l2
	Port      uint16 `json:"port,omitempty"`
	Scenario  string `json:"scenario,omitempty"` // set when only the scenario creates it
	OneWay    bool   `json:"one_way,omitempty"`
}

// Event is one injected scenario.
type Event struct {
	Scenario    string    `json:"scenario"`
	Description string    `json:"description"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Src         string    `json:"src,omitempty"`
	Dst         string    `json:"dst,omitempty"`
	// Alerts are the rule ids (internal/detect catalog) the detector must raise for this
	// event; empty with NoAlert set means the event must raise nothing.
	Alerts []string `json:"alerts"`
	// MayAlso are rule ids that are acceptable but not required (a detector design choice,
	// such as also reporting a new function code on the edge); anything else is a false
	// positive.
	MayAlso []string `json:"may_also,omitempty"`
	NoAlert bool     `json:"no_alert,omitempty"`
	// Weirds are the weird.log names the scenario's traffic causes by design (protocol
	// exceptions of a scan, ARP conflicts of a spoofing).
	Weirds []string `json:"expected_weirds,omitempty"`
	// Malformed is set when the scenario's traffic is malformed on purpose (parser weirds
	// are expected).
	Malformed bool `json:"malformed,omitempty"`
}

// WriteJSON writes the truth as indented JSON.
func (t *Truth) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

type edgeKey struct {
	client, server, proto, transport string
	port                             uint16
	scenario                         string
	oneWay                           bool
}

// edge records an expected edge once. During a scenario the scenario name is attached when
// the edge did not exist before.
func (s *sim) edge(client, server netip.Addr, proto, transport string, port uint16, scenario string) {
	s.edgeStr(client.String(), server.String(), proto, transport, port, scenario, false)
}

func (s *sim) edgeStr(client, server, proto, transport string, port uint16, scenario string, oneWay bool) {
	k := edgeKey{client: client, server: server, proto: proto, transport: transport, port: port}
	if s.edges[k] {
		return
	}
	if scenario == "" && s.now >= s.learn {
		// First seen after learning: only a scenario (or its follow-up) can have caused it.
		scenario = s.lastScenario
	}
	s.edges[k] = true
	k.scenario, k.oneWay = scenario, oneWay
	s.eorder = append(s.eorder, k)
}

func (s *sim) finishTruth() {
	t := s.truth
	for _, h := range s.hosts {
		if h.dev != nil && h.used {
			t.Devices = append(t.Devices, h.dev)
		}
	}
	for _, k := range s.eorder {
		t.Edges = append(t.Edges, Edge{Client: k.client, Server: k.server, Proto: k.proto, Transport: k.transport,
			Port: k.port, Scenario: k.scenario, OneWay: k.oneWay})
	}
	sort.SliceStable(t.Edges, func(i, j int) bool {
		a, b := t.Edges[i], t.Edges[j]
		if a.Proto != b.Proto {
			return a.Proto < b.Proto
		}
		if a.Client != b.Client {
			return a.Client < b.Client
		}
		return a.Server < b.Server
	})
	sort.SliceStable(t.Events, func(i, j int) bool { return t.Events[i].Start.Before(t.Events[j].Start) })
	if t.Events == nil {
		t.Events = []Event{}
	}
	if t.Indicators.Domains == nil {
		t.Indicators.Domains = []string{}
	}
	if t.Indicators.IPs == nil {
		t.Indicators.IPs = []string{}
	}
}
