package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/evidence"
)

// LoadAlert returns one alert (ErrNotFound when absent).
func (s *Store) LoadAlert(ctx context.Context, id string) (*detect.Alert, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT data FROM alerts WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var a detect.Alert
	if err := json.Unmarshal([]byte(data), &a); err != nil {
		return nil, fmt.Errorf("store: %s: corrupt alert row %s: %w", s.path, id, err)
	}
	return &a, nil
}

// SaveLearned stores a baseline and the alerts learned into it in one transaction.
func (s *Store) SaveLearned(ctx context.Context, b *detect.Baseline, as []*detect.Alert, now int64) error {
	bd, err := b.MarshalIndent()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO baselines VALUES (?, ?, ?) ON CONFLICT(site) DO UPDATE SET data = excluded.data, updated = excluded.updated`,
		b.Site, string(bd), now); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for _, a := range as {
		data, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		var pcap []byte
		if len(a.Evidence) > 0 {
			pcap = evidence.Pcap(a.Evidence)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen, status = excluded.status, data = excluded.data,
			evidence = COALESCE(alerts.evidence, excluded.evidence)`,
			a.ID, a.Site, a.First, a.Last, a.Status, string(data), pcap); err != nil {
			return fmt.Errorf("store: alert %s: %w", a.ID, err)
		}
	}
	return tx.Commit()
}

// SetDeviceUser sets (or, with an empty value, clears) user-owned attributes of one device
// in one transaction.
func (s *Store) SetDeviceUser(ctx context.Context, site, device string, attrs map[string]string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	for k, v := range attrs {
		if v == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM user_attrs WHERE site = ? AND device = ? AND attr = ?`, site, device, k)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO user_attrs VALUES (?, ?, ?, ?) ON CONFLICT(site, device, attr) DO UPDATE SET value = excluded.value`,
				site, device, k, v)
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	return tx.Commit()
}

// SetDevicesUser applies user attributes to many devices of a site in one transaction (CSV
// import: all rows or none).
func (s *Store) SetDevicesUser(ctx context.Context, site string, rows map[string]map[string]string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	for dev, attrs := range rows {
		for k, v := range attrs {
			if v == "" {
				_, err = tx.ExecContext(ctx, `DELETE FROM user_attrs WHERE site = ? AND device = ? AND attr = ?`, site, dev, k)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO user_attrs VALUES (?, ?, ?, ?) ON CONFLICT(site, device, attr) DO UPDATE SET value = excluded.value`,
					site, dev, k, v)
			}
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
	}
	return tx.Commit()
}

// Stats describes the database for health pages.
type Stats struct {
	Path      string `json:"path"`
	SizeBytes int64  `json:"size_bytes"`
	WALBytes  int64  `json:"wal_bytes"`
	Alerts    int    `json:"alerts"`
	Sites     int    `json:"sites"`
	Users     int    `json:"users"`
	Schema    int    `json:"schema_version"`
}

// Stats returns row counts and file sizes.
func (s *Store) Stats(ctx context.Context) (*Stats, error) {
	st := &Stats{Path: s.path}
	for _, q := range []struct {
		sql string
		dst *int
	}{{`SELECT COUNT(*) FROM alerts`, &st.Alerts}, {`SELECT COUNT(*) FROM sites`, &st.Sites},
		{`SELECT COUNT(*) FROM users`, &st.Users}, {`SELECT version FROM schema_version`, &st.Schema}} {
		if err := s.db.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	if fi, err := os.Stat(s.path); err == nil {
		st.SizeBytes = fi.Size()
	}
	if fi, err := os.Stat(s.path + "-wal"); err == nil {
		st.WALBytes = fi.Size()
	}
	return st, nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns its first line ("ok" when sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var r string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&r); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return r, nil
}

// BaselineSites lists the sites with a stored baseline.
func (s *Store) BaselineSites(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT site FROM baselines ORDER BY site`)
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
