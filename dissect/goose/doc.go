// Package goose dissects IEC 61850-8-1 GOOSE (Generic Object Oriented Substation Event)
// frames carried directly over Ethernet (Ethertype 0x88B8) and writes goose.log with the
// fields and spellings of CISA ICSNPP's icsnpp-goose (DINA) plugin.
//
// Scope: the 8-byte GOOSE link header (APPID, Length, Reserved1/2) and the BER-encoded
// goosePdu (IEC 61850-8-1 Ed.2 §A.3, tag [APPLICATION 1]): gocbRef, timeAllowedToLive,
// datSet, goID, t (UtcTime, IEC 61850-8-1 §8.1.3.7), stNum, sqNum, simulation (Ed.1 "test"),
// confRev, ndsCom, numDatSetEntries and allData. allData is checked as BER (bounds and
// nesting) and hashed with SHA-256 over its whole TLV, as ICSNPP does; the values inside
// are not decoded to typed MMS data.
//
// Per (APPID, gocbRef) stream the parser keeps stNum/sqNum/confRev to report replay and
// injection patterns (stNum regression or jump, sqNum reset), configuration revision changes,
// and transitions of the simulation/test, ndsCom and timeAllowedToLive=0 conditions.
//
// Not parsed: R-GOOSE (IEC 61850-90-5, over UDP), the optional security field (tag 0x8C)
// beyond its presence, and IEC 62351-6 signatures in the Reserved2/extension fields.
package goose
