// Package iec104 is the iec104 dissector (being written).
package iec104
