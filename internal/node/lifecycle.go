package node

import (
	"errors"
	"fmt"
)

// stack records how to stop each started component, and stops them in
// reverse order of starting.
type stack struct {
	names []string
	stops []func() error
}

func (s *stack) push(name string, stop func() error) {
	s.names = append(s.names, name)
	s.stops = append(s.stops, stop)
}

// unwind stops every component, last started first, and joins the errors.
// It empties the stack, so a second call does nothing.
func (s *stack) unwind() error {
	var errs []error
	for i := len(s.stops) - 1; i >= 0; i-- {
		if err := s.stops[i](); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", s.names[i], err))
		}
	}
	s.names, s.stops = nil, nil
	return errors.Join(errs...)
}
