package main

import (
	_ "embed"
	"fmt"
	"strings"
)

// compatTable is the "status-go v0.35 compatibility" section of
// docs/API.md, hand-written: the state in statusd of every method
// status-go v0.35.1 registered in shhext_ and mailservers_. A test checks
// it against testdata/v035-methods.txt and against the methods a node
// registers.
//
//go:embed compat.md
var compatTable string

// compatRow is one row of the table.
type compatRow struct {
	method, state, how string
}

// compatStates are the states a row may give.
var compatStates = map[string]bool{"same": true, "smaller": true, "missing": true}

// compatRows parses the table's rows ("| `method` | state | how |").
func compatRows(md string) ([]compatRow, error) {
	var rows []compatRow
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 3 {
			return nil, fmt.Errorf("compat.md:%d: %d cells, want 3", i+1, len(cells))
		}
		r := compatRow{strings.Trim(strings.TrimSpace(cells[0]), "`"), strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2])}
		if !compatStates[r.state] {
			return nil, fmt.Errorf("compat.md:%d: state %q is not same, smaller or missing", i+1, r.state)
		}
		if r.state != "same" && r.how == "" {
			return nil, fmt.Errorf("compat.md:%d: %s is %s without saying how", i+1, r.method, r.state)
		}
		rows = append(rows, r)
	}
	return rows, nil
}
