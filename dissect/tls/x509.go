package tls

import (
	"crypto/dsa" //nolint:staticcheck // DSA certificates still exist in the field
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strconv"
	"strings"
	"time"

	"github.com/quietwire/quietwire/dissect"
)

// certInfo is what the ssl.log and the facts need of a parsed leaf certificate.
type certInfo struct {
	cn       string
	dnsNames []string
}

// logCert parses one DER certificate and writes its x509.log record (Zeek's field names).
// host is true for the first certificate of the server's chain, client for a client chain.
// It returns the parsed certificate, or nil when it does not parse.
func (p *parser) logCert(der []byte, host, client bool) *x509.Certificate {
	fp := sha256.Sum256(der)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		p.env.Weird(weirdBadCert, err.Error())
		return nil
	}
	r := p.env.LogBare(logX509)
	r.Hex("fingerprint", fp[:])
	r.Int("certificate.version", int64(cert.Version))
	serial := strings.ToUpper(cert.SerialNumber.Text(16))
	if len(serial)%2 == 1 {
		serial = "0" + serial // whole bytes, as OpenSSL prints it
	}
	r.Str("certificate.serial", serial)
	r.Str("certificate.subject", formatDN(cert.RawSubject))
	r.Str("certificate.issuer", formatDN(cert.RawIssuer))
	r.Float("certificate.not_valid_before", float64(cert.NotBefore.Unix()))
	r.Float("certificate.not_valid_after", float64(cert.NotAfter.Unix()))
	r.Str("certificate.key_alg", keyAlgName(cert))
	r.Str("certificate.sig_alg", sigAlgName(cert.SignatureAlgorithm))
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		r.Str("certificate.key_type", "rsa").Uint("certificate.key_length", uint64(k.N.BitLen()))
		r.Str("certificate.exponent", strconv.Itoa(k.E))
	case *ecdsa.PublicKey:
		r.Str("certificate.key_type", "ecdsa").Uint("certificate.key_length", uint64(k.Curve.Params().BitSize))
		r.Str("certificate.curve", curveOpenSSLName(k.Curve.Params().Name))
	case *dsa.PublicKey:
		r.Str("certificate.key_type", "dsa").Uint("certificate.key_length", uint64(k.P.BitLen()))
	case ed25519.PublicKey:
		r.Str("certificate.key_type", "ed25519").Uint("certificate.key_length", 256)
	}
	if len(cert.DNSNames) > 0 {
		r.Array("san.dns")
		for _, n := range cert.DNSNames {
			r.ElemStr(n)
		}
		r.End()
	}
	if len(cert.URIs) > 0 {
		r.Array("san.uri")
		for _, u := range cert.URIs {
			r.ElemStr(u.String())
		}
		r.End()
	}
	if len(cert.EmailAddresses) > 0 {
		r.Array("san.email")
		for _, e := range cert.EmailAddresses {
			r.ElemStr(e)
		}
		r.End()
	}
	if len(cert.IPAddresses) > 0 {
		r.Array("san.ip")
		for _, ip := range cert.IPAddresses {
			r.ElemStr(ip.String())
		}
		r.End()
	}
	if cert.BasicConstraintsValid {
		r.Bool("basic_constraints.ca", cert.IsCA)
		if cert.IsCA && (cert.MaxPathLen > 0 || cert.MaxPathLenZero) {
			r.Int("basic_constraints.path_len", int64(cert.MaxPathLen))
		}
	}
	r.Bool("host_cert", host).Bool("client_cert", client)
	r.Done()
	return cert
}

// serverCertFacts reports the server certificate's identity and checks it against the
// packet time.
func (p *parser) serverCertFacts(side dissect.Dir, cert *x509.Certificate) {
	if cert.Subject.CommonName != "" {
		p.env.Fact(side, dissect.AttrName, cert.Subject.CommonName, "x509.subject.CN")
	}
	p.env.Fact(side, "cert_subject", formatDN(cert.RawSubject), "x509.subject")
	p.env.Fact(side, "cert_issuer", formatDN(cert.RawIssuer), "x509.issuer")
	p.env.Fact(side, "cert_not_after", cert.NotAfter.UTC().Format(time.RFC3339), "x509.not_valid_after")
	if string(cert.RawSubject) == string(cert.RawIssuer) {
		p.env.Weird(weirdSelfSigned, cert.Subject.CommonName)
	}
	now := time.Unix(0, p.env.TS)
	switch {
	case now.After(cert.NotAfter):
		p.env.Weird(weirdExpired, cert.NotAfter.UTC().Format(time.RFC3339))
	case now.Before(cert.NotBefore):
		p.env.Weird(weirdNotYetValid, cert.NotBefore.UTC().Format(time.RFC3339))
	}
}

