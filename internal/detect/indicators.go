package detect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// Indicators are addresses and names of known-bad infrastructure.
type Indicators struct {
	IPs      map[netip.Addr]string // value → source (file or STIX indicator name)
	Prefixes []netip.Prefix
	Domains  map[string]string
}

// ParseIndicators reads a plain list (one IP, CIDR or domain per line, # comments) or a STIX
// 2.1 bundle (indicator objects with ipv4-addr, ipv6-addr or domain-name patterns).
func ParseIndicators(name string, data []byte) (*Indicators, error) {
	ind := &Indicators{IPs: map[netip.Addr]string{}, Domains: map[string]string{}}
	trim := bytes.TrimSpace(data)
	if len(trim) > 0 && trim[0] == '{' {
		return ind, ind.parseSTIX(name, trim)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		if s == "" {
			continue
		}
		if err := ind.add(s, fmt.Sprintf("%s:%d", name, line)); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, line, err)
		}
	}
	return ind, sc.Err()
}

var domainRE = regexp.MustCompile(`^(?i)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)+\.?$`)

func (ind *Indicators) add(s, src string) error {
	if a, err := netip.ParseAddr(s); err == nil {
		ind.IPs[a.Unmap()] = src
		return nil
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		ind.Prefixes = append(ind.Prefixes, p.Masked())
		return nil
	}
	if domainRE.MatchString(s) {
		ind.Domains[strings.ToLower(strings.TrimSuffix(s, "."))] = src
		return nil
	}
	return fmt.Errorf("%q is not an IP address, CIDR prefix or domain name", s)
}

var stixRE = regexp.MustCompile(`(ipv4-addr|ipv6-addr|domain-name):value\s*=\s*'([^']+)'`)

func (ind *Indicators) parseSTIX(name string, data []byte) error {
	var bundle struct {
		Type    string `json:"type"`
		Objects []struct {
			Type        string `json:"type"`
			Name        string `json:"name"`
			ID          string `json:"id"`
			Pattern     string `json:"pattern"`
			PatternType string `json:"pattern_type"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(data, &bundle); err != nil {
		return fmt.Errorf("%s: STIX bundle: %w", name, err)
	}
	if bundle.Type != "bundle" {
		return fmt.Errorf("%s: STIX: type %q, want bundle", name, bundle.Type)
	}
	for _, o := range bundle.Objects {
		if o.Type != "indicator" || (o.PatternType != "" && o.PatternType != "stix") {
			continue
		}
		src := o.Name
		if src == "" {
			src = o.ID
		}
		for _, m := range stixRE.FindAllStringSubmatch(o.Pattern, -1) {
			if err := ind.add(m[2], src); err != nil {
				return fmt.Errorf("%s: indicator %s: %w", name, o.ID, err)
			}
		}
	}
	return nil
}

// MatchIP reports the indicator source matching a, if any.
func (ind *Indicators) MatchIP(a netip.Addr) (string, bool) {
	if ind == nil || !a.IsValid() {
		return "", false
	}
	if s, ok := ind.IPs[a.Unmap()]; ok {
		return s, true
	}
	for _, p := range ind.Prefixes {
		if p.Contains(a) {
			return p.String(), true
		}
	}
	return "", false
}

// MatchDomain reports whether name or one of its parent domains is listed.
func (ind *Indicators) MatchDomain(name string) (string, bool) {
	if ind == nil {
		return "", false
	}
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	for n != "" {
		if s, ok := ind.Domains[n]; ok {
			return s, true
		}
		i := strings.IndexByte(n, '.')
		if i < 0 {
			break
		}
		n = n[i+1:]
	}
	return "", false
}
