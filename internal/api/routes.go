package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quietwire/quietwire/internal/store"
)

// Route is one API route; the table drives the mux, the OpenAPI document and the tests.
type Route struct {
	Method  string
	Path    string // Go ServeMux pattern path
	Perm    Perm
	Tag     string
	Summary string
	Query   []string // accepted query parameters
	Body    string   // request body schema name ("" none; "csv"; "baseline")
	Resp    string   // response schema name ("" empty; "csv"; "pcap"; "baseline")
	// SiteScoped routes answer 404 for objects of sites outside the caller's.
	SiteScoped bool
	h          func(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error
}

func routes() []*Route {
	pageQ := []string{"limit", "offset"}
	return []*Route{
		{Method: "GET", Path: "/api/v1/openapi.json", Perm: PermPublic, Tag: "meta", Summary: "This OpenAPI 3 document", Resp: "object", h: hOpenAPI},
		{Method: "POST", Path: "/api/v1/setup", Perm: PermPublic, Tag: "auth", Summary: "Create the first admin with the one-time setup token printed at first start", Body: "Setup", Resp: "Me", h: hSetup},
		{Method: "POST", Path: "/api/v1/login", Perm: PermPublic, Tag: "auth", Summary: "Log in: sets the session cookie and returns the CSRF token", Body: "Login", Resp: "LoginResult", h: hLogin},
		{Method: "POST", Path: "/api/v1/logout", Perm: PermRead, Tag: "auth", Summary: "End the session", h: hLogout},
		{Method: "GET", Path: "/api/v1/me", Perm: PermRead, Tag: "auth", Summary: "The caller: user name, role, sites", Resp: "Me", h: hMe},
		{Method: "GET", Path: "/api/v1/sites", Perm: PermRead, Tag: "inventory", Summary: "Sites the caller may see", Resp: "SiteList", h: hSites},
		{Method: "GET", Path: "/api/v1/zones", Perm: PermRead, Tag: "inventory", Summary: "Zones (user-assigned, else VLAN) with device counts", Query: []string{"site"}, Resp: "ZoneList", h: hZones},
		{Method: "GET", Path: "/api/v1/devices", Perm: PermRead, Tag: "inventory", Summary: "List devices with filters, sorting and paging",
			Query: append([]string{"site", "type", "vendor", "purdue_level", "protocol", "q", "sort", "order"}, pageQ...), Resp: "DevicePage", h: hDevices},
		{Method: "GET", Path: "/api/v1/devices/export", Perm: PermRead, Tag: "inventory", Summary: "Export devices as CSV (same filters as the list)",
			Query: []string{"site", "type", "vendor", "purdue_level", "protocol", "q", "sort", "order"}, Resp: "csv", h: hDevicesExport},
		{Method: "POST", Path: "/api/v1/devices/import", Perm: PermTriage, Tag: "inventory", Summary: "Import user-owned fields from CSV (id column plus any of the user fields); all rows or none",
			Query: []string{"site"}, Body: "csv", Resp: "ImportResult", SiteScoped: true, h: hDevicesImport},
		{Method: "GET", Path: "/api/v1/devices/{id...}", Perm: PermRead, Tag: "inventory", Summary: "One device with every attribute's evidence, its connections and alerts", Resp: "DeviceDetail", SiteScoped: true, h: hDevice},
		{Method: "PATCH", Path: "/api/v1/devices/{id...}", Perm: PermTriage, Tag: "inventory", Summary: "Update user-owned fields", Body: "DeviceUpdate", Resp: "DeviceDetail", SiteScoped: true, h: hDevicePatch},
		{Method: "GET", Path: "/api/v1/connections", Perm: PermRead, Tag: "inventory", Summary: "Connections (edges) with protocol, commands and periodicity",
			Query: append([]string{"site", "device", "protocol"}, pageQ...), Resp: "ConnectionPage", h: hConnections},
		{Method: "GET", Path: "/api/v1/alerts", Perm: PermRead, Tag: "alerts", Summary: "List alerts (most severe first)",
			Query: append([]string{"site", "severity", "engine", "status", "q"}, pageQ...), Resp: "AlertPage", h: hAlerts},
		{Method: "GET", Path: "/api/v1/alerts/{id}", Perm: PermRead, Tag: "alerts", Summary: "One alert", Resp: "Alert", SiteScoped: true, h: hAlert},
		{Method: "PATCH", Path: "/api/v1/alerts/{id}", Perm: PermTriage, Tag: "alerts", Summary: "Change status and/or add a comment (committed before the answer)", Body: "AlertUpdate", Resp: "Alert", SiteScoped: true, h: hAlertPatch},
		{Method: "POST", Path: "/api/v1/alerts/{id}/learn", Perm: PermTriage, Tag: "alerts", Summary: "Add the alert's cause to the baseline and mark it Learned", Resp: "Alert", SiteScoped: true, h: hAlertLearn},
		{Method: "POST", Path: "/api/v1/alerts/{id}/mute", Perm: PermTriage, Tag: "alerts", Summary: "Mute the alert (repeats stay muted)", Resp: "Alert", SiteScoped: true, h: hAlertMute},
		{Method: "GET", Path: "/api/v1/alerts/{id}/pcap", Perm: PermEvidence, Tag: "alerts", Summary: "The alert's evidence packets as pcap", Resp: "pcap", SiteScoped: true, h: hAlertPcap},
		{Method: "GET", Path: "/api/v1/events", Perm: PermRead, Tag: "alerts", Summary: "Event timeline: alerts, comments, device discoveries, attribute changes (newest first)",
			Query: append([]string{"site", "kind", "since", "until"}, pageQ...), Resp: "EventPage", h: hEvents},
		{Method: "GET", Path: "/api/v1/baseline/{site}", Perm: PermRead, Tag: "baseline", Summary: "Baseline status: learning progress, counts", Resp: "BaselineStatus", SiteScoped: true, h: hBaseline},
		{Method: "GET", Path: "/api/v1/baseline/{site}/export", Perm: PermRead, Tag: "baseline", Summary: "The baseline document (JSON)", Resp: "baseline", SiteScoped: true, h: hBaselineExport},
		{Method: "PUT", Path: "/api/v1/baseline/{site}", Perm: PermBaseline, Tag: "baseline", Summary: "Import (replace) the site's baseline document", Body: "baseline", Resp: "BaselineStatus", SiteScoped: true, h: hBaselineImport},
		{Method: "GET", Path: "/api/v1/health", Perm: PermRead, Tag: "sensor", Summary: "Sensor health: packets, bytes, drops by reason, counters, PDUs per protocol, store, sites", Resp: "Health", h: hHealth},
		{Method: "GET", Path: "/api/v1/dashboard", Perm: PermRead, Tag: "sensor", Summary: "Overview aggregates for the dashboard", Query: []string{"site"}, Resp: "Dashboard", h: hDashboard},
		{Method: "GET", Path: "/api/v1/users", Perm: PermAdmin, Tag: "admin", Summary: "List users", Resp: "UserList", h: hUsers},
		{Method: "POST", Path: "/api/v1/users", Perm: PermAdmin, Tag: "admin", Summary: "Create a user", Body: "UserCreate", Resp: "User", h: hUserCreate},
		{Method: "PATCH", Path: "/api/v1/users/{name}", Perm: PermAdmin, Tag: "admin", Summary: "Change a user's role, sites, password or disabled flag", Body: "UserUpdate", Resp: "User", h: hUserPatch},
		{Method: "GET", Path: "/api/v1/tokens", Perm: PermAdmin, Tag: "admin", Summary: "List API tokens (never their secrets)", Resp: "TokenList", h: hTokens},
		{Method: "POST", Path: "/api/v1/tokens", Perm: PermAdmin, Tag: "admin", Summary: "Create an API token for a user; the secret is shown once", Body: "TokenCreate", Resp: "TokenCreated", h: hTokenCreate},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", Perm: PermAdmin, Tag: "admin", Summary: "Revoke an API token", h: hTokenDelete},
		{Method: "GET", Path: "/api/v1/audit", Perm: PermAdmin, Tag: "admin", Summary: "Audit log: logins, failed authorizations, changes (newest first)", Query: pageQ, Resp: "AuditPage", h: hAudit},
	}
}

func ok(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusOK, v)
	return nil
}

