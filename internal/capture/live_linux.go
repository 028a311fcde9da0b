//go:build linux

package capture

import (
	"encoding/binary"
	"fmt"
	"net"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Live reads frames from a network interface through a Linux AF_PACKET
// socket (no cgo, no libpcap). It needs CAP_NET_RAW. The socket only
// receives: Vigil never sends on it.
type Live struct {
	fd    int
	iface string
	buf   []byte
}

// LiveOptions configure a live source.
type LiveOptions struct {
	// Filter is an optional classic BPF program attached in the kernel,
	// so unwanted frames are dropped before they are copied. See
	// ParseBPF for its text form.
	Filter []unix.SockFilter
	// SnapLen bounds the bytes kept of each frame (default 65535).
	SnapLen int
}

// OpenLive opens interface name for capture in promiscuous mode.
func OpenLive(name string, opt LiveOptions) (*Live, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, err
	}
	proto := htons(unix.ETH_P_ALL)
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(proto))
	if err != nil {
		return nil, fmt.Errorf("AF_PACKET socket on %s: %w (capture needs root or CAP_NET_RAW)", name, err)
	}
	l := &Live{fd: fd, iface: name}
	if len(opt.Filter) > 0 {
		prog := unix.SockFprog{Len: uint16(len(opt.Filter)), Filter: &opt.Filter[0]}
		if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("attach BPF filter: %w", err)
		}
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: ifi.Index}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind to %s: %w", name, err)
	}
	mreq := unix.PacketMreq{Ifindex: int32(ifi.Index), Type: unix.PACKET_MR_PROMISC}
	_ = unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 8<<20)
	// A receive timeout lets Next return periodically so callers can stop.
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 0, Usec: 200_000})
	snap := opt.SnapLen
	if snap <= 0 {
		snap = 65535
	}
	l.buf = make([]byte, snap)
	return l, nil
}

// ErrTimeout is returned by Live.Next when no frame arrived for 200 ms;
// callers retry or stop.
var ErrTimeout = fmt.Errorf("no frame within the read timeout")

// Next returns the next frame (Ethernet link type). Data is valid until
// the next call.
func (l *Live) Next() (Frame, error) {
	n, _, flags, _, err := unix.Recvmsg(l.fd, l.buf, nil, unix.MSG_TRUNC)
	if err == unix.EAGAIN || err == unix.EINTR {
		return Frame{}, ErrTimeout
	}
	if err != nil {
		return Frame{}, err
	}
	_ = flags
	data := l.buf[:min(n, len(l.buf))]
	return Frame{At: time.Now().UTC(), Link: 1, Data: data, OrigLen: n}, nil
}

// Stats reports the frames the kernel delivered and dropped since the
// previous call (PACKET_STATISTICS resets on read).
func (l *Live) Stats() (received, dropped uint64, err error) {
	st, err := unix.GetsockoptTpacketStats(l.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return 0, 0, err
	}
	return uint64(st.Packets), uint64(st.Drops), nil
}

// Close closes the socket.
func (l *Live) Close() error { return unix.Close(l.fd) }

func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return *(*uint16)(unsafe.Pointer(&b[0]))
}
