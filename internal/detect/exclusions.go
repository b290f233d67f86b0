package detect

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Exclusion suppresses alerts: during a maintenance window, for some devices, protocols or
// rules. Every listed condition must hold; an empty list matches everything.
type Exclusion struct {
	Name      string    `json:"name"`
	Rules     []string  `json:"rules,omitempty"`     // rule ids or titles
	Devices   []string  `json:"devices,omitempty"`   // IPs, CIDR prefixes or MACs, matched against source or destination
	Protocols []string  `json:"protocols,omitempty"` // dissector names (modbus, s7comm…)
	From      time.Time `json:"from,omitempty"`      // maintenance window (packet time), inclusive
	To        time.Time `json:"to,omitempty"`

	prefixes []netip.Prefix
}

// ParseExclusions reads {"exclusions": [...]} and checks every entry.
func ParseExclusions(name string, data []byte) ([]*Exclusion, error) {
	var doc struct {
		Exclusions []*Exclusion `json:"exclusions"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i, x := range doc.Exclusions {
		where := fmt.Sprintf("%s: exclusion %d (%q)", name, i+1, x.Name)
		if x.Name == "" {
			return nil, fmt.Errorf("%s: no name", where)
		}
		for _, r := range x.Rules {
			if RuleByID(r) == nil && ruleByTitle(r) == nil {
				return nil, fmt.Errorf("%s: unknown rule %q", where, r)
			}
		}
		for _, d := range x.Devices {
			if p, err := netip.ParsePrefix(d); err == nil {
				x.prefixes = append(x.prefixes, p.Masked())
			} else if a, err := netip.ParseAddr(d); err == nil {
				x.prefixes = append(x.prefixes, netip.PrefixFrom(a, a.BitLen()))
			} else if len(d) != 17 || strings.Count(d, ":") != 5 {
				return nil, fmt.Errorf("%s: device %q is not an IP, prefix or MAC", where, d)
			}
		}
		if !x.From.IsZero() && !x.To.IsZero() && x.To.Before(x.From) {
			return nil, fmt.Errorf("%s: window ends before it starts", where)
		}
	}
	return doc.Exclusions, nil
}

func ruleByTitle(t string) *Rule {
	for _, r := range Catalog {
		if strings.EqualFold(r.Title, t) {
			return r
		}
	}
	return nil
}

func (x *Exclusion) matches(rule *Rule, src, dst, proto string, ts int64) bool {
	if len(x.Rules) > 0 {
		ok := false
		for _, r := range x.Rules {
			ok = ok || r == rule.ID || strings.EqualFold(r, rule.Title)
		}
		if !ok {
			return false
		}
	}
	if len(x.Protocols) > 0 {
		ok := false
		for _, p := range x.Protocols {
			ok = ok || strings.EqualFold(p, proto)
		}
		if !ok {
			return false
		}
	}
	if len(x.Devices) > 0 && !x.device(src) && !x.device(dst) {
		return false
	}
	if !x.From.IsZero() && ts < x.From.UnixNano() {
		return false
	}
	if !x.To.IsZero() && ts > x.To.UnixNano() {
		return false
	}
	return true
}

func (x *Exclusion) device(addr string) bool {
	if addr == "" {
		return false
	}
	if a, err := netip.ParseAddr(addr); err == nil {
		for _, p := range x.prefixes {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	for _, d := range x.Devices {
		if strings.EqualFold(d, addr) {
			return true
		}
	}
	return false
}
