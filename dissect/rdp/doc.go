// Package rdp dissects the clear-text start of Remote Desktop Protocol connections on TCP
// 3389: the X.224 connection request/confirm with the routing cookie and security
// negotiation, and, for standard RDP security, the MCS Connect-Initial/Response with the
// GCC client core, network and server security data.
//
// Specifications: RFC 1006 (TPKT), ITU-T X.224, T.125 (MCS), T.124 (GCC), [MS-RDPBCGR]
// 2.2.1.1-2.2.1.4.
//
// Not parsed: anything after the connection sequence (TLS/CredSSP when SSL, HYBRID,
// HYBRID_EX, RDSTLS or RDSAAD is selected; RDP standard security encryption otherwise),
// server certificates, licensing, fast-path and virtual channel traffic, RDP over UDP.
package rdp
