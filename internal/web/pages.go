package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/quietwire/quietwire/internal/api"
	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/inventory"
)

func (u *UI) dashboard(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	site := r.URL.Query().Get("site")
	d, err := u.a.Dashboard(r.Context(), v.User, site)
	if err != nil {
		return "", err
	}
	v.Title, v.Nav, v.Live, v.Data = "Overview", "overview", true, d
	return "dashboard", nil
}

type devicesData struct {
	Page    *api.Page[*api.DeviceRow]
	Q       api.DeviceQuery
	Types   []string
	Export  string
	Prev    string
	Next    string
	Showing string
}

func (u *UI) devices(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	q := r.URL.Query()
	dq := api.DeviceQuery{Site: q.Get("site"), Type: q.Get("type"), Vendor: q.Get("vendor"), Purdue: q.Get("purdue_level"),
		Protocol: q.Get("protocol"), Q: q.Get("q"), Sort: q.Get("sort"), Desc: q.Get("order") == "desc", Limit: 100}
	dq.Offset, _ = strconv.Atoi(q.Get("offset"))
	dq.Offset = max(0, dq.Offset)
	v.Title, v.Nav, v.Live = "Device inventory", "devices", true
	page, err := u.a.Devices(r.Context(), v.User, dq)
	if err != nil {
		v.Data = &devicesData{Page: &api.Page[*api.DeviceRow]{}, Q: dq}
		return "devices", err
	}
	all, _ := u.a.Devices(r.Context(), v.User, api.DeviceQuery{Site: dq.Site, Limit: 1 << 30})
	types := map[string]bool{}
	var tl []string
	for _, d := range all.Items {
		if !types[d.Type] {
			types[d.Type] = true
			tl = append(tl, d.Type)
		}
	}
	exp := url.Values{}
	for _, k := range []string{"site", "type", "vendor", "purdue_level", "protocol", "q", "sort", "order"} {
		if x := q.Get(k); x != "" {
			exp.Set(k, x)
		}
	}
	dd := &devicesData{Page: page, Q: dq, Types: sortStrings(tl), Export: "/api/v1/devices/export?" + exp.Encode()}
	if dq.Offset > 0 {
		qq := r.URL.Query()
		qq.Set("offset", strconv.Itoa(max(0, dq.Offset-page.Limit)))
		dd.Prev = "/devices?" + qq.Encode()
	}
	if dq.Offset+len(page.Items) < page.Total {
		qq := r.URL.Query()
		qq.Set("offset", strconv.Itoa(dq.Offset+page.Limit))
		dd.Next = "/devices?" + qq.Encode()
	}
	if page.Total > 0 {
		dd.Showing = fmt.Sprintf("%d–%d of %d", dq.Offset+1, dq.Offset+len(page.Items), page.Total)
	} else {
		dd.Showing = "0 devices"
	}
	v.Data = dd
	return "devices", nil
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

type deviceData struct {
	D      *api.DeviceDetail
	Names  map[string]string // device id → display name, for connection peers
	Fields []string
}

func (u *UI) deviceView(r *http.Request, v *view, id string) error {
	d, err := u.a.Device(r.Context(), v.User, id)
	if err != nil {
		return err
	}
	names := map[string]string{}
	if page, err := u.a.Devices(r.Context(), v.User, api.DeviceQuery{Site: d.Site, Limit: 1 << 30}); err == nil {
		for _, x := range page.Items {
			names[x.ID] = x.Name
		}
	}
	v.Title, v.Nav, v.Data = d.Name, "devices", &deviceData{D: d, Names: names, Fields: api.UserFields}
	return nil
}

func (u *UI) device(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	return "device", u.deviceView(r, v, r.PathValue("id"))
}

func (u *UI) devicePost(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	id := r.PathValue("id")
	f := func(k string) *string { s := r.PostFormValue(k); return &s }
	auth := r.PostFormValue("authorized") == "true"
	var tags []string
	for _, t := range strings.Split(r.PostFormValue("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	upd := &api.DeviceUpdate{Name: f("name"), Zone: f("zone"), Purdue: f("purdue_level"), Type: f("device_type"), Notes: f("notes"), Authorized: &auth, Tags: &tags}
	if _, err := u.a.UpdateDevice(r.Context(), v.User, id, upd); err != nil {
		if e := api.AsError(err); e.Status == http.StatusBadRequest {
			if verr := u.deviceView(r, v, id); verr != nil {
				return "", verr
			}
			return "device", err
		}
		return "", err
	}
	http.Redirect(w, r, devPath(id)+"?flash=Saved", http.StatusSeeOther)
	return "", nil
}

type alertsData struct {
	Page       *api.Page[*detect.Alert]
	Q          api.AlertQuery
	Severities []string
	Engines    []string
	Statuses   []string
	Showing    string
	Prev, Next string
}

func (u *UI) alerts(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	q := r.URL.Query()
	aq := api.AlertQuery{Site: q.Get("site"), Severity: q.Get("severity"), Engine: q.Get("engine"), Status: q.Get("status"), Q: q.Get("q"), Limit: 100}
	aq.Offset, _ = strconv.Atoi(q.Get("offset"))
	aq.Offset = max(0, aq.Offset)
	v.Title, v.Nav, v.Live = "Alerts", "alerts", true
	ad := &alertsData{Q: aq, Severities: []string{"Critical", "Major", "Minor", "Warning"},
		Engines:  []string{"Policy violation", "Protocol violation", "Anomaly", "Malware", "Operational"},
		Statuses: []string{"open", "New", "Active", "Closed", "Muted", "Learned"}, Page: &api.Page[*detect.Alert]{}}
	v.Data = ad
	page, err := u.a.Alerts(r.Context(), v.User, aq)
	if err != nil {
		return "alerts", err
	}
	ad.Page = page
	ad.Showing = fmt.Sprintf("%d alerts", page.Total)
	if page.Total > len(page.Items) {
		ad.Showing = fmt.Sprintf("%d–%d of %d", aq.Offset+1, aq.Offset+len(page.Items), page.Total)
	}
	if aq.Offset > 0 {
		qq := r.URL.Query()
		qq.Set("offset", strconv.Itoa(max(0, aq.Offset-page.Limit)))
		ad.Prev = "/alerts?" + qq.Encode()
	}
	if aq.Offset+len(page.Items) < page.Total {
		qq := r.URL.Query()
		qq.Set("offset", strconv.Itoa(aq.Offset+page.Limit))
		ad.Next = "/alerts?" + qq.Encode()
	}
	return "alerts", nil
}

type alertData struct {
	A        *detect.Alert
	Src, Dst *api.DeviceRow
	Statuses []string
}

func (u *UI) alertView(r *http.Request, v *view, id string) error {
	a, err := u.a.Alert(r.Context(), v.User, id)
	if err != nil {
		return err
	}
	ad := &alertData{A: a, Statuses: []string{"New", "Active", "Closed", "Muted"}}
	if page, err := u.a.Devices(r.Context(), v.User, api.DeviceQuery{Site: a.Site, Limit: 1 << 30}); err == nil {
		for _, d := range page.Items {
			for _, addr := range append(append([]string{}, d.IPs...), d.MACs...) {
				if a.Src != "" && addr == a.Src {
					ad.Src = d
				}
				if a.Dst != "" && addr == a.Dst {
					ad.Dst = d
				}
			}
		}
	}
	v.Title, v.Nav, v.Live, v.Data = a.Title, "alerts", true, ad
	return nil
}

func (u *UI) alert(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	return "alert", u.alertView(r, v, r.PathValue("id"))
}

func (u *UI) alertPost(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	id := r.PathValue("id")
	var err error
	flash := "Saved"
	switch r.PostFormValue("action") {
	case "learn":
		_, err = u.a.LearnAlert(r.Context(), v.User, id)
		flash = "Added to the baseline"
	case "mute":
		_, err = u.a.UpdateAlert(r.Context(), v.User, id, &api.AlertUpdate{Status: "Muted"})
		flash = "Muted"
	default:
		_, err = u.a.UpdateAlert(r.Context(), v.User, id, &api.AlertUpdate{Status: r.PostFormValue("status"), Comment: r.PostFormValue("comment")})
	}
	if err != nil {
		if e := api.AsError(err); e.Status < 500 && e.Status != http.StatusNotFound {
			if verr := u.alertView(r, v, id); verr != nil {
				return "", verr
			}
			return "alert", err
		}
		return "", err
	}
	http.Redirect(w, r, "/alerts/"+url.PathEscape(id)+"?flash="+url.QueryEscape(flash), http.StatusSeeOther)
	return "", nil
}

func (u *UI) events(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	q := r.URL.Query()
	off, _ := strconv.Atoi(q.Get("offset"))
	page, err := u.a.Events(r.Context(), v.User, q.Get("site"), q.Get("kind"), 0, 0, 200, max(0, off))
	v.Title, v.Nav, v.Live = "Event timeline", "events", true
	if err != nil {
		v.Data = &api.Page[*api.Event]{}
		return "events", err
	}
	v.Data = page
	return "events", nil
}

func (u *UI) health(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	h, err := u.a.Health(r.Context(), v.User)
	if err != nil {
		return "", err
	}
	v.Title, v.Nav, v.Live, v.Data = "Sensor health", "health", true, h
	return "health", nil
}

type usersData struct {
	Users []*api.UserView
	Roles []string
}

func (u *UI) users(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	us, err := u.a.Users(r.Context(), v.User)
	if err != nil {
		return "", err
	}
	v.Title, v.Nav, v.Data = "Users", "users", &usersData{Users: us, Roles: api.Roles}
	return "users", nil
}

func (u *UI) usersPost(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	var err error
	name := r.PostFormValue("username")
	switch r.PostFormValue("action") {
	case "disable", "enable":
		dis := r.PostFormValue("action") == "disable"
		_, err = u.a.UpdateUser(r.Context(), v.User, name, &api.UserUpdate{Disabled: &dis})
	default:
		var sites []string
		for _, s := range strings.Split(r.PostFormValue("sites"), ",") {
			if s = strings.TrimSpace(s); s != "" {
				sites = append(sites, s)
			}
		}
		_, err = u.a.CreateUser(r.Context(), v.User, &api.UserCreate{Username: name, Password: r.PostFormValue("password"), Role: r.PostFormValue("role"), Sites: sites})
	}
	if err != nil {
		if e := api.AsError(err); e.Status < 500 {
			us, _ := u.a.Users(r.Context(), v.User)
			v.Title, v.Nav, v.Data = "Users", "users", &usersData{Users: us, Roles: api.Roles}
			return "users", err
		}
		return "", err
	}
	http.Redirect(w, r, "/users?flash=Saved", http.StatusSeeOther)
	return "", nil
}

// mapData is the network map: a server-side layout drawn as SVG.
type mapData struct {
	Group     string
	Protocol  string
	Protocols []string
	W, H      int
	Lanes     []lane
	Nodes     []*node
	Edges     []edge
	Count     int
}

type lane struct {
	Label   string
	Y, H    int
	Devices int
}

type node struct {
	ID, Name, Type, Class, Href, Addr string
	X, Y                              int
	Alerts                            int
	Neighbors                         string
}

type edge struct {
	X1, Y1, X2, Y2  int
	Proto, From, To string
}

func (u *UI) netmap(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	q := r.URL.Query()
	group := q.Get("group")
	if group != "subnet" && group != "vlan" {
		group = "purdue"
	}
	proto := q.Get("protocol")
	site := q.Get("site")
	page, err := u.a.Devices(r.Context(), v.User, api.DeviceQuery{Site: site, Limit: 1 << 30})
	if err != nil {
		return "", err
	}
	conns, err := u.a.Connections(r.Context(), v.User, site, "", "", 1<<30, 0)
	if err != nil {
		return "", err
	}
	md := &mapData{Group: group, Protocol: proto}
	protoSet := map[string]bool{}
	for _, c := range conns.Items {
		if !protoSet[c.Proto] {
			protoSet[c.Proto] = true
			md.Protocols = append(md.Protocols, c.Proto)
		}
	}
	sortStrings(md.Protocols)
	var cs []*inventory.Connection
	inEdge := map[string]bool{}
	for _, c := range conns.Items {
		if proto != "" && c.Proto != proto {
			continue
		}
		cs = append(cs, c)
		inEdge[c.Client], inEdge[c.Server] = true, true
	}
	var devs []*api.DeviceRow
	for _, d := range page.Items {
		if proto == "" || inEdge[d.ID] {
			devs = append(devs, d)
		}
	}
	sitesShown := map[string]bool{}
	for _, d := range devs {
		sitesShown[d.Site] = true
	}
	multiSite := len(sitesShown) > 1
	laneOf := func(d *api.DeviceRow) (string, string) {
		switch group {
		case "subnet":
			if len(d.IPs) > 0 {
				if i := strings.LastIndexByte(d.IPs[0], '.'); i > 0 && strings.Count(d.IPs[0], ".") == 3 {
					return d.Site + " " + d.IPs[0][:i] + ".0/24", d.Site + d.IPs[0][:i]
				}
				return d.Site + " IPv6", d.Site + "~v6"
			}
			return d.Site + " layer 2 only", d.Site + "~l2"
		case "vlan":
			if len(d.VLANs) > 0 {
				return fmt.Sprintf("%s VLAN %d", d.Site, d.VLANs[0]), fmt.Sprintf("%s%05d", d.Site, d.VLANs[0])
			}
			return d.Site + " untagged", d.Site + "~untagged"
		}
		order := map[string]string{"5": "0", "4": "1", "3": "2", "network": "3", "2": "4", "1": "5", "0": "6", "": "7"}
		if multiSite {
			return d.Site + " · " + api.PurdueLabel(d.Purdue), d.Site + order[d.Purdue]
		}
		return api.PurdueLabel(d.Purdue), order[d.Purdue]
	}
	type bucket struct {
		label, key string
		devs       []*api.DeviceRow
	}
	buckets := map[string]*bucket{}
	var keys []string
	for _, d := range devs {
		label, key := laneOf(d)
		b := buckets[key]
		if b == nil {
			b = &bucket{label: label, key: key}
			buckets[key] = b
			keys = append(keys, key)
		}
		b.devs = append(b.devs, d)
	}
	sortStrings(keys)
	const width, perRow, rowH, laneGap, nodeGap = 1160, 8, 92, 16, 118
	md.W = width
	pos := map[string]*node{}
	y := 10
	for _, k := range keys {
		b := buckets[k]
		rows := (len(b.devs) + perRow - 1) / perRow
		h := rows*rowH + 28
		md.Lanes = append(md.Lanes, lane{Label: b.label, Y: y, H: h, Devices: len(b.devs)})
		for i, d := range b.devs {
			row, col := i/perRow, i%perRow
			inRow := min(perRow, len(b.devs)-row*perRow)
			x0 := 180 + (width-180-inRow*nodeGap)/2 + nodeGap/2
			n := &node{ID: d.ID, Name: d.Name, Type: d.Type, Class: strings.ToLower(strings.ReplaceAll(d.Class, " ", "-")), Href: devPath(d.ID),
				X: x0 + col*nodeGap, Y: y + 40 + row*rowH, Alerts: d.OpenAlerts, Addr: first(d.IPs, d.MACs)}
			pos[d.ID] = n
			md.Nodes = append(md.Nodes, n)
		}
		y += h + laneGap
	}
	md.H = max(y, 200)
	nb := map[string][]string{}
	seen := map[string]bool{}
	for _, c := range cs {
		a, b := pos[c.Client], pos[c.Server]
		if a == nil || b == nil {
			continue
		}
		k := c.Client + ">" + c.Server + ">" + c.Proto
		if seen[k] {
			continue
		}
		seen[k] = true
		md.Edges = append(md.Edges, edge{X1: a.X, Y1: a.Y, X2: b.X, Y2: b.Y, Proto: c.Proto, From: c.Client, To: c.Server})
		nb[c.Client] = append(nb[c.Client], c.Server)
		nb[c.Server] = append(nb[c.Server], c.Client)
	}
	for _, n := range md.Nodes {
		n.Neighbors = strings.Join(nb[n.ID], " ")
	}
	md.Count = len(md.Nodes)
	v.Title, v.Nav, v.Data = "Network map", "map", md
	return "map", nil
}

func first(a, b []string) string {
	if len(a) > 0 {
		return a[0]
	}
	if len(b) > 0 {
		return b[0]
	}
	return ""
}
