// Package http dissects HTTP/1.0 and HTTP/1.1 (and HTTP/0.9 simple requests) over TCP into
// Zeek's http.log.
//
// Scope: request and status lines (RFC 9112 §3, §4), header fields the log and the inventory
// use (Host, User-Agent, Referer, Origin, Authorization: Basic, Server, Content-Type, the proxy
// headers Zeek lists in "proxied"), message framing by Content-Length, chunked transfer coding
// (RFC 9112 §7.1) and connection close, interim 1xx responses (100-continue), pipelined
// requests paired with their responses in order, CONNECT and Upgrade (101) tunnels, whose
// bytes are then ignored. Bodies are counted, never buffered; the first 8 KiB of an HTML
// response are scanned for its <title>.
//
// Not parsed: HTTP/2 and HTTP/3, content codings (gzip bodies are counted as sent), MIME
// multipart parts and file extraction (Zeek's orig_fuids/resp_fuids and mime types), cookies,
// digest/NTLM/bearer credentials (only Basic is decoded), trailers' contents. The password of
// a Basic credential is never logged (Zeek's default, http.log "password" stays unset).
package http
