//go:build !race

package testutil

// raceEnabled reports whether this binary was built with -race.
const raceEnabled = false
