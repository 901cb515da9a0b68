package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is a headless Chromium tab driven through the DevTools protocol,
// pointed at a running service.
type browser struct {
	t    testing.TB
	ctx  context.Context
	base string
}

// chromiumPath finds Debian's Chromium: $CHROMIUM (set by `make test`),
// else chromium on PATH. A missing browser fails the test: `make test`
// installs it.
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "chromium", "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Fatal("Chromium is not installed: run `make browser` (Debian packages chromium and chromium-driver)")
	return ""
}

// newBrowser starts a fresh Chromium (its own profile, so no cookies are
// shared between tests) with a window of width×height.
func newBrowser(t testing.TB, base string, width, height int) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
		// The machine has no network: keep Chromium from trying.
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "en-US"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, base: base}
	// The first run starts the browser; it must not carry a timeout (that
	// would stop the browser), so a watchdog cancels a start that hangs.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx, chromedp.Navigate("about:blank")) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start Chromium: %v", err)
		}
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatal("Chromium did not start within 2 minutes")
	}
	return b
}

// do runs actions with a deadline.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// open navigates to a path of the service and waits for the page's main
// element.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("main")))
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return v
}

// fetchStatus makes the page send a request with its cookies (as the
// page's own script would) and returns the response status.
func (b *browser) fetchStatus(method, path string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	expr := fmt.Sprintf(`fetch(%q, {method: %q}).then(r => r.status)`, path, method)
	v, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: %s %s: %v", method, path, err)
	}
	return v
}

// fetchText makes the page GET a path with its cookies and returns the body.
func (b *browser) fetchText(path string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q).then(r => r.text())`, path), chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: GET %s: %v", path, err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it is true. It survives page
// loads in between, which is what a form submission or a redirect causes.
func (b *browser) waitFor(what, expr string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		if time.Now().After(deadline) {
			b.t.Fatalf("browser: timed out after %s waiting for %s (%s); last error %v; page: %s", timeout, what, expr, last, b.location())
		}
		time.Sleep(50 * time.Millisecond) // poll interval, not synchronisation
	}
}

// waitPage waits until the page at path (and the given query, if any) has
// loaded.
func (b *browser) waitPage(pathAndQuery string) {
	b.t.Helper()
	b.waitFor("page "+pathAndQuery, fmt.Sprintf(
		"document.readyState === 'complete' && (location.pathname + location.search).startsWith(%q)", pathAndQuery), 30*time.Second)
}

func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// text is the visible text of the first element matching a CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// texts is the text content of every element matching a CSS selector.
func (b *browser) texts(sel string) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.textContent.trim())`, sel))
}

// screenshot saves the whole page as a PNG under test-output/screenshots
// (or $SCREENSHOT_DIR) for a person to look at.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-output", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("browser: screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// signIn fills in the sign-in form and waits for the page it leads to.
func (b *browser) signIn(login, password, landing string) {
	b.t.Helper()
	b.open("/login")
	b.do("sign in",
		chromedp.SetValue(chromedp.ID("login"), login),
		chromedp.SetValue(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
	)
	b.waitPage(landing)
}

// logsOnFailure prints the end of the service's logs when the test fails:
// a page that answered 500 says why there.
func logsOnFailure(t *testing.T, s *service) {
	t.Cleanup(func() {
		if t.Failed() {
			logs := s.Logs.String()
			t.Logf("service logs (last 8 KiB):\n%s", logs[max(0, len(logs)-8192):])
		}
	})
}
