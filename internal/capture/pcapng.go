package capture

import (
	"bufio"
	"errors"
)

func newPcapng(r *bufio.Reader, name string) (Source, error) {
	return nil, &FormatError{File: name, Err: errors.New("pcapng not yet supported")}
}
