//go:build linux

package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Live reads frames from a network interface through a Linux AF_PACKET
// socket with a TPACKET_V3 receive ring (no cgo, no libpcap). It needs
// CAP_NET_RAW. The socket only receives: Vigil never sends on it.
//
// The kernel writes frames into a ring of blocks shared with the process
// (mmap), so a frame costs no system call and no copy: Next hands out
// frames straight from the ring, and a block goes back to the kernel when
// its last frame has been read. Frames that arrive while every block is
// full are dropped by the kernel and counted (Stats).
type Live struct {
	fd    int
	iface string
	snap  int

	ring      []byte // blockNr blocks of blockSize bytes
	blockSize int
	blockNr   int
	block     int  // the block being read
	held      bool // block belongs to us (its frames are being read)
	left      int  // frames of block not yet returned
	next      int  // offset in ring of the next frame header
	vlan      []byte

	seen, dropped uint64 // kernel counters accumulated since open
}

// LiveOptions configure a live source.
type LiveOptions struct {
	// Filter is an optional classic BPF program attached in the kernel,
	// so unwanted frames are dropped before they are copied. See
	// ParseBPF for its text form.
	Filter []unix.SockFilter
	// SnapLen bounds the bytes kept of each frame (default 65535).
	SnapLen int
	// RingSize is the receive ring's size in bytes (default 64 MiB, at
	// least 1 MiB); the ring absorbs bursts while the pipeline is busy.
	RingSize int
}

// Ring geometry: 1 MiB blocks (any frame fits one, even a 64 KiB
// loopback frame); a block not yet full is handed over after retireMillis
// so a quiet link still delivers promptly.
const (
	ringBlock     = 1 << 20
	ringFrameUnit = 2048 // the kernel's bookkeeping unit; frames are variable-sized in V3
	retireMillis  = 100
	defaultRing   = 64 << 20
)

// OpenLive opens interface name for capture in promiscuous mode.
func OpenLive(name string, opt LiveOptions) (*Live, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, err
	}
	// Protocol 0 until bind, so no frame of another interface is queued
	// before the filter and the ring are in place.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("AF_PACKET socket on %s: %w (capture needs root or CAP_NET_RAW)", name, err)
	}
	l := &Live{fd: fd, iface: name, snap: opt.SnapLen}
	if l.snap <= 0 {
		l.snap = 65535
	}
	fail := func(what string, err error) (*Live, error) {
		l.Close()
		return nil, fmt.Errorf("%s on %s: %w", what, name, err)
	}
	if len(opt.Filter) > 0 {
		prog := unix.SockFprog{Len: uint16(len(opt.Filter)), Filter: &opt.Filter[0]}
		if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog); err != nil {
			return fail("attach BPF filter", err)
		}
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V3); err != nil {
		return fail("TPACKET_V3", err)
	}
	size := opt.RingSize
	if size <= 0 {
		size = defaultRing
	}
	l.blockSize, l.blockNr = ringBlock, max(1, size/ringBlock)
	req := unix.TpacketReq3{
		Block_size:     uint32(l.blockSize),
		Block_nr:       uint32(l.blockNr),
		Frame_size:     ringFrameUnit,
		Frame_nr:       uint32(l.blockNr * (l.blockSize / ringFrameUnit)),
		Retire_blk_tov: retireMillis,
	}
	if err := unix.SetsockoptTpacketReq3(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req); err != nil {
		return fail("receive ring", err)
	}
	l.ring, err = unix.Mmap(fd, 0, l.blockSize*l.blockNr, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		l.ring = nil
		return fail("map the receive ring", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}); err != nil {
		return fail("bind", err)
	}
	mreq := unix.PacketMreq{Ifindex: int32(ifi.Index), Type: unix.PACKET_MR_PROMISC}
	_ = unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq)
	return l, nil
}

// ErrTimeout is returned by Live.Next when no frame arrived for 200 ms;
// callers retry or stop.
var ErrTimeout = errors.New("no frame within the read timeout")

// Offsets in the ring's C structures (linux/if_packet.h): a block starts
// with struct tpacket_block_desc, each frame with struct tpacket3_hdr.
const (
	bdStatus   = 8  // hdr.bh1.block_status
	bdNumPkts  = 12 // hdr.bh1.num_pkts
	bdFirstPkt = 16 // hdr.bh1.offset_to_first_pkt
	thNext     = 0  // tp_next_offset
	thSec      = 4
	thNsec     = 8
	thSnaplen  = 12
	thLen      = 16
	thStatus   = 20
	thMac      = 24 // u16
	thVlanTCI  = 32 // hv1.tp_vlan_tci
	thVlanTPID = 36 // hv1.tp_vlan_tpid (u16)
	thHdrLen   = 48 // sizeof(struct tpacket3_hdr)
)

