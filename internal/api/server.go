// Package api is Quietwire's REST API (/api/v1) with its OpenAPI document, authentication
// (sessions for the UI, bearer tokens for scripts), roles limited to sites, CSRF protection,
// login throttling, the audit log and Prometheus metrics. The web UI (internal/web) calls the
// same service methods, so both apply the same rules.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/quietwire/quietwire/internal/store"
)

// Config configures a Server.
type Config struct {
	// Version is reported by /health.
	Version string
	// Now is the clock for sessions, audit and comments (time.Now).
	Now func() time.Time
	// Logger receives internal errors (log.Default()).
	Logger *log.Logger
}

// Server is the API.
type Server struct {
	cfg     Config
	b       Backend
	st      *store.Store
	thr     *throttle
	met     *metrics
	started time.Time
	routes  []*Route
	mux     *http.ServeMux
}

// New returns a server over b.
func New(b Backend, cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = log.Default()
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	s := &Server{cfg: cfg, st: b.Store(), thr: newThrottle(), started: cfg.Now()}
	s.met = newMetrics(s)
	s.b = timed{Backend: b, obs: s.met.observeStore}
	s.routes = routes()
	s.mux = http.NewServeMux()
	paths := http.NewServeMux()
	seen := map[string]bool{}
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
		if !seen[rt.Path] {
			seen[rt.Path] = true
			paths.Handle(rt.Path, http.NotFoundHandler())
		}
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if _, pat := paths.Handler(r); pat != "" {
			WriteError(w, errf(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "", "%s is not allowed on %s", r.Method, r.URL.Path))
			return
		}
		WriteError(w, notFound("route"))
	})
	s.mux.Handle("GET /metrics", s.wrap(&Route{Method: "GET", Path: "/metrics", Perm: PermRead, h: func(s *Server, w http.ResponseWriter, r *http.Request, p *Principal) error {
		s.met.handler.ServeHTTP(w, r)
		return nil
	}}))
	return s
}

// Routes returns the route table.
func (s *Server) Routes() []*Route { return s.routes }

// Backend returns the (timed) backend.
func (s *Server) Backend() Backend { return s.b }

// Store returns the store.
func (s *Server) Store() *store.Store { return s.st }

// ServeHTTP serves /api/v1/… and /metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	s.mux.ServeHTTP(w, r)
}

func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Strict-Transport-Security", "max-age=31536000")
}

// SecurityHeaders sets the headers every response carries (the web UI adds its CSP).
func SecurityHeaders(w http.ResponseWriter) { securityHeaders(w) }

func (s *Server) audit(ctx context.Context, user, action, target, detail string, ok bool) {
	if err := s.st.Audit(context.WithoutCancel(ctx), &store.AuditEntry{TS: s.now().Unix(), Username: user, Action: action, Target: target, Detail: detail, OK: ok}); err != nil {
		s.cfg.Logger.Printf("api: %v", err)
	}
}

// Audit records an entry in the audit log (for the web UI's own actions).
func (s *Server) Audit(ctx context.Context, user, action, target, detail string, ok bool) {
	s.audit(ctx, user, action, target, detail, ok)
}

func isChange(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// Authenticate returns the caller of r: a bearer token, or a session cookie. It returns nil
// (and no error) for an anonymous request.
func (s *Server) Authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			return nil, errf(http.StatusUnauthorized, CodeUnauthenticated, "", "the Authorization header takes a bearer token")
		}
		t, err := s.st.TokenByHash(ctx, HashSecret(strings.TrimSpace(tok)))
		if errors.Is(err, store.ErrNotFound) {
			return nil, errf(http.StatusUnauthorized, CodeUnauthenticated, "", "unknown or revoked token")
		}
		if err != nil {
			return nil, err
		}
		u, err := s.st.UserByID(ctx, t.UserID)
		if err != nil {
			return nil, err
		}
		if u.Disabled {
			return nil, errf(http.StatusUnauthorized, CodeUnauthenticated, "", "the token's user is disabled")
		}
		now := s.now().Unix()
		if now-t.LastUsed > 60 {
			s.st.TouchToken(ctx, t.ID, now)
		}
		return &Principal{UserID: u.ID, Username: u.Username, Role: u.Role, Sites: u.Sites, Via: "token"}, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	h := HashSecret(c.Value)
	se, err := s.st.SessionByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if now.Sub(time.Unix(se.LastSeen, 0)) > SessionIdle {
		s.st.DeleteSession(ctx, h)
		return nil, nil
	}
	u, err := s.st.UserByID(ctx, se.UserID)
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Disabled {
		s.st.DeleteSession(ctx, h)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if now.Unix()-se.LastSeen >= 15 {
		s.st.TouchSession(ctx, h, now.Unix())
	}
	return &Principal{UserID: u.ID, Username: u.Username, Role: u.Role, Sites: u.Sites, Via: "session", CSRF: se.CSRF}, nil
}

