package main

import (
	"fmt"
	"net"
	"strings"
)

// notifier sends service state changes to systemd's notification socket
// (sd_notify(3)): one datagram per call to the Unix socket named by
// NOTIFY_SOCKET, an abstract socket when the name starts with "@". Without
// NOTIFY_SOCKET it does nothing.
type notifier struct {
	socket string
}

func newNotifier(getenv func(string) string) notifier {
	return notifier{socket: getenv("NOTIFY_SOCKET")}
}

// notify sends state ("READY=1", "STOPPING=1", newline-separated
// assignments). It blocks only for the local datagram write.
func (n notifier) notify(state string) error {
	if n.socket == "" {
		return nil
	}
	name := n.socket
	if strings.HasPrefix(name, "@") {
		name = "\x00" + name[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("notify socket %s: %w", n.socket, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("notify socket %s: %w", n.socket, err)
	}
	return nil
}
