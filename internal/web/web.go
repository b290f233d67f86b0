// Package web is Quietwire's web UI: server-rendered pages (html/template, embedded), a small
// style sheet and two small scripts (live refresh, map pan/zoom), with no build step. Every
// page calls the API's service methods, so roles, sites, CSRF and the audit log apply alike.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quietwire/quietwire/internal/api"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// UI serves the pages and, under /api/ and /metrics, the API.
type UI struct {
	a     *api.Server
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// Handler returns the whole HTTP surface: the UI, the API and the metrics.
func Handler(a *api.Server) http.Handler { return New(a) }

// New returns the UI over a.
func New(a *api.Server) *UI {
	u := &UI{a: a, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	base := template.Must(template.New("base.html").Funcs(funcs).ParseFS(templateFS, "templates/base.html"))
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "base" {
			continue
		}
		u.pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
	}
	static, _ := fs.Sub(staticFS, "static")
	fileServer := http.StripPrefix("/static/", http.FileServer(http.FS(static)))
	u.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	}))
	u.mux.Handle("/api/", a)
	u.mux.Handle("/metrics", a)
	u.mux.HandleFunc("GET /login", u.loginPage)
	u.mux.HandleFunc("POST /login", u.loginPost)
	u.mux.HandleFunc("POST /logout", u.page(api.PermRead, u.logout))
	u.mux.HandleFunc("GET /setup", u.setupPage)
	u.mux.HandleFunc("POST /setup", u.setupPost)
	u.mux.HandleFunc("GET /{$}", u.page(api.PermRead, u.dashboard))
	u.mux.HandleFunc("GET /devices", u.page(api.PermRead, u.devices))
	u.mux.HandleFunc("GET /devices/{id...}", u.page(api.PermRead, u.device))
	u.mux.HandleFunc("POST /devices/{id...}", u.page(api.PermTriage, u.devicePost))
	u.mux.HandleFunc("GET /map", u.page(api.PermRead, u.netmap))
	u.mux.HandleFunc("GET /alerts", u.page(api.PermRead, u.alerts))
	u.mux.HandleFunc("GET /alerts/{id}", u.page(api.PermRead, u.alert))
	u.mux.HandleFunc("POST /alerts/{id}", u.page(api.PermTriage, u.alertPost))
	u.mux.HandleFunc("GET /events", u.page(api.PermRead, u.events))
	u.mux.HandleFunc("GET /health", u.page(api.PermRead, u.health))
	u.mux.HandleFunc("GET /users", u.page(api.PermAdmin, u.users))
	u.mux.HandleFunc("POST /users", u.page(api.PermAdmin, u.usersPost))
	return u
}

func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	api.SecurityHeaders(w)
	if !strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/metrics" {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	}
	u.mux.ServeHTTP(w, r)
}

// view is what every page template receives.
type view struct {
	Title  string
	Nav    string
	User   *api.Principal
	CSRF   string
	Flash  string
	Error  string
	Sites  []string
	Data   any
	Req    *http.Request
	Now    time.Time
	Live   bool
	CanTri bool
	CanPca bool
	Admin  bool
}

type handler func(w http.ResponseWriter, r *http.Request, v *view) (string, error)

// page authenticates (redirecting to the login page), checks CSRF on posts and the role,
// then renders the template the handler names.
func (u *UI) page(perm api.Perm, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := u.a.Authenticate(r)
		if err != nil || p == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			u.errorPage(w, r, nil, &api.Error{Status: http.StatusUnauthorized, Code: api.CodeUnauthenticated, Message: "your session has ended: log in again"})
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if !api.CheckCSRF(r, p) {
				u.a.Audit(r.Context(), p.Username, "csrf.denied", r.Method+" "+r.URL.Path, "", false)
				u.errorPage(w, r, p, &api.Error{Status: http.StatusForbidden, Code: api.CodeCSRF, Message: "the form's CSRF token is missing or wrong: reload the page"})
				return
			}
		}
		if !p.Can(perm) {
			u.a.Audit(r.Context(), p.Username, "authz.denied", r.Method+" "+r.URL.Path, "role "+p.Role, false)
			u.errorPage(w, r, p, &api.Error{Status: http.StatusForbidden, Code: api.CodeForbidden, Message: "your role does not allow this page"})
			return
		}
		v := &view{User: p, CSRF: p.CSRF, Req: r, Now: time.Now(), CanTri: p.Can(api.PermTriage), CanPca: p.Can(api.PermEvidence), Admin: p.Can(api.PermAdmin)}
		v.Sites, _ = u.a.Sites(r.Context(), p)
		v.Flash = r.URL.Query().Get("flash")
		name, err := h(w, r, v)
		if err != nil {
			var e *api.Error
			if errors.As(err, &e) && e.Status == http.StatusNotFound {
				u.errorPage(w, r, p, e)
				return
			}
			if errors.As(err, &e) && e.Status < 500 && name != "" {
				v.Error = e.Message
				w.WriteHeader(e.Status)
				u.render(w, name, v)
				return
			}
			u.errorPage(w, r, p, err)
			return
		}
		if name != "" {
			u.render(w, name, v)
		}
	}
}

