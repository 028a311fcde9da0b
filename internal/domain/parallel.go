package domain

import (
	"runtime"
	"sync"
)

// Parallel calls fn(i) for every i in [0, n), spread over the machine's
// cores when n is large enough to be worth it. fn must touch only what
// belongs to its own i. Importers use it for per-row work that reads
// nothing shared and writes only its own slot.
func Parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/1000))
	if workers == 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}(w)
	}
	wg.Wait()
}
