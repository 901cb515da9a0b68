package delivery

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// maxVonageBody bounds how much of an answer is read; a real one is a few
// hundred bytes.
const maxVonageBody = 1 << 20

// exchange is what callTransport saw of the HTTP response: the SDK turns a
// 429 or a 500 into an error carrying only the status line, and the
// Retry-After header is lost altogether.
type exchange struct {
	status int
	header http.Header
	body   []byte
}

// callTransport carries one SDK call. It runs the request under the
// caller's context (the SDK builds it on context.Background()) while keeping
// the deadline of http.Client.Timeout, and records the response.
type callTransport struct {
	ctx  context.Context
	base http.RoundTripper
	ex   *exchange
}

func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// Cancelled by the caller's context or by the client's (its timeout),
	// whichever comes first.
	ctx, cancel := context.WithCancelCause(t.ctx)
	defer cancel(nil)
	stop := context.AfterFunc(req.Context(), func() { cancel(context.Cause(req.Context())) })
	defer stop()

	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	// Read the whole (small) body now, while ctx is alive, and hand the SDK
	// a copy; the original connection goes back to the pool.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxVonageBody))
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	t.ex.status, t.ex.header, t.ex.body = resp.StatusCode, resp.Header, body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
