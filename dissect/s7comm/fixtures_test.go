package s7comm

// Handmade PDUs shared by the tests. Each helper returns a whole TPKT packet.

// tpkt wraps a COTP TPDU (header and data) in a TPKT header.
func tpkt(cotp ...[]byte) []byte {
	n := 4
	for _, c := range cotp {
		n += len(c)
	}
	out := []byte{0x03, 0x00, byte(n >> 8), byte(n)} // version 3, reserved, length
	for _, c := range cotp {
		out = append(out, c...)
	}
	return out
}

// dt wraps payload in a COTP DT TPDU with EOT set.
func dt(payload []byte) []byte {
	return tpkt([]byte{0x02, 0xf0, 0x80}, payload) // LI 2, DT, EOT|nr 0
}

// s7 builds an S7comm PDU; errc is appended after the header for ACK / ACK-Data.
func s7(rosctr uint8, ref uint16, errc []byte, param, data []byte) []byte {
	b := []byte{0x32, rosctr, 0x00, 0x00, // protocol id, ROSCTR, redundancy id
		byte(ref >> 8), byte(ref), // PDU reference
		byte(len(param) >> 8), byte(len(param)), // parameter length
		byte(len(data) >> 8), byte(len(data))} // data length
	b = append(b, errc...)
	b = append(b, param...)
	return append(b, data...)
}

