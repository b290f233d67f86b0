package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Roles.
const (
	RoleAdmin    = "admin"
	RoleAnalyst  = "analyst"
	RoleReadOnly = "readonly"
)

// Roles lists the roles, most powerful first.
var Roles = []string{RoleAdmin, RoleAnalyst, RoleReadOnly}

// RoleTitle is the name shown to people.
func RoleTitle(r string) string {
	switch r {
	case RoleAdmin:
		return "Admin"
	case RoleAnalyst:
		return "Security Analyst"
	case RoleReadOnly:
		return "Read-only"
	}
	return r
}

// ValidRole reports whether r is a role.
func ValidRole(r string) bool { return slices.Contains(Roles, r) }

// Perm is what a route needs.
type Perm int

const (
	PermPublic   Perm = iota // no authentication (login, setup, the OpenAPI document)
	PermRead                 // every role: inventory, alerts, health
	PermEvidence             // analyst and admin: alert pcaps (they carry payloads)
	PermTriage               // analyst and admin: alert status, comments, learn, mute; device fields; CSV import
	PermBaseline             // admin: baseline import
	PermAdmin                // admin with every site: users, tokens, audit log
)

var permNames = map[Perm]string{PermPublic: "public", PermRead: "read", PermEvidence: "evidence", PermTriage: "triage", PermBaseline: "baseline", PermAdmin: "admin"}

func (p Perm) String() string { return permNames[p] }

// Principal is the authenticated caller.
type Principal struct {
	UserID   int64
	Username string
	Role     string
	Sites    []string // empty: all sites
	Via      string   // "session" or "token"
	CSRF     string   // the session's CSRF token
}

// AllSites reports whether the principal is not limited to sites.
func (p *Principal) AllSites() bool { return len(p.Sites) == 0 }

// CanSee reports whether the principal may see objects of site.
func (p *Principal) CanSee(site string) bool { return p.AllSites() || slices.Contains(p.Sites, site) }

// Can reports whether the principal's role grants perm.
func (p *Principal) Can(perm Perm) bool {
	switch perm {
	case PermPublic, PermRead:
		return true
	case PermEvidence, PermTriage:
		return p.Role == RoleAdmin || p.Role == RoleAnalyst
	case PermBaseline:
		return p.Role == RoleAdmin
	case PermAdmin:
		return p.Role == RoleAdmin && p.AllSites()
	}
	return false
}

// PasswordParams are the argon2id parameters for new hashes (RFC 9106's second recommended
// option: 64 MiB, 3 passes). Tests lower them.
var PasswordParams = struct {
	Time    uint32
	MemKiB  uint32
	Threads uint8
}{Time: 3, MemKiB: 64 * 1024, Threads: 2}

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := PasswordParams
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemKiB, p.Threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemKiB, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword verifies pw against a hash made by HashPassword.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var th uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil || m == 0 || t == 0 || th == 0 || m > 1<<22 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, th, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// ValidatePassword enforces the password policy.
func ValidatePassword(pw string) error {
	if len(pw) < 12 {
		return errors.New("a password has at least 12 characters")
	}
	if len(pw) > 1024 {
		return errors.New("a password has at most 1024 characters")
	}
	return nil
}

// ValidUsername: letters, digits, . _ - @, 1–64 characters.
func ValidUsername(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '@') {
			return false
		}
	}
	return true
}

// NewSecret returns a random URL-safe secret with a prefix ("qw_" for API tokens).
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret hashes a high-entropy secret (token, session id) for storage. SHA-256 suffices:
// the secrets are 256-bit random values, not passwords.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// SessionCookie is the UI's session cookie. The __Host- prefix makes browsers insist on
// Secure, Path=/ and no Domain.
const SessionCookie = "__Host-quietwire_session"

// SessionIdle is how long a session lives without a request.
const SessionIdle = 30 * time.Minute

// CSRFHeader carries the synchronizer token on cookie-authenticated changes (forms use the
// csrf_token field).
const CSRFHeader = "X-CSRF-Token"

// throttle slows password guessing: after Free failures a key (user name or client address)
// must wait Base·2^(failures-Free), capped at Max, before the next attempt is even checked.
type throttle struct {
	mu    sync.Mutex
	Free  int
	Base  time.Duration
	Max   time.Duration
	state map[string]*failures
}

type failures struct {
	n     int
	until time.Time
	last  time.Time
}

func newThrottle() *throttle {
	return &throttle{Free: 3, Base: time.Second, Max: 15 * time.Minute, state: map[string]*failures{}}
}

// wait returns how long the key must still wait.
func (t *throttle) wait(now time.Time, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var w time.Duration
	for _, k := range keys {
		if f := t.state[k]; f != nil && f.until.After(now) {
			w = max(w, f.until.Sub(now))
		}
	}
	return w
}

func (t *throttle) fail(now time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.state) > 100_000 { // bound memory under a spray of names
		for k, f := range t.state {
			if now.Sub(f.last) > t.Max {
				delete(t.state, k)
			}
		}
	}
	for _, k := range keys {
		f := t.state[k]
		if f == nil || now.Sub(f.last) > 24*time.Hour {
			f = &failures{}
			t.state[k] = f
		}
		f.n++
		f.last = now
		if f.n >= t.Free {
			d := time.Duration(float64(t.Base) * math.Pow(2, float64(f.n-t.Free)))
			if d > t.Max || d <= 0 {
				d = t.Max
			}
			f.until = now.Add(d)
		}
	}
}

func (t *throttle) reset(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.state, k)
	}
}

// clientAddr is the client's IP (the connection's: no proxy headers are trusted).
func clientAddr(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}
