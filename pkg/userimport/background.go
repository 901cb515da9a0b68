package userimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// background runs the imports started with Start.
type background struct {
	ctx     context.Context // cancelled by Shutdown when its deadline passes
	cancel  context.CancelFunc
	tempDir string
	slots   chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	closed  bool
}

func (b *background) init(tempDir string, concurrency int) {
	if concurrency <= 0 {
		concurrency = 2
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.tempDir, b.slots = tempDir, make(chan struct{}, concurrency)
}

// Start saves the file to a temporary file (so the request can end) and
// imports it in the background; Job follows it. The file is checked
// against the size limit before Start returns; everything else is the
// job's outcome.
func (im *Importer) Start(ctx context.Context, src io.Reader, contentType string, opts Options) (Job, error) {
	if im.jobs == nil {
		return Job{}, errNoJobs
	}
	if opts.Size > im.limits.MaxBytes {
		return Job{}, im.tooLarge()
	}
	if _, err := ParseCharset(opts.Charset); err != nil {
		return Job{}, err
	}
	f, n, err := im.spool(src)
	if err != nil {
		return Job{}, err
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	opts.Size = n
	im.bg.mu.Lock()
	defer im.bg.mu.Unlock()
	if im.bg.closed {
		return Job{}, invite.Errorf(invite.KindUnavailable, "shutting_down", "the server is stopping; import the file again in a moment")
	}
	job, err := im.jobs.CreateImportJob(ctx, opts)
	if err != nil {
		return Job{}, err
	}
	keep = true
	im.bg.wg.Add(1)
	go func() {
		defer im.bg.wg.Done()
		defer os.Remove(f.Name())
		defer f.Close()
		im.runJob(job, f, contentType)
	}()
	return job, nil
}

// spool copies an upload to a temporary file, enforcing the size limit,
// and rewinds it: the import then reads a file whatever the client's pace.
func (im *Importer) spool(src io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp(im.bg.tempDir, "inviter-import-*")
	if err != nil {
		return nil, 0, fmt.Errorf("userimport: spool upload: %w", err)
	}
	n, err := io.Copy(f, &counter{r: src, max: im.limits.MaxBytes, tooLarge: im.tooLarge()})
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		var ie *invite.Error
		if errors.As(err, &ie) {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("userimport: spool upload: %w", err)
	}
	return f, n, nil
}

// runJob imports a spooled file, keeping its job up to date.
func (im *Importer) runJob(job Job, f *os.File, contentType string) {
	ctx := im.bg.ctx
	beat := newHeartbeat(im, job.ID, Progress{BytesTotal: job.Options.Size})
	defer beat.stop()
	var (
		rep Report
		err error
	)
	select {
	case im.bg.slots <- struct{}{}:
		beat.set(JobRunning, Progress{Phase: PhaseReading, BytesTotal: job.Options.Size})
		rep, err = im.Import(ctx, f, contentType, job.Options, func(p Progress) { beat.set(JobRunning, p) })
		<-im.bg.slots
	case <-ctx.Done():
		err = ctx.Err()
	}
	beat.stop()
	var failure *invite.Reason
	if err != nil {
		failure = failureReason(err)
		if invite.KindOf(err) == invite.KindInternal {
			im.log.Error("background import failed", "import", job.ID, "err", err)
		}
	}
	fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var repp *Report
	if err == nil {
		repp = &rep
	}
	if err := im.jobs.FinishImportJob(fctx, job.ID, repp, failure); err != nil {
		im.log.Error("background import: cannot record its end", "import", job.ID, "err", err)
	}
}

// failureReason is what an admin sees of a failed background import: the
// error itself when it is about the file, nothing internal otherwise.
func failureReason(err error) *invite.Reason {
	var e *invite.Error
	switch {
	case errors.Is(err, context.Canceled):
		return &invite.Reason{Code: "interrupted", Message: "The server stopped during the import; nothing of it was imported. Import the file again."}
	case errors.As(err, &e) && e.Kind != invite.KindInternal:
		return &invite.Reason{Code: e.Code, Message: e.Message}
	}
	return &invite.Reason{Code: "internal", Message: "The import failed on the server; nothing of it was imported."}
}

// Shutdown stops taking background imports and waits for those running
// until ctx is done; then it cancels them (each rolls back and records
// that it was interrupted) and waits for that.
func (im *Importer) Shutdown(ctx context.Context) {
	im.bg.mu.Lock()
	im.bg.closed = true
	im.bg.mu.Unlock()
	done := make(chan struct{})
	go func() { im.bg.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		im.bg.cancel()
		<-done
	}
	im.bg.cancel()
}
