package api

import (
	"regexp"
	"strings"
)

var pathParam = regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)

// OpenAPIPath turns a mux pattern path into an OpenAPI path ("{id...}" → "{id}").
func OpenAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

var queryDocs = map[string]string{
	"site": "only this site", "type": "device type (PLC, HMI, …)", "vendor": "vendor contains", "purdue_level": "Purdue level 0–5 or network",
	"protocol": "protocol name (modbus, s7comm, …)", "q": "free-text search", "sort": "sort key", "order": "asc or desc",
	"limit": "page size (≤ 1000, default 100)", "offset": "items to skip", "severity": "Critical, Major, Minor or Warning",
	"engine": "Policy violation, Protocol violation, Anomaly, Malware or Operational", "status": "open, New, Active, Closed, Muted or Learned",
	"device": "device id", "kind": "alert, alert_comment, device_discovered or attribute_changed", "since": "from (ns since 1970)", "until": "to (ns since 1970)",
}

func obj(props map[string]any, required ...string) map[string]any {
	m := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		m["required"] = required
	}
	return m
}

var (
	str  = map[string]any{"type": "string"}
	num  = map[string]any{"type": "integer"}
	boo  = map[string]any{"type": "boolean"}
	strs = map[string]any{"type": "array", "items": str}
	any_ = map[string]any{"type": "object"}
)

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func page(item string) map[string]any {
	return map[string]any{"type": "object", "properties": map[string]any{
		"items": map[string]any{"type": "array", "items": ref(item)}, "total": num, "limit": num, "offset": num}}
}

func schemas() map[string]any {
	return map[string]any{
		"Error":       obj(map[string]any{"error": obj(map[string]any{"code": str, "message": str, "field": str}, "code", "message")}, "error"),
		"Setup":       obj(map[string]any{"token": str, "username": str, "password": str}, "token", "username", "password"),
		"Login":       obj(map[string]any{"username": str, "password": str}, "username", "password"),
		"LoginResult": map[string]any{"type": "object", "properties": map[string]any{"username": str, "role": str, "sites": strs, "csrf_token": str}},
		"Me":          map[string]any{"type": "object", "properties": map[string]any{"username": str, "role": str, "sites": strs, "via": str, "csrf_token": str}},
		"SiteList":    map[string]any{"type": "object", "properties": map[string]any{"sites": strs}},
		"ZoneList":    map[string]any{"type": "object", "properties": map[string]any{"zones": map[string]any{"type": "array", "items": any_}}},
		"Device": map[string]any{"type": "object", "properties": map[string]any{"id": str, "site": str, "name": str, "ips": strs, "macs": strs,
			"vendor": str, "model": str, "firmware": str, "serial": str, "device_type": str, "class": str, "purdue_level": str, "zone": str,
			"protocols": strs, "authorized": boo, "notes": str, "tags": strs, "flags": strs, "first_seen": num, "last_seen": num, "open_alerts": num}},
		"DevicePage":   page("Device"),
		"DeviceDetail": map[string]any{"allOf": []any{ref("Device"), map[string]any{"type": "object", "properties": map[string]any{"attributes": map[string]any{"type": "array", "items": any_}, "connections": map[string]any{"type": "array", "items": ref("Connection")}, "alerts": map[string]any{"type": "array", "items": ref("Alert")}, "device": any_}}}},
		"DeviceUpdate": obj(map[string]any{"name": str, "zone": str, "purdue_level": str, "device_type": str, "authorized": boo, "notes": str, "tags": strs}),
		"ImportResult": map[string]any{"type": "object", "properties": map[string]any{"updated": num}},
		"Connection": map[string]any{"type": "object", "properties": map[string]any{"client": str, "server": str, "client_addr": str, "server_addr": str, "protocol": str,
			"transport": str, "port": num, "packets": num, "bytes": num, "flows": num, "first_seen": num, "last_seen": num, "commands": any_, "period_s": map[string]any{"type": "number"}}},
		"ConnectionPage": page("Connection"),
		"Alert": map[string]any{"type": "object", "properties": map[string]any{"id": str, "rule": str, "title": str, "engine": str, "severity": str, "category": str,
			"mitre_attack_ics": strs, "remediation": str, "message": str, "src": str, "dst": str, "protocol": str, "first_seen": num, "last_seen": num, "count": num,
			"status": str, "site": str, "comments": map[string]any{"type": "array", "items": any_}}},
		"AlertPage":      page("Alert"),
		"AlertUpdate":    obj(map[string]any{"status": map[string]any{"type": "string", "enum": []string{"New", "Active", "Closed", "Muted"}}, "comment": str}),
		"Event":          map[string]any{"type": "object", "properties": map[string]any{"ts": num, "site": str, "kind": str, "severity": str, "title": str, "detail": str, "device": str, "alert": str}},
		"EventPage":      page("Event"),
		"BaselineStatus": map[string]any{"type": "object", "properties": map[string]any{"site": str, "exists": boo, "operational": boo, "started": num, "learn_until": num, "learning_progress": map[string]any{"type": "number"}, "devices": num, "edges": num, "commands": num}},
		"Health":         map[string]any{"type": "object", "properties": map[string]any{"mode": str, "version": str, "uptime_s": map[string]any{"type": "number"}, "engine": any_, "store": any_, "sites": map[string]any{"type": "array", "items": any_}}},
		"Dashboard":      any_,
		"User":           map[string]any{"type": "object", "properties": map[string]any{"username": str, "role": str, "sites": strs, "disabled": boo, "created": num}},
		"UserList":       map[string]any{"type": "object", "properties": map[string]any{"users": map[string]any{"type": "array", "items": ref("User")}}},
		"UserCreate":     obj(map[string]any{"username": str, "password": str, "role": map[string]any{"type": "string", "enum": Roles}, "sites": strs}, "username", "password", "role"),
		"UserUpdate":     obj(map[string]any{"password": str, "role": map[string]any{"type": "string", "enum": Roles}, "sites": strs, "disabled": boo}),
		"Token":          map[string]any{"type": "object", "properties": map[string]any{"id": num, "username": str, "name": str, "created": num, "last_used": num}},
		"TokenList":      map[string]any{"type": "object", "properties": map[string]any{"tokens": map[string]any{"type": "array", "items": ref("Token")}}},
		"TokenCreate":    obj(map[string]any{"username": str, "name": str}, "name"),
		"TokenCreated":   map[string]any{"type": "object", "properties": map[string]any{"id": num, "username": str, "name": str, "token": str}},
		"AuditPage":      map[string]any{"type": "object", "properties": map[string]any{"items": map[string]any{"type": "array", "items": any_}, "total": num}},
		"object":         any_,
	}
}

