package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/inventory"
	"github.com/quietwire/quietwire/internal/store"
)

// The service methods below are shared by the REST handlers and the web UI: they apply the
// caller's role and sites, then call the backend.

// hiddenErr is the 404 for an object of a site the caller may not see. It is audited as a
// failed authorization, and looks exactly like a missing object to the caller.
func hiddenErr(what string) *Error {
	e := notFound(what)
	e.hidden = true
	return e
}

// Sites returns the sites the caller may see.
func (s *Server) Sites(ctx context.Context, p *Principal) ([]string, error) {
	all, err := s.b.Sites(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, x := range all {
		if p.CanSee(x) {
			out = append(out, x)
		}
	}
	return out, nil
}

// siteList resolves a site filter: "" means every visible site; a site the caller may not
// see yields none (not an error: lists filter silently).
func (s *Server) siteList(ctx context.Context, p *Principal, site string) ([]string, error) {
	vis, err := s.Sites(ctx, p)
	if err != nil {
		return nil, err
	}
	if site == "" {
		return vis, nil
	}
	if slices.Contains(vis, site) || (p.CanSee(site) && validSite(site)) {
		return []string{site}, nil
	}
	return nil, nil
}

func validSite(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// DeviceRow is a device as listed in the inventory: Defender's device inventory columns.
type DeviceRow struct {
	ID         string   `json:"id"`
	Site       string   `json:"site"`
	Name       string   `json:"name"`
	IPs        []string `json:"ips"`
	MACs       []string `json:"macs"`
	VLANs      []uint16 `json:"vlans,omitempty"`
	Vendor     string   `json:"vendor"`
	Model      string   `json:"model"`
	Firmware   string   `json:"firmware"`
	Serial     string   `json:"serial"`
	Type       string   `json:"device_type"`
	Class      string   `json:"class"`
	Purdue     string   `json:"purdue_level"`
	Zone       string   `json:"zone"`
	Protocols  []string `json:"protocols"`
	Authorized bool     `json:"authorized"`
	Notes      string   `json:"notes"`
	Tags       []string `json:"tags"`
	Flags      []string `json:"flags"`
	Routed     bool     `json:"routed"`
	PLCMode    string   `json:"plc_mode"`
	FirstSeen  int64    `json:"first_seen"`
	LastSeen   int64    `json:"last_seen"`
	Packets    uint64   `json:"packets"`
	Bytes      uint64   `json:"bytes"`
	OpenAlerts int      `json:"open_alerts"`
}

func rowOf(d *inventory.Device) *DeviceRow {
	r := &DeviceRow{ID: d.ID, Site: d.Site, IPs: nonNil(d.IPs), MACs: nonNil(d.MACs), VLANs: d.VLANs,
		Vendor: d.Get(dissect.AttrVendor), Model: d.Get(dissect.AttrModel), Firmware: d.Get(dissect.AttrFirmware),
		Serial: d.Get(dissect.AttrSerial), Type: d.Type, Class: d.Class, Purdue: d.Purdue, Zone: d.User["zone"],
		Protocols: nonNil(d.Protocols), Authorized: d.User["authorized"] == "true", Notes: d.User["notes"],
		Flags: nonNil(d.Flags), Routed: d.Routed, PLCMode: d.Get(dissect.AttrPLCMode), FirstSeen: d.First, LastSeen: d.Last,
		Packets: d.Packets, Bytes: d.Bytes, Tags: []string{}}
	if t := d.User["tags"]; t != "" {
		for _, x := range strings.Split(t, ",") {
			if x = strings.TrimSpace(x); x != "" {
				r.Tags = append(r.Tags, x)
			}
		}
	}
	r.Name = d.User["name"]
	if r.Name == "" {
		r.Name = d.Get(dissect.AttrName)
	}
	if r.Name == "" {
		r.Name = d.Get(dissect.AttrHostname)
	}
	if r.Name == "" && len(d.IPs) > 0 {
		r.Name = d.IPs[0]
	}
	if r.Name == "" && len(d.MACs) > 0 {
		r.Name = d.MACs[0]
	}
	if r.Zone == "" && len(d.VLANs) > 0 {
		r.Zone = fmt.Sprintf("VLAN %d", d.VLANs[0])
	}
	return r
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// DeviceQuery filters, sorts and pages the inventory.
type DeviceQuery struct {
	Site, Type, Vendor, Purdue, Protocol, Q string
	Sort                                    string // name, ip, type, vendor, model, purdue, first_seen, last_seen, alerts
	Desc                                    bool
	Limit, Offset                           int
}

// Page is one page of a list.
type Page[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

var deviceSorts = []string{"name", "ip", "type", "vendor", "model", "purdue", "first_seen", "last_seen", "alerts", "site"}

// world is everything one request needs, loaded once.
type world struct {
	snaps  []*inventory.Snapshot
	alerts []*detect.Alert
}

func (s *Server) load(ctx context.Context, p *Principal, site string, withAlerts bool) (*world, error) {
	sites, err := s.siteList(ctx, p, site)
	if err != nil {
		return nil, err
	}
	w := &world{}
	for _, x := range sites {
		snap, err := s.b.Inventory(ctx, x)
		if err != nil {
			return nil, err
		}
		w.snaps = append(w.snaps, snap)
		if withAlerts {
			as, err := s.b.Alerts(ctx, x)
			if err != nil {
				return nil, err
			}
			w.alerts = append(w.alerts, as...)
		}
	}
	return w, nil
}

func open(a *detect.Alert) bool {
	return a.Status == detect.StatusNew || a.Status == detect.StatusActive
}

// deviceAddrs maps "site|addr" to the device, for matching alerts to devices.
func (w *world) byAddr() map[string]*inventory.Device {
	m := map[string]*inventory.Device{}
	for _, sn := range w.snaps {
		for _, d := range sn.Devices {
			for _, a := range d.IPs {
				m[sn.Site+"|"+a] = d
			}
			for _, a := range d.MACs {
				m[sn.Site+"|"+a] = d
			}
		}
	}
	return m
}

// Devices lists devices.
func (s *Server) Devices(ctx context.Context, p *Principal, q DeviceQuery) (*Page[*DeviceRow], error) {
	if q.Sort != "" && !slices.Contains(deviceSorts, q.Sort) {
		return nil, badField("sort", "sort by one of %s", strings.Join(deviceSorts, ", "))
	}
	w, err := s.load(ctx, p, q.Site, true)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	idx := w.byAddr()
	for _, a := range w.alerts {
		if !open(a) {
			continue
		}
		seen := map[string]bool{}
		for _, ad := range []string{a.Src, a.Dst} {
			if d := idx[a.Site+"|"+ad]; d != nil && !seen[d.ID] {
				seen[d.ID] = true
				counts[d.ID]++
			}
		}
	}
	var rows []*DeviceRow
	ql := strings.ToLower(q.Q)
	for _, sn := range w.snaps {
		for _, d := range sn.Devices {
			r := rowOf(d)
			r.OpenAlerts = counts[d.ID]
			if q.Type != "" && !strings.EqualFold(r.Type, q.Type) {
				continue
			}
			if q.Vendor != "" && !strings.Contains(strings.ToLower(r.Vendor), strings.ToLower(q.Vendor)) {
				continue
			}
			if q.Purdue != "" && r.Purdue != q.Purdue {
				continue
			}
			if q.Protocol != "" && !slices.Contains(r.Protocols, q.Protocol) {
				continue
			}
			if ql != "" {
				hay := strings.ToLower(strings.Join(append(append([]string{r.ID, r.Name, r.Vendor, r.Model, r.Firmware, r.Serial, r.Type, r.Zone, r.Notes},
					r.IPs...), r.MACs...), " ") + " " + strings.Join(r.Tags, " "))
				if !strings.Contains(hay, ql) {
					continue
				}
			}
			rows = append(rows, r)
		}
	}
	key := func(r *DeviceRow) string {
		switch q.Sort {
		case "ip":
			if len(r.IPs) > 0 {
				return ipSortKey(r.IPs[0])
			}
			return "~" + strings.Join(r.MACs, "")
		case "type":
			return r.Type
		case "vendor":
			return strings.ToLower(r.Vendor)
		case "model":
			return strings.ToLower(r.Model)
		case "purdue":
			return r.Purdue
		case "first_seen":
			return fmt.Sprintf("%020d", r.FirstSeen)
		case "last_seen":
			return fmt.Sprintf("%020d", r.LastSeen)
		case "alerts":
			return fmt.Sprintf("%08d", r.OpenAlerts)
		case "site":
			return r.Site
		}
		return strings.ToLower(r.Name)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := key(rows[i]), key(rows[j])
		if a == b {
			return rows[i].ID < rows[j].ID
		}
		if q.Desc {
			return a > b
		}
		return a < b
	})
	return paginate(rows, q.Limit, q.Offset), nil
}

func ipSortKey(ip string) string {
	parts := strings.Split(ip, ".")
	if len(parts) != 4 {
		return "z" + ip
	}
	var b strings.Builder
	for _, p := range parts {
		n, _ := strconv.Atoi(p)
		fmt.Fprintf(&b, "%03d", n)
	}
	return b.String()
}

func paginate[T any](rows []T, limit, offset int) *Page[T] {
	if limit <= 0 {
		limit = 100
	}
	total := len(rows)
	if offset > total {
		offset = total
	}
	end := min(total, offset+limit)
	return &Page[T]{Items: nonNil(rows[offset:end]), Total: total, Limit: limit, Offset: offset}
}

// AttrEvidence is one attribute with where it came from.
type AttrEvidence struct {
	Name string `json:"name"`
	inventory.Attr
	UserValue string `json:"user_value,omitempty"` // set when a user overrides the observed value
}

// DeviceDetail is one device with its evidence, connections, alerts.
type DeviceDetail struct {
	*DeviceRow
	Device      *inventory.Device       `json:"device"`
	Attributes  []AttrEvidence          `json:"attributes"`
	Connections []*inventory.Connection `json:"connections"`
	Alerts      []*detect.Alert         `json:"alerts"`
}

// siteOfID returns the site part of a device id ("plant-a/mac:…").
func siteOfID(id string) string {
	if i := strings.IndexByte(id, '/'); i > 0 {
		return id[:i]
	}
	return ""
}

// Device returns one device.
func (s *Server) Device(ctx context.Context, p *Principal, id string) (*DeviceDetail, error) {
	site := siteOfID(id)
	if site == "" {
		return nil, notFound("device")
	}
	if !p.CanSee(site) {
		return nil, hiddenErr("device")
	}
	snap, err := s.b.Inventory(ctx, site)
	if err != nil {
		return nil, err
	}
	var dev *inventory.Device
	for _, d := range snap.Devices {
		if d.ID == id || slices.Contains(d.Aliases, id) {
			dev = d
			break
		}
	}
	if dev == nil {
		return nil, notFound("device")
	}
	det := &DeviceDetail{DeviceRow: rowOf(dev), Device: dev, Connections: []*inventory.Connection{}, Alerts: []*detect.Alert{}}
	for _, name := range sortedAttrKeys(dev.Attrs) {
		det.Attributes = append(det.Attributes, AttrEvidence{Name: name, Attr: *dev.Attrs[name], UserValue: dev.User[name]})
	}
	for _, c := range snap.Connections {
		if c.Client == dev.ID || c.Server == dev.ID {
			det.Connections = append(det.Connections, c)
		}
	}
	as, err := s.b.Alerts(ctx, site)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if slices.Contains(dev.IPs, a.Src) || slices.Contains(dev.IPs, a.Dst) || slices.Contains(dev.MACs, a.Src) || slices.Contains(dev.MACs, a.Dst) {
			det.Alerts = append(det.Alerts, a)
			if open(a) {
				det.OpenAlerts++
			}
		}
	}
	detect.SortAlerts(det.Alerts)
	return det, nil
}

func sortedAttrKeys(m map[string]*inventory.Attr) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DeviceUpdate is the body of PATCH /devices/{id}: the user-owned fields. Absent fields are
// left alone; an empty string clears a field.
type DeviceUpdate struct {
	Name       *string   `json:"name"`
	Zone       *string   `json:"zone"`
	Purdue     *string   `json:"purdue_level"`
	Type       *string   `json:"device_type"`
	Authorized *bool     `json:"authorized"`
	Notes      *string   `json:"notes"`
	Tags       *[]string `json:"tags"`
}

// UserFields are the device fields users own.
var UserFields = []string{"name", "zone", "purdue_level", "device_type", "authorized", "notes", "tags"}

// validateUserField checks one user-owned field's value.
func validateUserField(k, v string) *Error {
	switch k {
	case "name", "zone", "device_type":
		if len(v) > 128 {
			return badField(k, "%s is at most 128 characters", k)
		}
	case "notes":
		if len(v) > 4096 {
			return badField(k, "notes are at most 4096 characters")
		}
	case "tags":
		if len(v) > 1024 {
			return badField(k, "tags are at most 1024 characters")
		}
	case "purdue_level":
		if v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 5 || strconv.Itoa(n) != v {
				return badField(k, "purdue_level is 0–5 or empty")
			}
		}
	case "authorized":
		if v != "" && v != "true" && v != "false" {
			return badField(k, "authorized is true or false")
		}
	default:
		return errf(http.StatusBadRequest, CodeUnknownField, k, "%s is not a user-owned field (%s)", k, strings.Join(UserFields, ", "))
	}
	for _, c := range v {
		if c < 0x20 && c != '\n' && c != '\t' {
			return badField(k, "%s contains control characters", k)
		}
	}
	return nil
}

func (u *DeviceUpdate) fields() (map[string]string, *Error) {
	m := map[string]string{}
	set := func(k string, v *string) {
		if v != nil {
			m[k] = strings.TrimSpace(*v)
		}
	}
	set("name", u.Name)
	set("zone", u.Zone)
	set("purdue_level", u.Purdue)
	set("device_type", u.Type)
	set("notes", u.Notes)
	if u.Authorized != nil {
		m["authorized"] = strconv.FormatBool(*u.Authorized)
	}
	if u.Tags != nil {
		var t []string
		for _, x := range *u.Tags {
			x = strings.TrimSpace(x)
			if strings.Contains(x, ",") {
				return nil, badField("tags", "a tag cannot contain a comma")
			}
			if x != "" {
				t = append(t, x)
			}
		}
		m["tags"] = strings.Join(t, ",")
	}
	if len(m) == 0 {
		return nil, errf(http.StatusBadRequest, CodeBadRequest, "", "no field to update (%s)", strings.Join(UserFields, ", "))
	}
	for k, v := range m {
		if e := validateUserField(k, v); e != nil {
			return nil, e
		}
	}
	return m, nil
}

// UpdateDevice applies user-owned fields.
func (s *Server) UpdateDevice(ctx context.Context, p *Principal, id string, u *DeviceUpdate) (*DeviceDetail, error) {
	if !p.Can(PermTriage) {
		return nil, errForbidden
	}
	m, e := u.fields()
	if e != nil {
		return nil, e
	}
	det, err := s.Device(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.b.SetDeviceUser(ctx, det.Site, map[string]map[string]string{det.ID: m}); err != nil {
		return nil, err
	}
	s.audit(ctx, p.Username, "device.update", det.ID, fmtFields(m), true)
	return s.Device(ctx, p, det.ID)
}

func fmtFields(m map[string]string) string {
	var parts []string
	for _, k := range UserFields {
		if v, ok := m[k]; ok {
			parts = append(parts, k+"="+strconv.Quote(v))
		}
	}
	return strings.Join(parts, " ")
}

// AlertQuery filters alerts.
type AlertQuery struct {
	Site, Severity, Engine, Status, Q string
	Limit, Offset                     int
}

var severities = []string{"Critical", "Major", "Minor", "Warning"}
var engines = []string{"Policy violation", "Protocol violation", "Anomaly", "Malware", "Operational"}
var statuses = []string{detect.StatusNew, detect.StatusActive, detect.StatusClosed, detect.StatusMuted, detect.StatusLearned}

// Alerts lists alerts, most severe and oldest first.
func (s *Server) Alerts(ctx context.Context, p *Principal, q AlertQuery) (*Page[*detect.Alert], error) {
	if q.Severity != "" && !slices.Contains(severities, q.Severity) {
		return nil, badField("severity", "severity is one of %s", strings.Join(severities, ", "))
	}
	if q.Engine != "" && !slices.Contains(engines, q.Engine) {
		return nil, badField("engine", "engine is one of %s", strings.Join(engines, ", "))
	}
	if q.Status != "" && q.Status != "open" && !slices.Contains(statuses, q.Status) {
		return nil, badField("status", "status is open or one of %s", strings.Join(statuses, ", "))
	}
	sites, err := s.siteList(ctx, p, q.Site)
	if err != nil {
		return nil, err
	}
	var out []*detect.Alert
	ql := strings.ToLower(q.Q)
	for _, site := range sites {
		as, err := s.b.Alerts(ctx, site)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			if q.Severity != "" && string(a.Severity) != q.Severity || q.Engine != "" && string(a.Engine) != q.Engine {
				continue
			}
			if q.Status == "open" && !open(a) || q.Status != "" && q.Status != "open" && a.Status != q.Status {
				continue
			}
			if ql != "" && !strings.Contains(strings.ToLower(a.Title+" "+a.Message+" "+a.Src+" "+a.Dst+" "+a.Protocol+" "+a.ID), ql) {
				continue
			}
			out = append(out, a)
		}
	}
	detect.SortAlerts(out)
	return paginate(out, q.Limit, q.Offset), nil
}

// Alert returns one alert.
func (s *Server) Alert(ctx context.Context, p *Principal, id string) (*detect.Alert, error) {
	a, err := s.b.Alert(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("alert")
	}
	if err != nil {
		return nil, err
	}
	if !p.CanSee(a.Site) {
		return nil, hiddenErr("alert")
	}
	return a, nil
}

// AlertUpdate is the body of PATCH /alerts/{id}.
type AlertUpdate struct {
	Status  string `json:"status"`
	Comment string `json:"comment"`
}

// UpdateAlert changes an alert's status and/or adds a comment.
func (s *Server) UpdateAlert(ctx context.Context, p *Principal, id string, u *AlertUpdate) (*detect.Alert, error) {
	if !p.Can(PermTriage) {
		return nil, errForbidden
	}
	u.Comment = strings.TrimSpace(u.Comment)
	switch u.Status {
	case "", detect.StatusNew, detect.StatusActive, detect.StatusClosed, detect.StatusMuted:
	case detect.StatusLearned:
		return nil, badField("status", "use POST /alerts/{id}/learn to add an alert to the baseline")
	default:
		return nil, badField("status", "status is one of New, Active, Closed, Muted")
	}
	if len(u.Comment) > 4096 {
		return nil, badField("comment", "a comment is at most 4096 characters")
	}
	if u.Status == "" && u.Comment == "" {
		return nil, errf(http.StatusBadRequest, CodeBadRequest, "", "give a status, a comment or both")
	}
	if _, err := s.Alert(ctx, p, id); err != nil {
		return nil, err
	}
	a, err := s.b.UpdateAlert(ctx, id, u.Status, p.Username, u.Comment, s.now().UnixNano())
	if err != nil {
		return nil, err
	}
	detail := "status=" + u.Status
	if u.Comment != "" {
		detail += " comment"
	}
	s.audit(ctx, p.Username, "alert.update", id, detail, true)
	return a, nil
}

// LearnAlert adds an alert's cause to the baseline.
func (s *Server) LearnAlert(ctx context.Context, p *Principal, id string) (*detect.Alert, error) {
	if !p.Can(PermTriage) {
		return nil, errForbidden
	}
	if _, err := s.Alert(ctx, p, id); err != nil {
		return nil, err
	}
	a, err := s.b.LearnAlert(ctx, id, s.now().UnixNano())
	if errors.Is(err, errNotLearnable) {
		return nil, &Error{Status: http.StatusConflict, Code: CodeNotLearnable, Message: "this alert has nothing to add to the baseline: mute it instead"}
	}
	if err != nil {
		return nil, err
	}
	s.audit(ctx, p.Username, "alert.learn", id, "", true)
	return a, nil
}

// AlertPcap returns an alert's evidence.
func (s *Server) AlertPcap(ctx context.Context, p *Principal, id string) ([]byte, error) {
	if !p.Can(PermEvidence) {
		return nil, errForbidden
	}
	if _, err := s.Alert(ctx, p, id); err != nil {
		return nil, err
	}
	b, err := s.b.AlertPcap(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, notFound("evidence of this alert")
	}
	return b, nil
}

// Connections lists a site's connections (optionally of one device or protocol).
func (s *Server) Connections(ctx context.Context, p *Principal, site, device, proto string, limit, offset int) (*Page[*inventory.Connection], error) {
	if device != "" {
		if ds := siteOfID(device); ds == "" || (site != "" && ds != site) {
			return nil, badField("device", "device is a device id of the site (site/mac:… or site/ip:…)")
		} else {
			site = ds
		}
	}
	w, err := s.load(ctx, p, site, false)
	if err != nil {
		return nil, err
	}
	var out []*inventory.Connection
	for _, sn := range w.snaps {
		for _, c := range sn.Connections {
			if device != "" && c.Client != device && c.Server != device {
				continue
			}
			if proto != "" && c.Proto != proto {
				continue
			}
			out = append(out, c)
		}
	}
	return paginate(out, limit, offset), nil
}

// Event is one line of the timeline.
type Event struct {
	TS       int64  `json:"ts"`
	Site     string `json:"site"`
	Kind     string `json:"kind"` // alert, device_discovered, attribute_changed, alert_comment
	Severity string `json:"severity,omitempty"`
	Title    string `json:"title"`
	Detail   string `json:"detail,omitempty"`
	Device   string `json:"device,omitempty"`
	Alert    string `json:"alert,omitempty"`
}

var eventKinds = []string{"alert", "alert_comment", "device_discovered", "attribute_changed"}

// Events returns the timeline, newest first.
func (s *Server) Events(ctx context.Context, p *Principal, site, kind string, since, until int64, limit, offset int) (*Page[*Event], error) {
	if kind != "" && !slices.Contains(eventKinds, kind) {
		return nil, badField("kind", "kind is one of %s", strings.Join(eventKinds, ", "))
	}
	w, err := s.load(ctx, p, site, true)
	if err != nil {
		return nil, err
	}
	var ev []*Event
	for _, a := range w.alerts {
		ev = append(ev, &Event{TS: a.First, Site: a.Site, Kind: "alert", Severity: string(a.Severity), Title: a.Title, Detail: a.Message, Alert: a.ID})
		for _, c := range a.Comments {
			ev = append(ev, &Event{TS: c.TS, Site: a.Site, Kind: "alert_comment", Title: "Comment on " + a.Title + " by " + c.User, Detail: c.Text, Alert: a.ID})
		}
	}
	for _, sn := range w.snaps {
		for _, d := range sn.Devices {
			r := rowOf(d)
			ev = append(ev, &Event{TS: d.First, Site: d.Site, Kind: "device_discovered", Title: "Device discovered: " + r.Name,
				Detail: strings.TrimSpace(r.Type + " " + r.Vendor + " " + r.Model), Device: d.ID})
			for _, name := range sortedAttrKeys(d.Attrs) {
				for _, h := range d.Attrs[name].History {
					ev = append(ev, &Event{TS: h.TS, Site: d.Site, Kind: "attribute_changed", Title: fmt.Sprintf("%s of %s changed", name, r.Name),
						Detail: fmt.Sprintf("%q → %q (%s)", h.Old, h.New, h.Proto), Device: d.ID})
				}
			}
		}
	}
	var out []*Event
	for _, e := range ev {
		if kind != "" && e.Kind != kind || since != 0 && e.TS < since || until != 0 && e.TS > until {
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].TS > out[j].TS })
	return paginate(out, limit, offset), nil
}

