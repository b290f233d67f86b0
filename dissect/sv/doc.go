// Package sv dissects IEC 61850-9-2 Sampled Values (Ethertype 0x88BA) and writes sv.log,
// a Quietwire log in the style of goose.log (there is no Zeek/ICSNPP SV log to follow).
//
// Scope: the 8-byte link header (APPID, Length, Reserved1 with the simulate bit) and the
// BER savPdu (IEC 61850-9-2 Ed.2 §8.5.2, tag [APPLICATION 0]): noASDU, security presence and
// each ASDU's svID, datSet, smpCnt, confRev, refrTm, smpSynch, smpRate and smpMod. The
// sample data (seqData) is not decoded.
//
// Merging units publish 4 000 to 14 400 frames per second per stream, so sv.log is not a line
// per frame: a record is written when a stream (APPID, svID) first appears, when one of its
// identity fields changes (datSet, confRev, smpSynch, number of ASDUs), and as a summary
// every 60 s of packet time and at the end of the flow, with the frame count and the
// smpCnt discontinuities seen since the previous record.
//
// Not parsed: IEC 61869-9 sample payload layout, IEC 62351-6 security extensions, and
// IEC 61850-90-5 routed SV over UDP.
package sv
