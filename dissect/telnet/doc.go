// Package telnet dissects Telnet sessions on TCP 23: option negotiation, the banner, login
// and password prompts, the user name typed (never the password) and the login outcome.
//
// Specifications: RFC 854 (NVT, IAC commands), RFC 855 (options), RFC 1091 (terminal type).
//
// Not parsed: the session after the login outcome (commands typed), Telnet over TLS,
// logins whose prompts are not the usual "login:/username:" and "password:" texts.
package telnet