// BaselineStatus summarises a site's baseline.
type BaselineStatus struct {
	Site        string  `json:"site"`
	Exists      bool    `json:"exists"`
	Operational bool    `json:"operational"`
	Started     int64   `json:"started"`
	LearnUntil  int64   `json:"learn_until"`
	Progress    float64 `json:"learning_progress"` // 0–1 of the learning period elapsed (packet time)
	Devices     int     `json:"devices"`
	Edges       int     `json:"edges"`
	Commands    int     `json:"commands"`
}

// Baseline returns a site's baseline status and document.
func (s *Server) Baseline(ctx context.Context, p *Principal, site string) (*BaselineStatus, *detect.Baseline, error) {
	if !validSite(site) {
		return nil, nil, notFound("site")
	}
	if !p.CanSee(site) {
		return nil, nil, hiddenErr("site")
	}
	sites, err := s.b.Sites(ctx)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.b.Baseline(ctx, site)
	if err != nil {
		return nil, nil, err
	}
	if b == nil && !slices.Contains(sites, site) {
		return nil, nil, notFound("site")
	}
	st := &BaselineStatus{Site: site}
	if b == nil {
		return st, nil, nil
	}
	st.Exists, st.Operational, st.Started, st.LearnUntil, st.Devices, st.Edges = true, b.Operational, b.Started, b.LearnUntil, len(b.Devices), len(b.Edges)
	for _, e := range b.Edges {
		st.Commands += len(e.Commands)
	}
	st.Progress = 1
	if !b.Operational && b.LearnUntil > b.Started {
		// Packet time: the newest device activity of the site is "now".
		snap, err := s.b.Inventory(ctx, site)
		if err != nil {
			return nil, nil, err
		}
		var now int64
		for _, d := range snap.Devices {
			now = max(now, d.Last)
		}
		st.Progress = min(1, max(0, float64(now-b.Started)/float64(b.LearnUntil-b.Started)))
	}
	return st, b, nil
}