// Next returns the next frame (Ethernet link type). Its Data points into
// the receive ring and is valid until the next call.
func (l *Live) Next() (Frame, error) {
	if l.held && l.left == 0 {
		l.release()
	}
	if !l.held {
		if !l.ready() {
			fds := []unix.PollFd{{Fd: int32(l.fd), Events: unix.POLLIN | unix.POLLERR}}
			_, err := unix.Poll(fds, 200)
			if err != nil && err != unix.EINTR {
				return Frame{}, err
			}
			if !l.ready() {
				return Frame{}, ErrTimeout
			}
		}
		b := l.block * l.blockSize
		l.held = true
		l.left = int(l.u32(b + bdNumPkts))
		l.next = b + int(l.u32(b+bdFirstPkt))
		if l.left == 0 {
			return l.Next()
		}
	}
	h := l.next
	end := l.block*l.blockSize + l.blockSize
	l.left--
	if h+thHdrLen > end {
		l.left = 0
		return Frame{}, fmt.Errorf("%s: malformed block in the receive ring", l.iface)
	}
	if n := l.u32(h + thNext); n != 0 {
		l.next = h + int(n)
	}
	mac, snap := h+int(*(*uint16)(unsafe.Pointer(&l.ring[h+thMac]))), int(l.u32(h+thSnaplen))
	if mac > end || snap > end-mac {
		// The kernel wrote something this code does not understand: skip
		// the rest of the block rather than read past it.
		l.left = 0
		return Frame{}, fmt.Errorf("%s: malformed frame header in the receive ring", l.iface)
	}
	data := l.ring[mac : mac+snap : mac+snap]
	orig := int(l.u32(h + thLen))
	if st := l.u32(h + thStatus); st&unix.TP_STATUS_VLAN_VALID != 0 && len(data) >= 12 {
		// The NIC or kernel took the 802.1Q tag off; put it back so the
		// dissectors see the frame as it was on the wire.
		tpid := uint16(0x8100)
		if st&unix.TP_STATUS_VLAN_TPID_VALID != 0 {
			tpid = *(*uint16)(unsafe.Pointer(&l.ring[h+thVlanTPID]))
		}
		l.vlan = append(l.vlan[:0], data[:12]...)
		l.vlan = binary.BigEndian.AppendUint16(l.vlan, tpid)
		l.vlan = binary.BigEndian.AppendUint16(l.vlan, uint16(l.u32(h+thVlanTCI)))
		l.vlan = append(l.vlan, data[12:]...)
		data, orig = l.vlan, orig+4
	}
	if len(data) > l.snap {
		data = data[:l.snap]
	}
	return Frame{
		At:      time.Unix(int64(l.u32(h+thSec)), int64(l.u32(h+thNsec))).UTC(),
		Link:    1,
		Data:    data,
		OrigLen: max(orig, len(data)),
	}, nil
}

// u32 reads a native-endian word the kernel wrote into the ring.
func (l *Live) u32(off int) uint32 { return *(*uint32)(unsafe.Pointer(&l.ring[off])) }

// status is the current block's status word, shared with the kernel.
func (l *Live) status() *uint32 {
	return (*uint32)(unsafe.Pointer(&l.ring[l.block*l.blockSize+bdStatus]))
}

// ready reports whether the kernel has handed the current block over.
func (l *Live) ready() bool { return atomic.LoadUint32(l.status())&unix.TP_STATUS_USER != 0 }

// release gives the current block back to the kernel and moves on.
func (l *Live) release() {
	atomic.StoreUint32(l.status(), unix.TP_STATUS_KERNEL)
	l.held, l.left = false, 0
	l.block = (l.block + 1) % l.blockNr
}

// Stats reports the frames the kernel passed through the filter (those
// dropped included) and those it dropped because the ring was full, since
// the source was opened.
func (l *Live) Stats() (received, dropped uint64, err error) {
	st, err := unix.GetsockoptTpacketStatsV3(l.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return l.seen, l.dropped, err
	}
	// The kernel resets its counters on every read; keep the totals.
	l.seen += uint64(st.Packets)
	l.dropped += uint64(st.Drops)
	return l.seen, l.dropped, nil
}

// Close unmaps the ring and closes the socket.
func (l *Live) Close() error {
	if l.ring != nil {
		unix.Munmap(l.ring)
		l.ring = nil
	}
	if l.fd < 0 {
		return nil
	}
	err := unix.Close(l.fd)
	l.fd = -1
	return err
}

func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return *(*uint16)(unsafe.Pointer(&b[0]))
}