func (u *UI) render(w http.ResponseWriter, name string, v *view) {
	var buf bytes.Buffer
	if err := u.pages[name].ExecuteTemplate(&buf, "base.html", v); err != nil {
		http.Error(w, "template error: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	buf.WriteTo(w)
}

func (u *UI) errorPage(w http.ResponseWriter, r *http.Request, p *api.Principal, err error) {
	e := api.AsError(err)
	v := &view{Title: http.StatusText(e.Status), User: p, Req: r, Now: time.Now(), Data: e}
	if p != nil {
		v.CSRF = p.CSRF
	}
	w.WriteHeader(e.Status)
	u.render(w, "error", v)
}

func (u *UI) loginPage(w http.ResponseWriter, r *http.Request) {
	v := &view{Title: "Log in", Req: r, Now: time.Now()}
	if u.a.SetupNeeded(r.Context()) {
		v.Flash = "No account exists yet. Create the first admin with `quietwire user add NAME --role admin`, or open /setup with the one-time token printed at start."
	}
	u.render(w, "login", v)
}

func safeNext(s string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return "/"
	}
	return s
}

func (u *UI) loginPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	user, pw := r.PostFormValue("username"), r.PostFormValue("password")
	_, err := u.a.Login(w, r, user, pw)
	if err != nil {
		e := api.AsError(err)
		v := &view{Title: "Log in", Req: r, Now: time.Now(), Error: e.Message}
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
		}
		w.WriteHeader(e.Status)
		u.render(w, "login", v)
		return
	}
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request, v *view) (string, error) {
	u.a.Logout(w, r, v.User)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return "", nil
}

func (u *UI) setupPage(w http.ResponseWriter, r *http.Request) {
	v := &view{Title: "First admin", Req: r, Now: time.Now()}
	if !u.a.SetupNeeded(r.Context()) {
		v.Error = "Setup is closed: an account exists."
	}
	u.render(w, "setup", v)
}

func (u *UI) setupPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	err := u.a.Setup(r.Context(), r.RemoteAddr, r.PostFormValue("token"), r.PostFormValue("username"), r.PostFormValue("password"))
	if err != nil {
		e := api.AsError(err)
		w.WriteHeader(e.Status)
		u.render(w, "setup", &view{Title: "First admin", Req: r, Now: time.Now(), Error: e.Message})
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// Template functions.
var funcs = template.FuncMap{
	"ts": func(ns int64) string {
		if ns == 0 {
			return "—"
		}
		return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05")
	},
	"unix": func(s int64) string {
		if s == 0 {
			return "—"
		}
		return time.Unix(s, 0).UTC().Format("2006-01-02 15:04:05")
	},
	"bytes": humanBytes,
	"num":   humanNum,
	"pct":   func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"pctw": func(n, total uint64) string {
		if total == 0 {
			return "0"
		}
		return fmt.Sprintf("%.1f", float64(n)*100/float64(total))
	},
	"lower":    strings.ToLower,
	"join":     strings.Join,
	"devpath":  devPath,
	"sevclass": func(s any) string { return "sev-" + strings.ToLower(fmt.Sprint(s)) },
	"stclass":  func(s string) string { return "st-" + strings.ToLower(s) },
	"purdue":   api.PurdueLabel,
	"role":     api.RoleTitle,
	"technique": func(id string) api.Technique {
		return api.LookupTechnique(id)
	},
	"conf": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"query": func(r *http.Request, kv ...string) string {
		q := r.URL.Query()
		q.Del("flash")
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				q.Del(kv[i])
			} else {
				q.Set(kv[i], kv[i+1])
			}
		}
		return r.URL.Path + "?" + q.Encode()
	},
	"qget": func(r *http.Request, k string) string { return r.URL.Query().Get(k) },
	"first": func(s []string) string {
		if len(s) == 0 {
			return ""
		}
		return s[0]
	},
	"add": func(a, b int) int { return a + b },
	"sortlink": func(r *http.Request, key string) string {
		q := r.URL.Query()
		if q.Get("sort") == key && q.Get("order") != "desc" {
			q.Set("order", "desc")
		} else {
			q.Del("order")
		}
		q.Set("sort", key)
		q.Del("offset")
		return r.URL.Path + "?" + q.Encode()
	},
	"sortmark": func(r *http.Request, key string) string {
		q := r.URL.Query()
		if q.Get("sort") != key {
			return ""
		}
		if q.Get("order") == "desc" {
			return "▼"
		}
		return "▲"
	},
	"maxn": func(cs []api.Count) uint64 {
		var m uint64
		for _, c := range cs {
			m = max(m, c.N)
		}
		return m
	},
	"sortedmap": func(m map[string]uint64) []api.Count {
		var out []api.Count
		for k, v := range m {
			out = append(out, api.Count{Label: k, N: v})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
		return out
	},
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i
		}
		return s
	},
	"eq2":  func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
	"list": func(s ...string) []string { return s },
	"mulf": func(f float64) float64 { return f * 100 },
	"u64":  func(n int64) uint64 { return uint64(max(n, 0)) },
}

func devPath(id string) string {
	parts := strings.Split(id, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return "/devices/" + strings.Join(parts, "/")
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func humanNum(n any) string {
	var f float64
	switch x := n.(type) {
	case int:
		f = float64(x)
	case uint64:
		f = float64(x)
	case int64:
		f = float64(x)
	case float64:
		f = x
	default:
		return fmt.Sprint(n)
	}
	switch {
	case math.Abs(f) >= 1e9:
		return fmt.Sprintf("%.1fG", f/1e9)
	case math.Abs(f) >= 1e6:
		return fmt.Sprintf("%.1fM", f/1e6)
	case math.Abs(f) >= 1e4:
		return fmt.Sprintf("%.1fk", f/1e3)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
