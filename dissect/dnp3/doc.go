// Package dnp3 is the dnp3 dissector (being written).
package dnp3
