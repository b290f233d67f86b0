// Package s7comm is the s7comm dissector (being written).
package s7comm
