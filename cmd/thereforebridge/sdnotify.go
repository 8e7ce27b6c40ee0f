package main

import (
	"net"
	"os"
)

// sdNotify tells systemd about the bridge's state ("READY=1",
// "STOPPING=1") when it runs as a Type=notify unit, which sets
// $NOTIFY_SOCKET; elsewhere it does nothing. This is the whole sd_notify
// protocol: one datagram per state on a unix socket (a leading '@' names
// an abstract socket, which Go's net package maps itself), so no cgo and
// no libsystemd.
func sdNotify(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}