func hOpenAPI(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	return ok(w, s.OpenAPI())
}

func hSetup(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	var body struct {
		Token    string `json:"token"`
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.Token == "" {
		return badField("token", "the setup token is required")
	}
	if err := s.Setup(r.Context(), clientAddr(r), body.Token, body.Username, body.Password); err != nil {
		return err
	}
	return ok(w, map[string]any{"username": body.Username, "role": RoleAdmin, "sites": []string{}})
}

func hLogin(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	var body struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.Username == "" {
		return badField("username", "username is required")
	}
	if body.Password == "" {
		return badField("password", "password is required")
	}
	res, err := s.Login(w, r, body.Username, body.Password)
	if err != nil {
		return err
	}
	return ok(w, res)
}

func hLogout(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	s.Logout(w, r, p)
	return ok(w, map[string]any{})
}

func hMe(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	m := map[string]any{"username": p.Username, "role": p.Role, "sites": nonNil(p.Sites), "via": p.Via}
	if p.Via == "session" {
		m["csrf_token"] = p.CSRF
	}
	return ok(w, m)
}

func hSites(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	sites, err := s.Sites(r.Context(), p)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"sites": nonNil(sites)})
}

// Zone is a group of devices: the user-assigned zone, else the VLAN, else "unassigned".
type Zone struct {
	Site    string `json:"site"`
	Name    string `json:"name"`
	Devices int    `json:"devices"`
}

