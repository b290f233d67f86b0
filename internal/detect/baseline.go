package detect

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Baseline is what normal looks like for a site: devices, edges, and per edge the commands
// and operational events seen while learning. It is data: exported, diffed, reviewed and
// imported as a JSON file (JSON is YAML too).
type Baseline struct {
	Version int    `json:"version"`
	Site    string `json:"site"`
	// Started is the packet time learning began; LearnUntil the packet time it ends. Once
	// Operational is set (end of a --learn run, or the period elapsed) the site detects.
	Started     int64               `json:"started"`
	LearnUntil  int64               `json:"learn_until"`
	Operational bool                `json:"operational"`
	Devices     map[string]*BDevice `json:"devices"`
	Edges       map[string]*BEdge   `json:"edges"`
	// MACs seen on the local segment (senders of frames), for L2-only newcomers.
	MACs map[string]bool `json:"macs,omitempty"`
}

// BDevice is a known device, by address (IP, or MAC for L2-only devices).
type BDevice struct {
	First      int64  `json:"first_seen"`
	LearnUntil int64  `json:"learn_until,omitempty"` // own window for devices found after learning
	Firmware   string `json:"firmware,omitempty"`
	LLDP       string `json:"lldp,omitempty"`
}

// BEdge is a known (client, server, protocol, port) with what was allowed on it.
type BEdge struct {
	Client   string   `json:"client"`
	Server   string   `json:"server"`
	Proto    string   `json:"protocol"`
	Port     uint16   `json:"port"`
	Commands []string `json:"commands,omitempty"`
	Events   []string `json:"events,omitempty"` // program_download, config_write, … allowed on this edge
	PeriodS  float64  `json:"period_s,omitempty"`
	// PeriodN is how many intervals between connections the learned period averages.
	PeriodN int `json:"period_n,omitempty"`
	// PeriodM2 is the running sum of squared deviations (Welford): the cycle's jitter.
	PeriodM2 float64 `json:"period_m2,omitempty"`
	// MaxWritesPerMin is the busiest minute of writes seen while learning.
	MaxWritesPerMin int `json:"max_writes_per_min,omitempty"`

	runStart int64 // start of the edge's latest connection in this run (not stored)
}

// NewBaseline returns an empty baseline in learning mode.
func NewBaseline(site string) *Baseline {
	return &Baseline{Version: 1, Site: site, Devices: map[string]*BDevice{}, Edges: map[string]*BEdge{}}
}

func edgeKey(client, server, proto string, port uint16) string {
	return string(appendEdgeKey(nil, client, server, proto, port))
}

// appendEdgeKey appends edgeKey's text to b, for map lookups that allocate nothing.
func appendEdgeKey(b []byte, client, server, proto string, port uint16) []byte {
	b = append(b, client...)
	b = append(b, '|')
	b = append(b, server...)
	b = append(b, '|')
	b = append(b, proto...)
	b = append(b, '|')
	return strconv.AppendUint(b, uint64(port), 10)
}

func (e *BEdge) hasCommand(c string) bool { return hasStr(e.Commands, c) }
func (e *BEdge) hasEvent(c string) bool   { return hasStr(e.Events, c) }

func hasStr(s []string, v string) bool {
	i := sort.SearchStrings(s, v)
	return i < len(s) && s[i] == v
}

func addSorted(s []string, v string) []string {
	i := sort.SearchStrings(s, v)
	if i < len(s) && s[i] == v {
		return s
	}
	s = append(s, "")
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

// MarshalIndent writes the baseline as a reviewable, stable JSON document.
func (b *Baseline) MarshalIndent() ([]byte, error) { return json.MarshalIndent(b, "", "  ") }

// ParseBaseline reads a baseline file and checks it.
func ParseBaseline(data []byte) (*Baseline, error) {
	var b Baseline
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	if b.Version != 1 {
		return nil, fmt.Errorf("baseline: version %d, this binary reads version 1", b.Version)
	}
	if b.Site == "" {
		return nil, fmt.Errorf("baseline: no site")
	}
	if b.Devices == nil {
		b.Devices = map[string]*BDevice{}
	}
	if b.Edges == nil {
		b.Edges = map[string]*BEdge{}
	}
	for k, e := range b.Edges {
		if e == nil || e.Client == "" || e.Server == "" || e.Proto == "" {
			return nil, fmt.Errorf("baseline: edge %q incomplete", k)
		}
		if want := edgeKey(e.Client, e.Server, e.Proto, e.Port); k != want {
			return nil, fmt.Errorf("baseline: edge key %q does not match its fields (%q)", k, want)
		}
		sort.Strings(e.Commands)
		sort.Strings(e.Events)
	}
	return &b, nil
}

// Diff lists what b has that a lacks and the other way round, one line per difference.
func Diff(a, b *Baseline) []string {
	var out []string
	for k := range b.Devices {
		if a.Devices[k] == nil {
			out = append(out, "+ device "+k)
		}
	}
	for k := range a.Devices {
		if b.Devices[k] == nil {
			out = append(out, "- device "+k)
		}
	}
	for k, eb := range b.Edges {
		ea := a.Edges[k]
		if ea == nil {
			out = append(out, "+ edge "+k)
			continue
		}
		for _, c := range eb.Commands {
			if !ea.hasCommand(c) {
				out = append(out, "+ command "+k+" "+c)
			}
		}
		for _, c := range ea.Commands {
			if !eb.hasCommand(c) {
				out = append(out, "- command "+k+" "+c)
			}
		}
		for _, c := range eb.Events {
			if !ea.hasEvent(c) {
				out = append(out, "+ event "+k+" "+c)
			}
		}
	}
	for k := range a.Edges {
		if b.Edges[k] == nil {
			out = append(out, "- edge "+k)
		}
	}
	sort.Strings(out)
	return out
}
