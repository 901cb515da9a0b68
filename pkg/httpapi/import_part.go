package httpapi

import (
	"errors"
	"io"
	"mime/multipart"
)

// partReader reads the file part of a multipart upload. A body that ends
// before the part's closing boundary is a cut-off upload (the client's
// fault): the multipart reader says io.ErrUnexpectedEOF, which becomes a
// 400 upload_failed rather than an internal error.
type partReader struct{ p *multipart.Part }

func (r partReader) Read(b []byte) (int, error) {
	n, err := r.p.Read(b)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, uploadError(err)
	}
	return n, err
}