func hZones(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	if err := checkQuery(r, "site"); err != nil {
		return err
	}
	wd, err := s.load(r.Context(), p, r.URL.Query().Get("site"), false)
	if err != nil {
		return err
	}
	var out []Zone
	for _, sn := range wd.snaps {
		m := map[string]int{}
		var order []string
		for _, d := range sn.Devices {
			z := rowOf(d).Zone
			if z == "" {
				z = "unassigned"
			}
			if m[z] == 0 {
				order = append(order, z)
			}
			m[z]++
		}
		slices.Sort(order)
		for _, z := range order {
			out = append(out, Zone{Site: sn.Site, Name: z, Devices: m[z]})
		}
	}
	return ok(w, map[string]any{"zones": nonNil(out)})
}

func deviceQuery(r *http.Request, paged bool) (DeviceQuery, error) {
	q := r.URL.Query()
	allowed := []string{"site", "type", "vendor", "purdue_level", "protocol", "q", "sort", "order"}
	if paged {
		allowed = append(allowed, "limit", "offset")
	}
	if err := checkQuery(r, allowed...); err != nil {
		return DeviceQuery{}, err
	}
	dq := DeviceQuery{Site: q.Get("site"), Type: q.Get("type"), Vendor: q.Get("vendor"), Purdue: q.Get("purdue_level"),
		Protocol: q.Get("protocol"), Q: q.Get("q"), Sort: q.Get("sort")}
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		dq.Desc = true
	default:
		return dq, badField("order", "order is asc or desc")
	}
	if len(dq.Q) > 256 {
		return dq, badField("q", "a search is at most 256 characters")
	}
	var err error
	if paged {
		if dq.Limit, err = intParam(r, "limit", 100, 1000); err != nil {
			return dq, err
		}
		if dq.Offset, err = intParam(r, "offset", 0, 0); err != nil {
			return dq, err
		}
	} else {
		dq.Limit = 1 << 30
	}
	return dq, nil
}

func hDevices(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	dq, err := deviceQuery(r, true)
	if err != nil {
		return err
	}
	page, err := s.Devices(r.Context(), p, dq)
	if err != nil {
		return err
	}
	return ok(w, page)
}

