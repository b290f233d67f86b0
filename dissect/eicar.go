package dissect

import "bytes"

// EICAR is the 68-byte anti-virus test file (eicar.org): files that start with it are
// detected as "malware" by every AV product, so it is how an antivirus deployment is tested.
// A dissector that sees a file or a message body start with it reports an anomaly, and
// detection raises Defender's "Malware Test File Detected – EICAR AV Success".
const EICAR = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// IsEICAR reports whether b (the start of a file or body) is the EICAR test file.
func IsEICAR(b []byte) bool { return bytes.HasPrefix(b, []byte(EICAR)) }
