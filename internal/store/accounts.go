package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is returned when a user, token, session or alert does not exist.
var ErrNotFound = errors.New("not found")

// ErrExists is returned when a user name is already taken.
var ErrExists = errors.New("already exists")

// User is an account of the web UI and API. Hashes are opaque to the store.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         string
	Sites        []string // empty: every site
	Created      int64
	Disabled     bool
}

func joinSites(s []string) string { return strings.Join(s, ",") }

func splitSites(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// CreateUser adds a user and returns its id (ErrExists when the name is taken).
func (s *Store) CreateUser(ctx context.Context, u *User) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO users (username, password_hash, role, sites, created, disabled) VALUES (?, ?, ?, ?, ?, ?)`,
		u.Username, u.PasswordHash, u.Role, joinSites(u.Sites), u.Created, u.Disabled)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return 0, fmt.Errorf("user %q: %w", u.Username, ErrExists)
		}
		return 0, fmt.Errorf("store: %w", err)
	}
	return res.LastInsertId()
}

const userCols = `id, username, password_hash, role, sites, created, disabled`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var sites string
	if err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Role, &sites, &u.Created, &u.Disabled); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: %w", err)
	}
	u.Sites = splitSites(sites)
	return &u, nil
}

// UserByName returns a user (ErrNotFound when absent).
func (s *Store) UserByName(ctx context.Context, name string) (*User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE username = ?`, name))
}

// UserByID returns a user (ErrNotFound when absent).
func (s *Store) UserByID(ctx context.Context, id int64) (*User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) ([]*User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UserCount returns how many users exist (disabled ones included).
func (s *Store) UserCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return n, nil
}

// UpdateUser rewrites a user's role, sites, password hash and disabled flag. Disabling a user
// ends its sessions in the same transaction.
func (s *Store) UpdateUser(ctx context.Context, u *User) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, role = ?, sites = ?, disabled = ? WHERE id = ?`,
		u.PasswordHash, u.Role, joinSites(u.Sites), u.Disabled, u.ID)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if u.Disabled {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	return tx.Commit()
}

// Token is an API token; only its hash is kept.
type Token struct {
	ID       int64
	UserID   int64
	Username string
	Name     string
	Hash     string
	Created  int64
	LastUsed int64
}

// CreateToken stores a token hash for a user.
func (s *Store) CreateToken(ctx context.Context, t *Token) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created) VALUES (?, ?, ?, ?)`,
		t.UserID, t.Name, t.Hash, t.Created)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return res.LastInsertId()
}

const tokenCols = `t.id, t.user_id, u.username, t.name, t.token_hash, t.created, COALESCE(t.last_used, 0)`

func scanToken(row interface{ Scan(...any) error }) (*Token, error) {
	var t Token
	if err := row.Scan(&t.ID, &t.UserID, &t.Username, &t.Name, &t.Hash, &t.Created, &t.LastUsed); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: %w", err)
	}
	return &t, nil
}

// TokenByHash finds a token by its hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*Token, error) {
	return scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hash))
}

// Tokens lists the tokens (hashes included) of every user.
func (s *Store) Tokens(ctx context.Context) ([]*Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenCols+` FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []*Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TouchToken records a token's last use.
func (s *Store) TouchToken(ctx context.Context, id, now int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used = ? WHERE id = ?`, now, id)
	return err
}

// DeleteToken revokes a token.
func (s *Store) DeleteToken(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Session is a logged-in browser.
type Session struct {
	IDHash   string
	UserID   int64
	CSRF     string
	Created  int64
	LastSeen int64
}

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, se *Session) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions VALUES (?, ?, ?, ?, ?)`, se.IDHash, se.UserID, se.CSRF, se.Created, se.LastSeen)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// SessionByHash returns a session (ErrNotFound when absent).
func (s *Store) SessionByHash(ctx context.Context, h string) (*Session, error) {
	var se Session
	err := s.db.QueryRowContext(ctx, `SELECT id_hash, user_id, csrf, created, last_seen FROM sessions WHERE id_hash = ?`, h).
		Scan(&se.IDHash, &se.UserID, &se.CSRF, &se.Created, &se.LastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return &se, nil
}

// TouchSession moves a session's idle clock.
func (s *Store) TouchSession(ctx context.Context, h string, now int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE id_hash = ?`, now, h)
	return err
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, h string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, h)
	return err
}

// DeleteIdleSessions removes sessions last seen before cutoff.
func (s *Store) DeleteIdleSessions(ctx context.Context, cutoff int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen < ?`, cutoff)
	return err
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID       int64  `json:"id"`
	TS       int64  `json:"ts"`
	Username string `json:"username"`
	Action   string `json:"action"`
	Target   string `json:"target"`
	Detail   string `json:"detail"`
	OK       bool   `json:"ok"`
}

// Audit appends to the audit log.
func (s *Store) Audit(ctx context.Context, e *AuditEntry) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit (ts, username, action, target, detail, ok) VALUES (?, ?, ?, ?, ?, ?)`,
		e.TS, e.Username, e.Action, e.Target, e.Detail, e.OK)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// AuditLog returns the newest entries first, at most limit, skipping offset.
func (s *Store) AuditLog(ctx context.Context, limit, offset int) ([]*AuditEntry, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, ts, username, action, target, detail, ok FROM audit ORDER BY id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []*AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.TS, &e.Username, &e.Action, &e.Target, &e.Detail, &e.OK); err != nil {
			return nil, 0, fmt.Errorf("store: %w", err)
		}
		out = append(out, &e)
	}
	return out, total, rows.Err()
}

// Setting returns a setting ("" and false when unset).
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: %w", err)
	}
	return v, true, nil
}

// SetSetting stores a setting; an empty value deletes it.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	var err error
	if value == "" {
		_, err = s.db.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key)
	} else {
		_, err = s.db.ExecContext(ctx, `INSERT INTO settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// CreateFirstAdmin creates u only if no user exists yet and, in the same transaction, deletes
// the setting key (the one-time setup token). It returns ErrExists when a user already exists.
func (s *Store) CreateFirstAdmin(ctx context.Context, u *User, settingKey string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if n > 0 {
		return ErrExists
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO users (username, password_hash, role, sites, created, disabled) VALUES (?, ?, ?, ?, ?, 0)`,
		u.Username, u.PasswordHash, u.Role, joinSites(u.Sites), u.Created); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, settingKey); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return tx.Commit()
}