// CSVColumns are the columns of the device CSV export.
var CSVColumns = []string{"id", "site", "name", "ips", "macs", "vendor", "model", "firmware", "serial", "device_type", "class",
	"purdue_level", "zone", "protocols", "authorized", "notes", "tags", "first_seen", "last_seen", "open_alerts"}

// WriteDevicesCSV writes rows as CSV.
func WriteDevicesCSV(w io.Writer, rows []*DeviceRow) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVColumns)
	ts := func(ns int64) string {
		if ns == 0 {
			return ""
		}
		return time.Unix(0, ns).UTC().Format(time.RFC3339)
	}
	for _, d := range rows {
		cw.Write([]string{d.ID, d.Site, csvSafe(d.Name), strings.Join(d.IPs, " "), strings.Join(d.MACs, " "), csvSafe(d.Vendor), csvSafe(d.Model),
			csvSafe(d.Firmware), csvSafe(d.Serial), csvSafe(d.Type), d.Class, d.Purdue, csvSafe(d.Zone), strings.Join(d.Protocols, " "),
			strconv.FormatBool(d.Authorized), csvSafe(d.Notes), csvSafe(strings.Join(d.Tags, ",")), ts(d.FirstSeen), ts(d.LastSeen), strconv.Itoa(d.OpenAlerts)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formula injection: values come from the network.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func hDevicesExport(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	dq, err := deviceQuery(r, false)
	if err != nil {
		return err
	}
	page, err := s.Devices(r.Context(), p, dq)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="quietwire-devices.csv"`)
	return WriteDevicesCSV(w, page.Items)
}

// ImportDevicesCSV validates a CSV of user-owned fields for one site and applies it (all rows
// or none). It returns how many rows were applied.
func (s *Server) ImportDevicesCSV(ctx context.Context, p *Principal, site string, data []byte) (int, error) {
	if !p.Can(PermTriage) {
		return 0, errForbidden
	}
	if !validSite(site) {
		return 0, badField("site", "give the site the rows belong to (?site=…)")
	}
	if !p.CanSee(site) {
		return 0, hiddenErr("site")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return 0, badField("header", "the CSV has no header line")
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	idc, has := col["id"]
	if !has {
		return 0, badField("id", "line 1: no id column")
	}
	for h := range col {
		if h != "id" && !slices.Contains(UserFields, h) && !slices.Contains(CSVColumns, h) {
			return 0, errf(http.StatusBadRequest, CodeUnknownField, h, "line 1: unknown column %q", h)
		}
	}
	snap, err := s.b.Inventory(ctx, site)
	if err != nil {
		return 0, err
	}
	known := map[string]bool{}
	for _, d := range snap.Devices {
		known[d.ID] = true
	}
	rows := map[string]map[string]string{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, badField("line "+strconv.Itoa(line), "%v", err)
		}
		if idc >= len(rec) || strings.TrimSpace(rec[idc]) == "" {
			return 0, badField("id", "line %d: empty id", line)
		}
		id := strings.TrimSpace(rec[idc])
		if siteOfID(id) != site || !known[id] {
			return 0, badField("id", "line %d: no device %q in site %q", line, id, site)
		}
		m := map[string]string{}
		for _, c := range UserFields {
			if i, ok := col[c]; ok && i < len(rec) {
				v := strings.TrimSpace(rec[i])
				v = strings.TrimPrefix(v, "'")
				if e := validateUserField(c, v); e != nil {
					e.Message = fmt.Sprintf("line %d: %s", line, e.Message)
					return 0, e
				}
				m[c] = v
			}
		}
		rows[id] = m
		if len(rows) > 100_000 {
			return 0, badField("id", "at most 100000 rows per import")
		}
	}
	if err := s.b.SetDeviceUser(ctx, site, rows); err != nil {
		return 0, err
	}
	s.audit(ctx, p.Username, "device.import", site, fmt.Sprintf("%d rows", len(rows)), true)
	return len(rows), nil
}

func hDevicesImport(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	if err := checkQuery(r, "site"); err != nil {
		return err
	}
	data, err := readBody(w, r, maxCSVBody)
	if err != nil {
		return err
	}
	n, err := s.ImportDevicesCSV(r.Context(), p, r.URL.Query().Get("site"), data)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"updated": n})
}

func hDevice(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	d, err := s.Device(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

func hDevicePatch(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	var u DeviceUpdate
	if err := decodeJSON(w, r, &u); err != nil {
		return err
	}
	d, err := s.UpdateDevice(r.Context(), p, r.PathValue("id"), &u)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func hConnections(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	if err := checkQuery(r, "site", "device", "protocol", "limit", "offset"); err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 100, 1000)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 0)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := s.Connections(r.Context(), p, q.Get("site"), q.Get("device"), q.Get("protocol"), limit, offset)
	if err != nil {
		return err
	}
	return ok(w, page)
}

func hAlerts(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	if err := checkQuery(r, "site", "severity", "engine", "status", "q", "limit", "offset"); err != nil {
		return err
	}
	q := r.URL.Query()
	aq := AlertQuery{Site: q.Get("site"), Severity: q.Get("severity"), Engine: q.Get("engine"), Status: q.Get("status"), Q: q.Get("q")}
	var err error
	if aq.Limit, err = intParam(r, "limit", 100, 1000); err != nil {
		return err
	}
	if aq.Offset, err = intParam(r, "offset", 0, 0); err != nil {
		return err
	}
	page, err := s.Alerts(r.Context(), p, aq)
	if err != nil {
		return err
	}
	return ok(w, page)
}

func hAlert(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	a, err := s.Alert(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, a)
}

func hAlertPatch(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	var u AlertUpdate
	if err := decodeJSON(w, r, &u); err != nil {
		return err
	}
	a, err := s.UpdateAlert(r.Context(), p, r.PathValue("id"), &u)
	if err != nil {
		return err
	}
	return ok(w, a)
}

func hAlertLearn(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	a, err := s.LearnAlert(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, a)
}

func hAlertMute(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	a, err := s.UpdateAlert(r.Context(), p, r.PathValue("id"), &AlertUpdate{Status: "Muted"})
	if err != nil {
		return err
	}
	return ok(w, a)
}

func hAlertPcap(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	id := r.PathValue("id")
	b, err := s.AlertPcap(r.Context(), p, id)
	if err != nil {
		return err
	}
	s.audit(r.Context(), p.Username, "alert.pcap", id, "", true)
	w.Header().Set("Content-Type", "application/vnd.tcpdump.pcap")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="quietwire-%s.pcap"`, id))
	w.Write(b)
	return nil
}

func hEvents(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	if err := checkQuery(r, "site", "kind", "since", "until", "limit", "offset"); err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 100, 1000)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 0)
	if err != nil {
		return err
	}
	since, err := int64Param(r, "since")
	if err != nil {
		return err
	}
	until, err := int64Param(r, "until")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := s.Events(r.Context(), p, q.Get("site"), q.Get("kind"), since, until, limit, offset)
	if err != nil {
		return err
	}
	return ok(w, page)
}