// CheckCSRF verifies the synchronizer token of a cookie-authenticated change: the
// X-CSRF-Token header or, for forms, the csrf_token field.
func CheckCSRF(r *http.Request, p *Principal) bool {
	if p.Via != "session" || !isChange(r.Method) {
		return true
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" {
			got = r.PostFormValue("csrf_token")
		}
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRF)) == 1
}

// Guard authenticates r and checks CSRF and perm. On failure it has written the error (and
// audited it) and returns nil.
func (s *Server) Guard(w http.ResponseWriter, r *http.Request, perm Perm) *Principal {
	p, err := s.Authenticate(r)
	if err != nil {
		WriteError(w, err)
		return nil
	}
	if p == nil {
		WriteError(w, errf(http.StatusUnauthorized, CodeUnauthenticated, "", "log in or send a bearer token"))
		return nil
	}
	if !CheckCSRF(r, p) {
		s.audit(r.Context(), p.Username, "csrf.denied", r.Method+" "+r.URL.Path, clientAddr(r), false)
		s.met.denied.WithLabelValues("csrf").Inc()
		WriteError(w, errf(http.StatusForbidden, CodeCSRF, CSRFHeader, "missing or wrong CSRF token"))
		return nil
	}
	if !p.Can(perm) {
		s.audit(r.Context(), p.Username, "authz.denied", r.Method+" "+r.URL.Path, "role "+p.Role+" lacks "+perm.String(), false)
		s.met.denied.WithLabelValues("role").Inc()
		WriteError(w, errForbidden)
		return nil
	}
	return p
}

func (s *Server) wrap(rt *Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p *Principal
		if rt.Perm != PermPublic {
			if p = s.Guard(w, r, rt.Perm); p == nil {
				return
			}
		}
		if err := rt.h(s, w, r, p); err != nil {
			s.fail(w, r, p, err)
		}
	})
}

// fail writes err, auditing hidden-object denials and logging internal errors.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, p *Principal, err error) {
	e := AsError(err)
	if errors.Is(err, store.ErrNotFound) {
		e = notFound("object")
	}
	if e.hidden && p != nil {
		s.audit(r.Context(), p.Username, "authz.denied", r.Method+" "+r.URL.Path, "object of a site outside the user's sites", false)
		s.met.denied.WithLabelValues("site").Inc()
	}
	if e.Code == CodeInternal {
		s.cfg.Logger.Printf("api: %s %s: %v", r.Method, r.URL.Path, err)
	}
	WriteError(w, e)
}

// Body size limits.
const (
	maxJSONBody     = 64 << 10
	maxCSVBody      = 8 << 20
	maxBaselineBody = 32 << 20
)

// decodeJSON reads a JSON object body into v, rejecting unknown fields, trailing data and
// bodies over limit.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return errf(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "", "send application/json")
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return errf(http.StatusBadRequest, CodeBadRequest, "", "one JSON object per request")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errf(http.StatusBadRequest, CodeBadRequest, "", "trailing data after the JSON object")
	}
	return nil
}

func jsonError(err error) *Error {
	var mbe *http.MaxBytesError
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &mbe):
		return errf(http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "", "the body is larger than %d bytes", mbe.Limit)
	case errors.As(err, &ute):
		f := ute.Field
		if f == "" {
			return errf(http.StatusBadRequest, CodeBadRequest, "", "the body must be a JSON object")
		}
		return badField(f, "%s must be a JSON %s", f, jsonKind(ute.Type.Kind().String()))
	case errors.As(err, &se):
		return errf(http.StatusBadRequest, CodeBadRequest, "", "invalid JSON at byte %d", se.Offset)
	case errors.Is(err, io.EOF):
		return errf(http.StatusBadRequest, CodeBadRequest, "", "empty body: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errf(http.StatusBadRequest, CodeBadRequest, "", "truncated JSON")
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f, _ = strconv.Unquote(f)
		return errf(http.StatusBadRequest, CodeUnknownField, f, "unknown field %q", f)
	}
	return errf(http.StatusBadRequest, CodeBadRequest, "", "invalid JSON: %v", err)
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice":
		return "array"
	case "ptr", "struct", "map":
		return "object or value of the documented type"
	}
	return "number"
}

// readBody reads a raw body up to limit.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, jsonError(err)
	}
	return b, nil
}

// intParam parses a non-negative integer query parameter.
func intParam(r *http.Request, name string, def, maxv int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badField(name, "%s is a non-negative integer", name)
	}
	if maxv > 0 && n > maxv {
		return 0, badField(name, "%s is at most %d", name, maxv)
	}
	return n, nil
}

func int64Param(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, badField(name, "%s is a time in nanoseconds since 1970", name)
	}
	return n, nil
}

// checkQuery rejects query parameters the route does not take.
func checkQuery(r *http.Request, allowed ...string) error {
	for k := range r.URL.Query() {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return errf(http.StatusBadRequest, CodeUnknownField, k, "unknown query parameter %q", k)
		}
	}
	return nil
}