// ImportBaseline replaces a site's baseline.
func (s *Server) ImportBaseline(ctx context.Context, p *Principal, site string, data []byte) (*BaselineStatus, error) {
	if !p.Can(PermBaseline) {
		return nil, errForbidden
	}
	if !validSite(site) {
		return nil, badField("site", "a site name is 1–64 letters, digits, '.', '_' or '-'")
	}
	if !p.CanSee(site) {
		return nil, hiddenErr("site")
	}
	b, err := detect.ParseBaseline(data)
	if err != nil {
		return nil, errf(http.StatusBadRequest, CodeBadRequest, "", "not a baseline document: %v", err)
	}
	if b.Site == "" {
		b.Site = site
	}
	if b.Site != site {
		return nil, badField("site", "the document is the baseline of %q, not %q", b.Site, site)
	}
	if err := s.b.ImportBaseline(ctx, b, s.now().Unix()); err != nil {
		var e *Error
		if errors.As(err, &e) {
			s.audit(ctx, p.Username, "baseline.import", site, e.Message, true)
		}
		return nil, err
	}
	s.audit(ctx, p.Username, "baseline.import", site, fmt.Sprintf("%d devices, %d edges", len(b.Devices), len(b.Edges)), true)
	st, _, err := s.Baseline(ctx, p, site)
	return st, err
}