func hBaseline(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	st, _, err := s.Baseline(r.Context(), p, r.PathValue("site"))
	if err != nil {
		return err
	}
	return ok(w, st)
}

func hBaselineExport(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	site := r.PathValue("site")
	_, b, err := s.Baseline(r.Context(), p, site)
	if err != nil {
		return err
	}
	if b == nil {
		return notFound("baseline")
	}
	data, err := b.MarshalIndent()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="baseline-%s.json"`, site))
	w.Write(data)
	return nil
}

func hBaselineImport(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	data, err := readBody(w, r, maxBaselineBody)
	if err != nil {
		return err
	}
	st, err := s.ImportBaseline(r.Context(), p, r.PathValue("site"), data)
	if err != nil {
		return err
	}
	return ok(w, st)
}

func hHealth(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	h, err := s.Health(r.Context(), p)
	if err != nil {
		return err
	}
	return ok(w, h)
}

func hDashboard(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	if err := checkQuery(r, "site"); err != nil {
		return err
	}
	d, err := s.Dashboard(r.Context(), p, r.URL.Query().Get("site"))
	if err != nil {
		return err
	}
	return ok(w, d)
}

// UserView is a user as the API shows it (never the hash).
type UserView struct {
	Username string   `json:"username"`
	Role     string   `json:"role"`
	Sites    []string `json:"sites"`
	Disabled bool     `json:"disabled"`
	Created  int64    `json:"created"`
}

func userView(u *store.User) *UserView {
	return &UserView{Username: u.Username, Role: u.Role, Sites: nonNil(u.Sites), Disabled: u.Disabled, Created: u.Created}
}

// Users lists users.
func (s *Server) Users(ctx context.Context, p *Principal) ([]*UserView, error) {
	if !p.Can(PermAdmin) {
		return nil, errForbidden
	}
	us, err := s.st.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := []*UserView{}
	for _, u := range us {
		out = append(out, userView(u))
	}
	return out, nil
}

func hUsers(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	us, err := s.Users(r.Context(), p)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"users": us})
}

// UserCreate is the body of POST /users.
type UserCreate struct {
	Username string   `json:"username"`
	Password string   `json:"password"`
	Role     string   `json:"role"`
	Sites    []string `json:"sites"`
}

func checkSites(sites []string) error {
	for _, x := range sites {
		if !validSite(x) {
			return badField("sites", "%q is not a site name", x)
		}
	}
	return nil
}

// CreateUser creates a user.
func (s *Server) CreateUser(ctx context.Context, p *Principal, u *UserCreate) (*UserView, error) {
	if !p.Can(PermAdmin) {
		return nil, errForbidden
	}
	if !ValidUsername(u.Username) {
		return nil, badField("username", "a user name is 1–64 letters, digits, '.', '_', '-' or '@'")
	}
	if !ValidRole(u.Role) {
		return nil, badField("role", "role is one of %s", strings.Join(Roles, ", "))
	}
	if err := ValidatePassword(u.Password); err != nil {
		return nil, badField("password", "%v", err)
	}
	if err := checkSites(u.Sites); err != nil {
		return nil, err
	}
	hash, err := HashPassword(u.Password)
	if err != nil {
		return nil, err
	}
	su := &store.User{Username: u.Username, PasswordHash: hash, Role: u.Role, Sites: u.Sites, Created: s.now().Unix()}
	if _, err := s.st.CreateUser(ctx, su); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, &Error{Status: http.StatusConflict, Code: CodeConflict, Field: "username", Message: "a user with this name exists"}
		}
		return nil, err
	}
	s.audit(ctx, p.Username, "user.create", u.Username, fmt.Sprintf("role=%s sites=%s", u.Role, strings.Join(u.Sites, ",")), true)
	return userView(su), nil
}

func hUserCreate(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	var u UserCreate
	if err := decodeJSON(w, r, &u); err != nil {
		return err
	}
	v, err := s.CreateUser(r.Context(), p, &u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// UserUpdate is the body of PATCH /users/{name}.
type UserUpdate struct {
	Role     *string   `json:"role"`
	Sites    *[]string `json:"sites"`
	Password *string   `json:"password"`
	Disabled *bool     `json:"disabled"`
}

// UpdateUser changes a user.
func (s *Server) UpdateUser(ctx context.Context, p *Principal, name string, u *UserUpdate) (*UserView, error) {
	if !p.Can(PermAdmin) {
		return nil, errForbidden
	}
	su, err := s.st.UserByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("user")
	}
	if err != nil {
		return nil, err
	}
	var changes []string
	if u.Role != nil {
		if !ValidRole(*u.Role) {
			return nil, badField("role", "role is one of %s", strings.Join(Roles, ", "))
		}
		su.Role = *u.Role
		changes = append(changes, "role="+su.Role)
	}
	if u.Sites != nil {
		if err := checkSites(*u.Sites); err != nil {
			return nil, err
		}
		su.Sites = *u.Sites
		changes = append(changes, "sites="+strings.Join(su.Sites, ","))
	}
	if u.Password != nil {
		if err := ValidatePassword(*u.Password); err != nil {
			return nil, badField("password", "%v", err)
		}
		if su.PasswordHash, err = HashPassword(*u.Password); err != nil {
			return nil, err
		}
		changes = append(changes, "password")
	}
	if u.Disabled != nil {
		su.Disabled = *u.Disabled
		changes = append(changes, "disabled="+strconv.FormatBool(su.Disabled))
	}
	if len(changes) == 0 {
		return nil, errf(http.StatusBadRequest, CodeBadRequest, "", "no field to update (role, sites, password, disabled)")
	}
	if su.ID == p.UserID && (su.Disabled || su.Role != RoleAdmin || len(su.Sites) > 0) {
		return nil, &Error{Status: http.StatusConflict, Code: CodeConflict, Field: "username", Message: "you cannot lock yourself out: ask another admin"}
	}
	if err := s.st.UpdateUser(ctx, su); err != nil {
		return nil, err
	}
	s.audit(ctx, p.Username, "user.update", name, strings.Join(changes, " "), true)
	return userView(su), nil
}

func hUserPatch(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	var u UserUpdate
	if err := decodeJSON(w, r, &u); err != nil {
		return err
	}
	v, err := s.UpdateUser(r.Context(), p, r.PathValue("name"), &u)
	if err != nil {
		return err
	}
	return ok(w, v)
}

// TokenView is a token without its secret.
type TokenView struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Created  int64  `json:"created"`
	LastUsed int64  `json:"last_used"`
}

func hTokens(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	ts, err := s.st.Tokens(r.Context())
	if err != nil {
		return err
	}
	out := []*TokenView{}
	for _, t := range ts {
		out = append(out, &TokenView{ID: t.ID, Username: t.Username, Name: t.Name, Created: t.Created, LastUsed: t.LastUsed})
	}
	return ok(w, map[string]any{"tokens": out})
}

// CreateToken creates an API token for a user and returns its secret (shown once).
func CreateToken(ctx context.Context, st *store.Store, username, name string, now int64) (string, int64, error) {
	if name == "" || len(name) > 64 {
		return "", 0, badField("name", "a token name is 1–64 characters")
	}
	u, err := st.UserByName(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return "", 0, badField("username", "no user %q", username)
	}
	if err != nil {
		return "", 0, err
	}
	secret := NewSecret("qw_")
	id, err := st.CreateToken(ctx, &store.Token{UserID: u.ID, Name: name, Hash: HashSecret(secret), Created: now})
	if err != nil {
		return "", 0, err
	}
	return secret, id, nil
}

func hTokenCreate(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	var body struct {
		Username string `json:"username"`
		Name     string `json:"name"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.Username == "" {
		body.Username = p.Username
	}
	secret, id, err := CreateToken(r.Context(), s.st, body.Username, body.Name, s.now().Unix())
	if err != nil {
		return err
	}
	s.audit(r.Context(), p.Username, "token.create", body.Username, body.Name, true)
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "username": body.Username, "name": body.Name, "token": secret})
	return nil
}

func hTokenDelete(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return badField("id", "a token id is a number")
	}
	if err := s.st.DeleteToken(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFound("token")
		}
		return err
	}
	s.audit(r.Context(), p.Username, "token.revoke", strconv.FormatInt(id, 10), "", true)
	return ok(w, map[string]any{})
}

func hAudit(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
	if err := checkQuery(r, "limit", "offset"); err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 100, 1000)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 0)
	if err != nil {
		return err
	}
	es, total, err := s.st.AuditLog(r.Context(), limit, offset)
	if err != nil {
		return err
	}
	return ok(w, Page[*store.AuditEntry]{Items: nonNil(es), Total: total, Limit: limit, Offset: offset})
}
