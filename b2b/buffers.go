package b2b

import (
	"errors"
	"io"
	"slices"
	"sync"
)

// Success bodies are read into pooled buffers: a call decodes its answer and gives the buffer
// back, so steady traffic reads bodies without allocating for them.
var bufPool = sync.Pool{New: func() any { return new(bodyBuffer) }}

// bodyBuffer is a pooled buffer a body is read into.
type bodyBuffer struct{ b []byte }

func getBuffer() *bodyBuffer { return bufPool.Get().(*bodyBuffer) }

// putBuffer returns buf to the pool unless it grew past what is worth keeping.
func putBuffer(buf *bodyBuffer) {
	if buf == nil || cap(buf.b) > 1<<20 {
		return
	}
	buf.b = buf.b[:0]
	bufPool.Put(buf)
}

// minRead is the least room a read is given, as bytes.Buffer does: enough for a reader to say
// io.EOF after a body whose length was known in advance.
const minRead = 512

var errReadCount = errors.New("the body reader returned an impossible byte count")

// readFrom appends what r yields to buf until io.EOF or until limit bytes were read, whichever
// comes first, and returns how many bytes it read and the first error other than io.EOF. sizeHint,
// when positive, is how many bytes are expected (a Content-Length): room for them is made at once.
//
// It is what bytes.Buffer.ReadFrom on an io.LimitReader did before, without the allocation of
// the LimitReader (an interface value that escapes) and without bytes.Buffer's copying.
func (buf *bodyBuffer) readFrom(r io.Reader, limit, sizeHint int64) (int64, error) {
	if sizeHint > 0 && sizeHint < limit {
		buf.b = slices.Grow(buf.b, int(sizeHint)+minRead)
	}
	var read int64
	for read < limit {
		if cap(buf.b)-len(buf.b) < minRead {
			buf.b = slices.Grow(buf.b, minRead)
		}
		room := buf.b[len(buf.b):cap(buf.b)]
		if rest := limit - read; int64(len(room)) > rest {
			room = room[:rest]
		}
		n, err := r.Read(room)
		if n < 0 || n > len(room) {
			return read, errReadCount
		}
		buf.b = buf.b[:len(buf.b)+n]
		read += int64(n)
		if err == io.EOF {
			return read, nil
		}
		if err != nil {
			return read, err
		}
	}
	return read, nil
}