// Health is the sensor's health and counters.
type Health struct {
	Mode    string          `json:"mode"`
	Version string          `json:"version"`
	Uptime  float64         `json:"uptime_s"`
	Engine  *engine.Summary `json:"engine,omitempty"`
	Store   *store.Stats    `json:"store"`
	Sites   []SiteHealth    `json:"sites"`
}

// SiteHealth is one site's summary.
type SiteHealth struct {
	Site        string          `json:"site"`
	Devices     int             `json:"devices"`
	Connections int             `json:"connections"`
	OpenAlerts  int             `json:"open_alerts"`
	Baseline    *BaselineStatus `json:"baseline"`
}

// Health returns health and counters.
func (s *Server) Health(ctx context.Context, p *Principal) (*Health, error) {
	h := &Health{Mode: s.b.Mode(), Version: s.cfg.Version, Uptime: s.now().Sub(s.started).Seconds(), Sites: []SiteHealth{}}
	var err error
	if h.Engine, err = s.b.Engine(ctx); err != nil {
		return nil, err
	}
	if h.Store, err = s.b.Store().Stats(ctx); err != nil {
		return nil, err
	}
	if !p.AllSites() {
		h.Store.Path = "" // do not tell site-limited users where the data lives
	}
	sites, err := s.Sites(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, site := range sites {
		snap, err := s.b.Inventory(ctx, site)
		if err != nil {
			return nil, err
		}
		as, err := s.b.Alerts(ctx, site)
		if err != nil {
			return nil, err
		}
		sh := SiteHealth{Site: site, Devices: len(snap.Devices), Connections: len(snap.Connections)}
		for _, a := range as {
			if open(a) {
				sh.OpenAlerts++
			}
		}
		sh.Baseline, _, err = s.Baseline(ctx, p, site)
		if err != nil {
			return nil, err
		}
		h.Sites = append(h.Sites, sh)
	}
	return h, nil
}

// Dashboard aggregates what the overview page shows.
type Dashboard struct {
	Sites       []string          `json:"sites"`
	Devices     int               `json:"devices"`
	Connections int               `json:"connections"`
	Bytes       uint64            `json:"bytes"`
	Packets     uint64            `json:"packets"`
	ByType      []Count           `json:"devices_by_type"`
	ByPurdue    []Count           `json:"devices_by_purdue"`
	Protocols   []Count           `json:"top_protocols"` // by bytes over connections
	BySeverity  []Count           `json:"open_alerts_by_severity"`
	OpenAlerts  int               `json:"open_alerts"`
	Recent      []*detect.Alert   `json:"recent_alerts"`
	Learning    []*BaselineStatus `json:"learning"`
	Engine      *engine.Summary   `json:"engine,omitempty"`
}

// Count is a labelled number.
type Count struct {
	Label string `json:"label"`
	N     uint64 `json:"n"`
}

func counts(m map[string]uint64, order []string) []Count {
	var out []Count
	for _, k := range order {
		if m[k] > 0 {
			out = append(out, Count{k, m[k]})
		}
	}
	if order != nil {
		return out
	}
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Label < out[j].Label
	})
	return out
}

