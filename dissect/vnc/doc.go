// Package vnc dissects the RFB (VNC) handshake on TCP 5900-5909: protocol versions,
// security types offered and chosen, the authentication result and the ServerInit
// (desktop name and size).
//
// Specification: RFC 6143 (RFB 3.8; 3.3 and 3.7 differences in 7.1.2 and 7.2).
//
// Not parsed: security types beyond None and VNC authentication (the handshake is followed
// up to the choice, then stops), VeNCrypt/TLS, and the normal protocol messages after
// ServerInit (framebuffer updates, key and pointer events).
package vnc
