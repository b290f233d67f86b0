// Package ssh dissects the clear-text start of SSH connections (RFC 4253) into Zeek's ssh.log:
// the identification strings (banners) of both sides, the KEXINIT algorithm lists with the
// algorithms the two sides negotiate (RFC 4253 §7.1), the server host key fingerprint from
// the key exchange reply, and the HASSH / HASSHServer fingerprints (Salesforce's hassh,
// version 1.1) as the hassh Zeek package logs them.
//
// Not parsed: anything after NEWKEYS (the stream is encrypted from there), so no
// authentication outcome: Zeek's auth_success / auth_attempts heuristic on encrypted packet
// sizes is left out. SSH-1 is recognised from its banner (and reported as an anomaly) but its
// binary protocol is not parsed.
package ssh
