package tls

// Spec: RFC 5246 (TLS 1.2), RFC 8446 (TLS 1.3), RFC 6347 / RFC 9147 (DTLS 1.2 / 1.3),
// RFC 6101 (SSL 3.0), RFC 6066 (server_name), RFC 7301 (ALPN), RFC 8422 (ECC), RFC 8701
// (GREASE), RFC 5280 (X.509). JA3/JA3S: Salesforce's definition; JA4: FoxIO's JA4 spec.

import "strconv"

// Log and anomaly names.
const (
	logSSL  = "ssl"
	logX509 = "x509"

	weirdWeakVersion      = "tls_weak_version"
	weirdRecordTooLong    = "tls_record_too_long"
	weirdUnknownContent   = "tls_unknown_content_type"
	weirdBadHandshake     = "tls_malformed_handshake"
	weirdHandshakeTooLong = "tls_handshake_too_long"
	weirdSelfSigned       = "tls_self_signed_cert"
	weirdExpired          = "tls_expired_cert"
	weirdNotYetValid      = "tls_cert_not_yet_valid"
	weirdBadCert          = "tls_unparsable_cert"
	weirdResync           = "tls_resync"
	weirdDTLSTruncated    = "dtls_truncated_record"
)

// Content types (RFC 8446 §5.1) and handshake types (§4).
const (
	ctChangeCipherSpec = 20
	ctAlert            = 21
	ctHandshake        = 22
	ctApplicationData  = 23
	ctHeartbeat        = 24
	ctTLS12CID         = 25
	ctACK              = 26

	hsClientHello = 1
	hsServerHello = 2
	hsHelloVerify = 3
	hsCertificate = 11
	hsServerKeyEx = 12
	hsServerDone  = 14
	hsClientKeyEx = 16
	hsCertStatus  = 22
)

// Extension ids used here.
const (
	extServerName        = 0
	extSupportedGroups   = 10
	extECPointFormats    = 11
	extSignatureAlgs     = 13
	extALPN              = 16
	extPreSharedKey      = 41
	extSupportedVersions = 43
	extKeyShare          = 51
)

// Caps.
const (
	maxRecord    = 1<<14 + 2048 // TLSCiphertext.length limit (RFC 8446 §5.2)
	maxHandshake = 1 << 17      // one handshake message (certificate chains included)
	maxList      = 128          // ciphers / extensions / groups kept per hello
	maxHistory   = 100          // ssl_history letters (Zeek's max_ssl_history_length)
	maxCerts     = 10           // certificates logged per chain
)

// versionName returns Zeek's spelling of a protocol version.
func versionName(v uint16, buf []byte) []byte {
	switch v {
	case 0x0002:
		return append(buf, "SSLv2"...)
	case 0x0300:
		return append(buf, "SSLv3"...)
	case 0x0301:
		return append(buf, "TLSv10"...)
	case 0x0302:
		return append(buf, "TLSv11"...)
	case 0x0303:
		return append(buf, "TLSv12"...)
	case 0x0304:
		return append(buf, "TLSv13"...)
	case 0xfeff:
		return append(buf, "DTLSv10"...)
	case 0xfefd:
		return append(buf, "DTLSv12"...)
	case 0xfefc:
		return append(buf, "DTLSv13"...)
	}
	if v>>8 == 0x7f {
		buf = append(buf, "TLSv13-draft"...)
		return strconv.AppendUint(buf, uint64(v&0xff), 10)
	}
	buf = append(buf, "unknown-"...)
	return strconv.AppendUint(buf, uint64(v), 10)
}

// cipherName returns the registry name of a cipher suite, or "unknown-N" as Zeek writes it.
func cipherName(c uint16, buf []byte) []byte {
	if s, ok := cipherNames[c]; ok {
		return append(buf, s...)
	}
	buf = append(buf, "unknown-"...)
	return strconv.AppendUint(buf, uint64(c), 10)
}