func content(kind string) map[string]any {
	switch kind {
	case "csv":
		return map[string]any{"text/csv": map[string]any{"schema": str}}
	case "pcap":
		return map[string]any{"application/vnd.tcpdump.pcap": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
	case "baseline":
		return map[string]any{"application/json": map[string]any{"schema": any_}}
	}
	return map[string]any{"application/json": map[string]any{"schema": ref(kind)}}
}

func errResp(desc string) map[string]any {
	return map[string]any{"description": desc, "content": content("Error")}
}

// OpenAPI returns the OpenAPI 3 document, generated from the route table.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]any{}
	for _, rt := range s.routes {
		p := OpenAPIPath(rt.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		op := map[string]any{"summary": rt.Summary, "tags": []string{rt.Tag},
			"operationId": strings.ToLower(rt.Method) + strings.ReplaceAll(strings.Title(strings.NewReplacer("/api/v1/", "", "{", "", "}", "", "...", "", "/", " ", ".", " ").Replace(rt.Path)), " ", "")}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			d := m[1]
			if m[2] != "" {
				d += " (may contain '/'; URL-encode it)"
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": str, "description": d})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": str, "description": queryDocs[q]})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Body != "" {
			op["requestBody"] = map[string]any{"required": true, "content": content(rt.Body)}
		}
		resp := map[string]any{"description": "OK"}
		if rt.Resp != "" {
			resp["content"] = content(rt.Resp)
		}
		responses := map[string]any{"200": resp, "400": errResp("invalid request: the error names the field")}
		if rt.Method == "POST" && (rt.Resp == "User" || rt.Resp == "TokenCreated") {
			responses["201"] = resp
			delete(responses, "200")
		}
		if rt.Perm != PermPublic {
			responses["401"] = errResp("not authenticated")
			responses["403"] = errResp("role not allowed, or missing CSRF token on a cookie-authenticated change")
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"session": []string{}}}
		} else {
			op["security"] = []any{}
		}
		if rt.SiteScoped || strings.Contains(rt.Path, "{") {
			responses["404"] = errResp("no such object, or it belongs to a site outside the caller's")
		}
		if rt.Path == "/api/v1/login" {
			responses["429"] = errResp("throttled after failed logins (Retry-After)")
		}
		op["responses"] = responses
		op["x-quietwire-permission"] = rt.Perm.String()
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Quietwire API", "version": "1", "description": "Passive OT/ICS sensor: inventory, alerts, baseline, health. " +
			"Authenticate with a bearer token (Authorization: Bearer qw_…) or the session cookie; cookie-authenticated changes need the X-CSRF-Token header."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas(),
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
			},
		},
	}
}