// PurdueLabel names a Purdue level.
func PurdueLabel(l string) string {
	switch l {
	case "0":
		return "L0 Process"
	case "1":
		return "L1 Control"
	case "2":
		return "L2 Supervisory"
	case "3":
		return "L3 Operations"
	case "4":
		return "L4 Business"
	case "5":
		return "L5 Enterprise/Internet"
	case "network":
		return "Network"
	case "":
		return "Unassigned"
	}
	return "Level " + l
}

// Dashboard returns the overview.
func (s *Server) Dashboard(ctx context.Context, p *Principal, site string) (*Dashboard, error) {
	w, err := s.load(ctx, p, site, true)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{}
	types, purdue, protos, sev := map[string]uint64{}, map[string]uint64{}, map[string]uint64{}, map[string]uint64{}
	for _, sn := range w.snaps {
		d.Sites = append(d.Sites, sn.Site)
		d.Devices += len(sn.Devices)
		d.Connections += len(sn.Connections)
		for _, dv := range sn.Devices {
			types[dv.Type]++
			purdue[PurdueLabel(dv.Purdue)]++
		}
		for _, c := range sn.Connections {
			protos[c.Proto] += c.Bytes
			d.Bytes += c.Bytes
			d.Packets += c.Packets
		}
		st, _, err := s.Baseline(ctx, p, sn.Site)
		if err == nil && st != nil {
			d.Learning = append(d.Learning, st)
		}
	}
	var open3 []*detect.Alert
	for _, a := range w.alerts {
		if open(a) {
			sev[string(a.Severity)]++
			d.OpenAlerts++
			open3 = append(open3, a)
		}
	}
	detect.SortAlerts(open3)
	d.Recent = open3[:min(len(open3), 8)]
	d.ByType = counts(types, nil)
	d.ByPurdue = counts(purdue, []string{"L0 Process", "L1 Control", "L2 Supervisory", "L3 Operations", "L4 Business", "L5 Enterprise/Internet", "Network", "Unassigned"})
	d.Protocols = counts(protos, nil)
	if len(d.Protocols) > 8 {
		d.Protocols = d.Protocols[:8]
	}
	d.BySeverity = counts(sev, severities)
	if p.AllSites() {
		d.Engine, _ = s.b.Engine(ctx)
	}
	return d, nil
}

func (s *Server) now() time.Time { return s.cfg.Now() }
