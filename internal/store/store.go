// Package store keeps Quietwire's state in SQLite (modernc.org/sqlite, pure Go, WAL). The
// schema is versioned by migrations applied in order at open; a change is visible only once
// its transaction commits.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite"

	"github.com/quietwire/quietwire/internal/inventory"
)

// Store is an open database.
type Store struct {
	db   *sql.DB
	path string
}

var migrations = []string{
	// 1: inventory observations, per site.
	`CREATE TABLE endpoints (site TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (site, key));
	 CREATE TABLE mac_ips (site TEXT NOT NULL, mac TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (site, mac));
	 CREATE TABLE edges (site TEXT NOT NULL, client TEXT NOT NULL, server TEXT NOT NULL, proto TEXT NOT NULL,
	                     port INTEGER NOT NULL, transport INTEGER NOT NULL, data TEXT NOT NULL,
	                     PRIMARY KEY (site, client, server, proto, port, transport));
	 CREATE TABLE user_attrs (site TEXT NOT NULL, device TEXT NOT NULL, attr TEXT NOT NULL, value TEXT NOT NULL,
	                          PRIMARY KEY (site, device, attr));
	 CREATE TABLE sites (site TEXT PRIMARY KEY, updated INTEGER NOT NULL);`,
	// 2: detection: one baseline document per site, alerts with their evidence.
	`CREATE TABLE baselines (site TEXT PRIMARY KEY, data TEXT NOT NULL, updated INTEGER NOT NULL);
	 CREATE TABLE alerts (id TEXT PRIMARY KEY, site TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
	                      status TEXT NOT NULL, data TEXT NOT NULL, evidence BLOB);
	 CREATE INDEX alerts_site ON alerts (site, last_seen);`,
	// 3: accounts, API tokens, sessions, audit log, settings.
	`CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
	                     role TEXT NOT NULL, sites TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL,
	                     disabled INTEGER NOT NULL DEFAULT 0);
	 CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	                          name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL, last_used INTEGER);
	 CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	                        csrf TEXT NOT NULL, created INTEGER NOT NULL, last_seen INTEGER NOT NULL);
	 CREATE TABLE audit (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, username TEXT NOT NULL, action TEXT NOT NULL,
	                     target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', ok INTEGER NOT NULL);
	 CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
}

// Open opens (creating if needed) the database in dir/quietwire.db and migrates it.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	path := filepath.Join(dir, "quietwire.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: path}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Path returns the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) migrate() error {
	if _, err := s.db.Exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: %s: %w", s.path, err)
	}
	var v int
	err := s.db.QueryRow(`SELECT version FROM schema_version`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.db.Exec(`INSERT INTO schema_version VALUES (0)`); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("store: %s: reading schema version: %w", s.path, err)
	}
	if v > len(migrations) {
		return fmt.Errorf("store: %s has schema version %d, this binary knows %d", s.path, v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := s.db.Begin()
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := tx.Exec(migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
		if _, err := tx.Exec(`UPDATE schema_version SET version = ?`, i+1); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
	}
	return nil
}

// Sites lists the sites with a saved inventory.
func (s *Store) Sites() ([]string, error) {
	rows, err := s.db.Query(`SELECT site FROM sites ORDER BY site`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

func macKey(m [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

func epKey(ip fmt.Stringer, valid bool, mac [6]byte) string {
	if valid {
		return ip.String()
	}
	return macKey(mac)
}

// SaveInventory replaces the site's saved state with st, in one transaction.
func (s *Store) SaveInventory(ctx context.Context, site string, st *inventory.State, now int64) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM endpoints WHERE site = ?`, `DELETE FROM mac_ips WHERE site = ?`,
		`DELETE FROM edges WHERE site = ?`, `DELETE FROM user_attrs WHERE site = ?`} {
		if _, err := tx.ExecContext(ctx, q, site); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	ins := func(q string, args ...any) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}
	for i := range st.Endpoints {
		b, err := json.Marshal(&st.Endpoints[i])
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := ins(`INSERT INTO endpoints VALUES (?, ?, ?)`, site, st.Endpoints[i].Key, string(b)); err != nil {
			return fmt.Errorf("store: endpoint %s: %w", st.Endpoints[i].Key, err)
		}
	}
	for i := range st.MACs {
		b, _ := json.Marshal(&st.MACs[i])
		if err := ins(`INSERT INTO mac_ips VALUES (?, ?, ?)`, site, macKey(st.MACs[i].MAC), string(b)); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	for i := range st.Edges {
		e := &st.Edges[i]
		b, _ := json.Marshal(e)
		if err := ins(`INSERT INTO edges VALUES (?, ?, ?, ?, ?, ?, ?)`, site,
			epKey(e.ClientIP, e.ClientIP.IsValid(), e.ClientMAC), epKey(e.ServerIP, e.ServerIP.IsValid(), e.ServerMAC),
			e.Proto, e.Port, e.Transport, string(b)); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	for dev, m := range st.Users {
		for k, v := range m {
			if err := ins(`INSERT INTO user_attrs VALUES (?, ?, ?, ?)`, site, dev, k, v); err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
	}
	if err := ins(`INSERT INTO sites VALUES (?, ?) ON CONFLICT(site) DO UPDATE SET updated = excluded.updated`, site, now); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// LoadInventory reads the site's saved state (empty when none).
func (s *Store) LoadInventory(ctx context.Context, site string) (*inventory.State, error) {
	st := &inventory.State{Users: map[string]map[string]string{}}
	scan := func(q string, fn func(data string) error) error {
		rows, err := s.db.QueryContext(ctx, q, site)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				return fmt.Errorf("store: %w", err)
			}
			if err := fn(d); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	if err := scan(`SELECT data FROM endpoints WHERE site = ?`, func(d string) error {
		var e inventory.EndpointState
		if err := json.Unmarshal([]byte(d), &e); err != nil {
			return fmt.Errorf("store: %s: corrupt endpoint row: %w", s.path, err)
		}
		st.Endpoints = append(st.Endpoints, e)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := scan(`SELECT data FROM mac_ips WHERE site = ?`, func(d string) error {
		var m inventory.MACState
		if err := json.Unmarshal([]byte(d), &m); err != nil {
			return fmt.Errorf("store: %s: corrupt mac row: %w", s.path, err)
		}
		st.MACs = append(st.MACs, m)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := scan(`SELECT data FROM edges WHERE site = ?`, func(d string) error {
		var e inventory.EdgeState
		if err := json.Unmarshal([]byte(d), &e); err != nil {
			return fmt.Errorf("store: %s: corrupt edge row: %w", s.path, err)
		}
		st.Edges = append(st.Edges, e)
		return nil
	}); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT device, attr, value FROM user_attrs WHERE site = ?`, site)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dev, k, v string
		if err := rows.Scan(&dev, &k, &v); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if st.Users[dev] == nil {
			st.Users[dev] = map[string]string{}
		}
		st.Users[dev][k] = v
	}
	return st, rows.Err()
}
