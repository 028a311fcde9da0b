package discovery

// flowIndex maps flow ids to their places in the flow table's slab: an
// open-addressing hash table with linear probing, whose slots hold the
// id's hash and the place, not the id (the slab has it). A lookup touches
// one or two cache lines of slots, and the slab only when a hash matches:
// on a busy network most index lookups are for conversations not seen
// before, and a Go map of the ids (48 bytes a slot) spends most of its
// time waiting for memory.
type flowIndex struct {
	slots []indexSlot // a power of two long; at most 3/4 full
	n     int
}

type indexSlot struct {
	hash uint64
	ref  flowRef // the place plus one; 0 is an empty slot
}

const indexMinSlots = 1 << 10

func (id flowID) hash() uint64 {
	h := id.c1*0x9e3779b97f4a7c15 ^ id.s1*0xc2b2ae3d27d4eb4f ^ id.pp*0x165667b19e3779f9 ^ id.c0*0xd6e8feb86659fd93 ^ id.s0*0x94d049bb133111eb
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	return h ^ h>>29
}

// reset empties the index, sized for about n flows.
func (x *flowIndex) reset(n int) {
	size := indexMinSlots
	for size*3/4 < n {
		size *= 2
	}
	if len(x.slots) == size {
		clear(x.slots)
	} else {
		x.slots = make([]indexSlot, size)
	}
	x.n = 0
}

func (x *flowIndex) len() int { return x.n }

// get finds id's place (t's slab holds the ids to compare).
func (x *flowIndex) get(id flowID, t *flowTable) (flowRef, bool) {
	if x.n == 0 {
		return 0, false
	}
	h := id.hash()
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.ref == 0 {
			return 0, false
		}
		if s.hash == h && t.id(s.ref-1).eq(&id) {
			return s.ref - 1, true
		}
	}
}

// put indexes a new id (not already in the index) at place r.
func (x *flowIndex) put(id flowID, r flowRef) {
	if (x.n+1)*4 > len(x.slots)*3 {
		x.grow()
	}
	x.insert(indexSlot{hash: id.hash(), ref: r + 1})
	x.n++
}

func (x *flowIndex) insert(s indexSlot) {
	mask := uint64(len(x.slots) - 1)
	i := s.hash & mask
	for x.slots[i].ref != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}

func (x *flowIndex) grow() {
	old := x.slots
	x.slots = make([]indexSlot, max(2*len(old), indexMinSlots))
	for _, s := range old {
		if s.ref != 0 {
			x.insert(s)
		}
	}
}

// del removes id, shifting back the slots after it that would no longer
// be found past the emptied one.
func (x *flowIndex) del(id flowID, t *flowTable) {
	if x.n == 0 {
		return
	}
	h := id.hash()
	mask := uint64(len(x.slots) - 1)
	i := h & mask
	for {
		s := &x.slots[i]
		if s.ref == 0 {
			return
		}
		if s.hash == h && t.id(s.ref-1).eq(&id) {
			break
		}
		i = (i + 1) & mask
	}
	x.n--
	for j := (i + 1) & mask; x.slots[j].ref != 0; j = (j + 1) & mask {
		home := x.slots[j].hash & mask
		// Slot j may move to the hole at i unless its home lies
		// cyclically in (i, j].
		if (j-home)&mask >= (j-i)&mask {
			x.slots[i] = x.slots[j]
			i = j
		}
	}
	x.slots[i] = indexSlot{}
}

// each calls fn with the place of every indexed flow.
func (x *flowIndex) each(fn func(flowRef)) {
	for _, s := range x.slots {
		if s.ref != 0 {
			fn(s.ref - 1)
		}
	}
}
