package dnp3

import "errors"

// Config holds the parser's knobs. The registered factory uses DefaultConfig; tests and fuzzing
// build parsers with other values through NewParser.
type Config struct {
	// CheckCRC verifies the link header CRC and every data block CRC (default true). A failed
	// check is reported as dnp3_bad_crc and the frame is dropped. Fuzzing turns it off so that
	// mutated inputs reach the transport and application layers.
	CheckCRC bool
	// MaxFragment caps a reassembled application fragment in bytes (default 16384; IEEE
	// 1815-2012 recommends 2048). Larger fragments are dropped with dnp3_fragment_too_large.
	MaxFragment int
	// MaxObjects caps the object headers parsed in one fragment (default 2048, as Suricata).
	MaxObjects int
	// MaxPoints caps the objects (points) counted over all headers of one fragment (default
	// 16384, as Suricata). Past either cap the rest of the fragment is skipped and
	// dnp3_too_many_objects is reported.
	MaxPoints int
}

// DefaultConfig returns the configuration the registered factory uses.
func DefaultConfig() Config {
	return Config{CheckCRC: true, MaxFragment: 16384, MaxObjects: 2048, MaxPoints: 16384}
}

// Errors returned by Validate.
var (
	ErrMaxFragment = errors.New("dnp3: MaxFragment must be between 249 and 65536")
	ErrMaxObjects  = errors.New("dnp3: MaxObjects and MaxPoints must be positive")
)

// Validate checks c.
func (c Config) Validate() error {
	if c.MaxFragment < maxUserData-1 || c.MaxFragment > 65536 {
		return ErrMaxFragment
	}
	if c.MaxObjects <= 0 || c.MaxPoints <= 0 {
		return ErrMaxObjects
	}
	return nil
}