// curveName returns the name of a named group (RFC 8422, RFC 8446, RFC 7919).
func curveName(g uint16, buf []byte) []byte {
	var s string
	switch g {
	case 1:
		s = "sect163k1"
	case 2:
		s = "sect163r1"
	case 3:
		s = "sect163r2"
	case 4:
		s = "sect193r1"
	case 5:
		s = "sect193r2"
	case 6:
		s = "sect233k1"
	case 7:
		s = "sect233r1"
	case 8:
		s = "sect239k1"
	case 9:
		s = "sect283k1"
	case 10:
		s = "sect283r1"
	case 11:
		s = "sect409k1"
	case 12:
		s = "sect409r1"
	case 13:
		s = "sect571k1"
	case 14:
		s = "sect571r1"
	case 15:
		s = "secp160k1"
	case 16:
		s = "secp160r1"
	case 17:
		s = "secp160r2"
	case 18:
		s = "secp192k1"
	case 19:
		s = "secp192r1"
	case 20:
		s = "secp224k1"
	case 21:
		s = "secp224r1"
	case 22:
		s = "secp256k1"
	case 23:
		s = "secp256r1"
	case 24:
		s = "secp384r1"
	case 25:
		s = "secp521r1"
	case 26:
		s = "brainpoolP256r1"
	case 27:
		s = "brainpoolP384r1"
	case 28:
		s = "brainpoolP512r1"
	case 29:
		s = "x25519"
	case 30:
		s = "x448"
	case 256:
		s = "ffdhe2048"
	case 257:
		s = "ffdhe3072"
	case 258:
		s = "ffdhe4096"
	case 259:
		s = "ffdhe6144"
	case 260:
		s = "ffdhe8192"
	case 512:
		s = "MLKEM512"
	case 513:
		s = "MLKEM768"
	case 514:
		s = "MLKEM1024"
	case 4587:
		s = "SecP256r1MLKEM768"
	case 4588:
		s = "X25519MLKEM768"
	case 4589:
		s = "SecP384r1MLKEM1024"
	case 25497:
		s = "X25519Kyber768Draft00"
	case 25498:
		s = "SecP256r1Kyber768Draft00"
	case 0xff01:
		s = "arbitrary_explicit_prime_curves"
	case 0xff02:
		s = "arbitrary_explicit_char2_curves"
	default:
		buf = append(buf, "unknown-"...)
		return strconv.AppendUint(buf, uint64(g), 10)
	}
	return append(buf, s...)
}

// alertName returns the AlertDescription name (RFC 8446 §6).
func alertName(d uint8) string {
	switch d {
	case 0:
		return "close_notify"
	case 10:
		return "unexpected_message"
	case 20:
		return "bad_record_mac"
	case 21:
		return "decryption_failed"
	case 22:
		return "record_overflow"
	case 30:
		return "decompression_failure"
	case 40:
		return "handshake_failure"
	case 41:
		return "no_certificate"
	case 42:
		return "bad_certificate"
	case 43:
		return "unsupported_certificate"
	case 44:
		return "certificate_revoked"
	case 45:
		return "certificate_expired"
	case 46:
		return "certificate_unknown"
	case 47:
		return "illegal_parameter"
	case 48:
		return "unknown_ca"
	case 49:
		return "access_denied"
	case 50:
		return "decode_error"
	case 51:
		return "decrypt_error"
	case 60:
		return "export_restriction"
	case 70:
		return "protocol_version"
	case 71:
		return "insufficient_security"
	case 80:
		return "internal_error"
	case 86:
		return "inappropriate_fallback"
	case 90:
		return "user_canceled"
	case 100:
		return "no_renegotiation"
	case 110:
		return "unsupported_extension"
	case 111:
		return "certificate_unobtainable"
	case 112:
		return "unrecognized_name"
	case 113:
		return "bad_certificate_status_response"
	case 114:
		return "bad_certificate_hash_value"
	case 115:
		return "unknown_psk_identity"
	case 116:
		return "certificate_required"
	case 120:
		return "no_application_protocol"
	case 121:
		return "ech_required"
	}
	return ""
}

// historyLetter is Zeek's ssl_history letter of a handshake message type (lower case; the
// originator's letters are upper-cased).
func historyLetter(t uint8) byte {
	switch t {
	case 0:
		return 'h'
	case 1:
		return 'c'
	case 2:
		return 's'
	case 3:
		return 'v'
	case 4:
		return 't'
	case 5:
		return 'e'
	case 6:
		return 'j'
	case 8:
		return 'o'
	case 11:
		return 'x'
	case 12:
		return 'k'
	case 13:
		return 'r'
	case 14:
		return 'n'
	case 15:
		return 'y'
	case 16:
		return 'g'
	case 20:
		return 'f'
	case 21:
		return 'w'
	case 22:
		return 'u'
	case 23:
		return 'a'
	case 24:
		return 'p'
	case 254:
		return 'm'
	}
	return 'z'
}

// isGREASE reports whether v is an RFC 8701 GREASE value (0x?a?a with equal bytes).
func isGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// weakVersion reports the versions the brief calls weak: SSL 2/3 and TLS 1.0.
func weakVersion(v uint16) bool { return v == 0x0002 || v == 0x0300 || v == 0x0301 }

// helloRetryRandom is the ServerHello.random that marks a HelloRetryRequest (RFC 8446 §4.1.3).
var helloRetryRandom = [32]byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}
