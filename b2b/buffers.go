package b2b

import (
	"bytes"
	"sync"
)

// Success bodies are read into pooled buffers: a call decodes its answer and gives the buffer
// back, so steady traffic reads bodies without allocating for them.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

// putBuffer returns buf to the pool unless it grew past what is worth keeping.
func putBuffer(buf *bytes.Buffer) {
	if buf == nil || buf.Cap() > 1<<20 {
		return
	}
	buf.Reset()
	bufPool.Put(buf)
}