// sniMatches reports whether the SNI host name is covered by the certificate (its DNS SANs,
// or its CN when it has none), with one leading wildcard label allowed.
func sniMatches(sni string, cert *x509.Certificate) bool {
	names := cert.DNSNames
	if len(names) == 0 && cert.Subject.CommonName != "" {
		names = []string{cert.Subject.CommonName}
	}
	sni = strings.ToLower(strings.TrimSuffix(sni, "."))
	for _, n := range names {
		n = strings.ToLower(n)
		if n == sni {
			return true
		}
		if strings.HasPrefix(n, "*.") {
			if i := strings.IndexByte(sni, '.'); i > 0 && sni[i:] == n[1:] {
				return true
			}
		}
	}
	return false
}

// attrShort are OpenSSL's short names of distinguished-name attributes, as Zeek prints them.
var attrShort = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "street",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "title",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.17":                   "postalCode",
	"2.5.4.42":                   "GN",
	"2.5.4.43":                   "initials",
	"2.5.4.46":                   "dnQualifier",
	"2.5.4.65":                   "pseudonym",
	"2.5.4.15":                   "businessCategory",
	"2.5.4.41":                   "name",
	"0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1":  "UID",
	"1.2.840.113549.1.9.1":       "emailAddress",
	"1.3.6.1.4.1.311.60.2.1.3":   "jurisdictionC",
	"1.3.6.1.4.1.311.60.2.1.2":   "jurisdictionST",
	"1.3.6.1.4.1.311.60.2.1.1":   "jurisdictionL",
}

// formatDN prints a DER Name as OpenSSL's RFC 2253 form: last RDN first, attributes joined by
// ',' and multi-valued RDNs by '+'.
func formatDN(raw []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return ""
	}
	var sb strings.Builder
	for i := len(seq) - 1; i >= 0; i-- {
		if sb.Len() > 0 {
			sb.WriteByte(',')
		}
		for j, atv := range seq[i] {
			if j > 0 {
				sb.WriteByte('+')
			}
			oid := atv.Type.String()
			if s, ok := attrShort[oid]; ok {
				sb.WriteString(s)
			} else {
				sb.WriteString(oid)
			}
			sb.WriteByte('=')
			var v string
			switch x := atv.Value.(type) {
			case string:
				v = x
			default:
				v = ""
			}
			escapeDN(&sb, v)
		}
	}
	return sb.String()
}

func escapeDN(sb *strings.Builder, v string) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case (c == '#' || c == ' ') && i == 0, c == ' ' && i == len(v)-1:
			sb.WriteByte('\\')
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
}

func keyAlgName(c *x509.Certificate) string {
	switch c.PublicKeyAlgorithm {
	case x509.RSA:
		return "rsaEncryption"
	case x509.ECDSA:
		return "id-ecPublicKey"
	case x509.DSA:
		return "dsaEncryption"
	case x509.Ed25519:
		return "ED25519"
	}
	return "unknown"
}

// sigAlgName returns OpenSSL's long name of a signature algorithm, as Zeek logs it.
func sigAlgName(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.MD2WithRSA:
		return "md2WithRSAEncryption"
	case x509.MD5WithRSA:
		return "md5WithRSAEncryption"
	case x509.SHA1WithRSA:
		return "sha1WithRSAEncryption"
	case x509.SHA256WithRSA:
		return "sha256WithRSAEncryption"
	case x509.SHA384WithRSA:
		return "sha384WithRSAEncryption"
	case x509.SHA512WithRSA:
		return "sha512WithRSAEncryption"
	case x509.DSAWithSHA1:
		return "dsaWithSHA1"
	case x509.DSAWithSHA256:
		return "dsa_with_SHA256"
	case x509.ECDSAWithSHA1:
		return "ecdsa-with-SHA1"
	case x509.ECDSAWithSHA256:
		return "ecdsa-with-SHA256"
	case x509.ECDSAWithSHA384:
		return "ecdsa-with-SHA384"
	case x509.ECDSAWithSHA512:
		return "ecdsa-with-SHA512"
	case x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
		return "rsassaPss"
	case x509.PureEd25519:
		return "ED25519"
	}
	return "unknown"
}

func curveOpenSSLName(n string) string {
	switch n {
	case "P-256":
		return "prime256v1"
	case "P-384":
		return "secp384r1"
	case "P-521":
		return "secp521r1"
	case "P-224":
		return "secp224r1"
	}
	return n
}