var (
	// COTP CR: LI 17, CR CDT 0, dst ref 0, src ref 1, class 0, TPDU size 1024,
	// calling TSAP 0x0100 (PG, rack 0 slot 0), called TSAP 0x0102 (PG, rack 0 slot 2).
	crPDU = tpkt([]byte{0x11, 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00,
		0xc0, 0x01, 0x0a,
		0xc1, 0x02, 0x01, 0x00,
		0xc2, 0x02, 0x01, 0x02})
	// COTP CC: the same parameters back.
	ccPDU = tpkt([]byte{0x11, 0xd0, 0x00, 0x01, 0x00, 0x02, 0x00,
		0xc0, 0x01, 0x0a,
		0xc1, 0x02, 0x01, 0x00,
		0xc2, 0x02, 0x01, 0x02})

	// Setup Communication: function 0xf0, reserved, max AmQ calling 1, called 1, PDU 480.
	setupJob = dt(s7(RosJob, 0x0000, nil, []byte{0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xe0}, nil))
	setupAck = dt(s7(RosAckData, 0x0000, []byte{0x00, 0x00}, []byte{0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xe0}, nil))

	// Read Var DB1.DBB0 BYTE 2: function 4, 1 item: S7ANY (0x12 0x0a 0x10), transport BYTE,
	// count 2, DB 1, area 0x84, address 0. PDU reference 0x0100 (snap7 writes it little endian).
	readJob = dt(s7(RosJob, 0x0100, nil, []byte{0x04, 0x01,
		0x12, 0x0a, 0x10, 0x02, 0x00, 0x02, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00}, nil))
	readAck = dt(s7(RosAckData, 0x0100, []byte{0x00, 0x00}, []byte{0x04, 0x01},
		[]byte{0xff, 0x04, 0x00, 0x10, 0x12, 0x34})) // success, BYTE/WORD, 16 bits, data

	// Write Var DB1.DBB0 BYTE 2 := 0xabcd.
	writeJob = dt(s7(RosJob, 0x0200, nil, []byte{0x05, 0x01,
		0x12, 0x0a, 0x10, 0x02, 0x00, 0x02, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00},
		[]byte{0x00, 0x04, 0x00, 0x10, 0xab, 0xcd}))
	writeAck = dt(s7(RosAckData, 0x0200, []byte{0x00, 0x00}, []byte{0x05, 0x01}, []byte{0xff}))

	// User-data Read SZL 0x0011 index 0: head 00 01 12, length 4, method 0x11 request,
	// type/group 0x44 (request, CPU functions), sub-function 1 (Read SZL), sequence 0.
	szlReq = dt(s7(RosUserData, 0x0300, nil, []byte{0x00, 0x01, 0x12, 0x04, 0x11, 0x44, 0x01, 0x00},
		[]byte{0xff, 0x09, 0x00, 0x04, 0x00, 0x11, 0x00, 0x00})) // success, octet string, 4, id, index
	// Response: length 8, method 0x12, type/group 0x84, data unit 0, last unit 0, error 0;
	// data: SZL 0x0011, entry length 28, 2 entries (order number and firmware V3.2.6).
	szlResp = dt(s7(RosUserData, 0x0300, nil,
		[]byte{0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00},
		szlData(0x0011, 28,
			append(append([]byte{0x00, 0x01}, "6ES7 315-2EH14-0AB0 "...), 0x00, 0xc0, 0x00, 0x04, 0x00, 0x01),
			append(append([]byte{0x00, 0x07}, "                    "...), 0x00, 0xc0, 'V', 0x03, 0x02, 0x06))))

	// PLC Stop: function 0x29, unknown (5), service length 9, "P_PROGRAM".
	stopJob = dt(s7(RosJob, 0x0400, nil, append([]byte{0x29, 0, 0, 0, 0, 0, 0x09}, "P_PROGRAM"...), nil))
	stopAck = dt(s7(RosAckData, 0x0400, []byte{0x00, 0x00}, []byte{0x29}, nil))

	// PLC Control (PI service): function 0x28, unknown (7), parameter block length 0,
	// service length 9, "P_PROGRAM" (hot restart).
	startJob = dt(s7(RosJob, 0x0500, nil,
		append([]byte{0x28, 0, 0, 0, 0, 0, 0, 0xfd, 0x00, 0x00, 0x09}, "P_PROGRAM"...), nil))
	startAck = dt(s7(RosAckData, 0x0500, []byte{0x00, 0x00}, []byte{0x28}, nil))

	// Start Upload of OB1: function 0x1d, status 0, reserved, session 0, name length 9.
	uploadJob = dt(s7(RosJob, 0x0600, nil,
		append([]byte{0x1d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09}, "_0800001A"...), nil))
	// ACK-Data: status 0, reserved 0x0100, session 7, length string "0000216".
	uploadAck = dt(s7(RosAckData, 0x0600, []byte{0x00, 0x00},
		append([]byte{0x1d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x07, 0x07}, "0000216"...), nil))

	// ACK with an error: class 0x81 (application relationship), code 0x04.
	errAck = dt(s7(RosAck, 0x0700, []byte{0x81, 0x04}, nil, nil))

	// User-data security, PLC password: type/group 0x45, sub-function 1, 8 obfuscated bytes.
	passReq = dt(s7(RosUserData, 0x0800, nil, []byte{0x00, 0x01, 0x12, 0x04, 0x11, 0x45, 0x01, 0x00},
		[]byte{0xff, 0x09, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8}))

	// Cyclic-services push from the PLC (type 0, group 2, sub-function 1), no error part.
	cyclicPush = dt(s7(RosUserData, 0x0000, nil, []byte{0x00, 0x01, 0x12, 0x04, 0x12, 0x02, 0x01, 0x00},
		[]byte{0xff, 0x09, 0x00, 0x02, 0x00, 0x01}))

	// S7comm-plus V3 Set Variable request: 0x72, version 3, length, digest length 32, digest,
	// opcode 0x31, reserved, function 0x04f2, then a few data bytes, then the trailer.
	plusReq = dt(plusFrame(3, []byte{0x31, 0x00, 0x00, 0x04, 0xf2, 0x00, 0x00, 0x00, 0x10}))
	// S7comm-plus V3 notification.
	plusNotif = dt(plusFrame(3, []byte{0x33, 0x70, 0x00, 0x0e, 0x51, 0x04, 0x00}))
)

func szlData(id uint16, entryLen uint16, entries ...[]byte) []byte {
	var list []byte
	for _, e := range entries {
		list = append(list, e...)
	}
	n := 8 + len(list)
	d := []byte{0xff, 0x09, byte(n >> 8), byte(n), // success, octet string, length
		byte(id >> 8), byte(id), 0x00, 0x00, // SZL id, index
		byte(entryLen >> 8), byte(entryLen), 0x00, byte(len(entries))} // entry length, count
	return append(d, list...)
}

func plusFrame(version uint8, data []byte) []byte {
	body := data
	if version == 3 {
		body = append(append([]byte{0x20}, make([]byte, 32)...), data...) // digest length, digest
	}
	b := []byte{0x72, version, byte(len(body) >> 8), byte(len(body))}
	b = append(b, body...)
	return append(b, 0x72, version, 0x00, 0x00) // trailer
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