// LoginResult is returned by a successful login.
type LoginResult struct {
	Username string   `json:"username"`
	Role     string   `json:"role"`
	Sites    []string `json:"sites"`
	CSRF     string   `json:"csrf_token"`
}

// Login checks credentials with throttling and, on success, creates a session and sets the
// cookie. It audits every attempt.
func (s *Server) Login(w http.ResponseWriter, r *http.Request, username, password string) (*LoginResult, error) {
	ctx := r.Context()
	addr := clientAddr(r)
	now := s.now()
	ukey, akey := "u:"+strings.ToLower(username), "a:"+addr
	if wait := s.thr.wait(now, ukey, akey); wait > 0 {
		s.audit(ctx, username, "login", addr, "throttled", false)
		s.met.logins.WithLabelValues("throttled").Inc()
		secs := int(wait.Seconds() + 0.999)
		return nil, &Error{Status: http.StatusTooManyRequests, Code: CodeThrottled, Message: fmt.Sprintf("too many failed logins: retry in %d s", secs), RetryAfter: secs}
	}
	u, err := s.st.UserByName(ctx, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	ok := err == nil && !u.Disabled && CheckPassword(u.PasswordHash, password)
	if err != nil {
		CheckPassword(dummyHash(), password) // same work for unknown users
	}
	if !ok {
		s.thr.fail(now, ukey, akey)
		s.audit(ctx, username, "login", addr, "bad credentials", false)
		s.met.logins.WithLabelValues("failed").Inc()
		return nil, errf(http.StatusUnauthorized, CodeBadCredentials, "", "wrong user name or password")
	}
	s.thr.reset(ukey)
	sid, csrf := NewSecret(""), NewSecret("")
	if err := s.st.CreateSession(ctx, &store.Session{IDHash: HashSecret(sid), UserID: u.ID, CSRF: csrf, Created: now.Unix(), LastSeen: now.Unix()}); err != nil {
		return nil, err
	}
	s.st.DeleteIdleSessions(ctx, now.Add(-SessionIdle).Unix())
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sid, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	s.audit(ctx, u.Username, "login", addr, "ok", true)
	s.met.logins.WithLabelValues("ok").Inc()
	return &LoginResult{Username: u.Username, Role: u.Role, Sites: nonNil(u.Sites), CSRF: csrf}, nil
}

var dummy string

func dummyHash() string {
	if dummy == "" {
		dummy, _ = HashPassword("dummy-password-for-timing")
	}
	return dummy
}

// Logout ends the session of r and clears the cookie.
func (s *Server) Logout(w http.ResponseWriter, r *http.Request, p *Principal) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.st.DeleteSession(r.Context(), HashSecret(c.Value))
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	if p != nil {
		s.audit(r.Context(), p.Username, "logout", clientAddr(r), "", true)
	}
}

// SetupTokenKey is the settings row holding the hash of the one-time setup token.
const SetupTokenKey = "setup_token_hash"

// PrepareSetup returns a new one-time setup token when no user exists ("" otherwise). Only
// its hash is stored; a new call replaces the previous token.
func (s *Server) PrepareSetup(ctx context.Context) (string, error) {
	n, err := s.st.UserCount(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	tok := NewSecret("qws_")
	if err := s.st.SetSetting(ctx, SetupTokenKey, HashSecret(tok)); err != nil {
		return "", err
	}
	return tok, nil
}

// SetupNeeded reports whether no user exists yet.
func (s *Server) SetupNeeded(ctx context.Context) bool {
	n, err := s.st.UserCount(ctx)
	return err == nil && n == 0
}

// Setup creates the first admin with the one-time token.
func (s *Server) Setup(ctx context.Context, addr, token, username, password string) error {
	h, ok, err := s.st.Setting(ctx, SetupTokenKey)
	if err != nil {
		return err
	}
	if !ok || !s.SetupNeeded(ctx) {
		s.audit(ctx, username, "setup", addr, "setup closed", false)
		return errf(http.StatusConflict, CodeSetupClosed, "", "setup is closed: a user exists or no setup token was issued")
	}
	if subtle.ConstantTimeCompare([]byte(HashSecret(token)), []byte(h)) != 1 {
		s.audit(ctx, username, "setup", addr, "wrong token", false)
		return errf(http.StatusForbidden, CodeForbidden, "token", "wrong setup token")
	}
	if !ValidUsername(username) {
		return badField("username", "a user name is 1–64 letters, digits, '.', '_', '-' or '@'")
	}
	if err := ValidatePassword(password); err != nil {
		return badField("password", "%v", err)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	err = s.st.CreateFirstAdmin(ctx, &store.User{Username: username, PasswordHash: hash, Role: RoleAdmin, Created: s.now().Unix()}, SetupTokenKey)
	if errors.Is(err, store.ErrExists) {
		return errf(http.StatusConflict, CodeSetupClosed, "", "setup is closed: a user exists")
	}
	if err != nil {
		return err
	}
	s.audit(ctx, username, "setup", addr, "first admin created", true)
	return nil
}
