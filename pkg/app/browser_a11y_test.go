package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/inviter/inviter/pkg/testenv"
)

// axeSource is axe-core's script, installed from the npm registry by
// `make a11y` (which `make test` runs) at the version tools/a11y's lock
// file pins; $AXE_JS overrides the path. The tests never fetch it.
func axeSource(t testing.TB) string {
	t.Helper()
	path := os.Getenv("AXE_JS")
	if path == "" {
		path = filepath.Join("..", "..", "tools", "a11y", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core is not installed (%v): run `make a11y`", err)
	}
	return string(b)
}

// axeViolation is one failed axe rule on a page, with where it failed.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// checkAxe runs axe-core on the page as it is (WCAG 2.x A and AA and best
// practices) and fails the test with every violation.
func (b *browser) checkAxe(axe, page string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined" || (function(){`+axe+`
return true})()`)); err != nil {
		b.t.Fatalf("browser: inject axe-core on %s: %v", page, err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(
		r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: axe-core on %s: %v", page, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		b.t.Fatalf("axe result on %s: %v", page, err)
	}
	for _, v := range vs {
		b.t.Errorf("axe on %s: %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, v.Targets)
	}
}

// setViewport resizes the tab's viewport, as a window of that size would.
func (b *browser) setViewport(width, height int64, mobile bool) {
	b.t.Helper()
	if mobile {
		b.do("viewport", chromedp.EmulateViewport(width, height, chromedp.EmulateMobile))
		return
	}
	b.do("viewport", chromedp.EmulateViewport(width, height))
}

// checkNoOverflow fails when the page is wider than the window: nothing
// may stick out sideways (the table scrolls inside its own box).
func (b *browser) checkNoOverflow(page string) {
	b.t.Helper()
	w := eval[[]int](b, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if w[0] > w[1] {
		b.t.Errorf("%s is %d px wide in a %d px window", page, w[0], w[1])
	}
}

// a11yPage is a page the accessibility test visits: its address (or a
// step that leads there) and a name for its screenshot.
type a11yPage struct {
	name string
	open func(b *browser, lang string)
}

// TestBrowserAccessibility: every page, in English and Russian, at a
// desktop (1440x900) and a phone (390x844) width, passes axe-core, is no
// wider than the window, and is photographed. On the users page the focus
// ring has 3:1 contrast, the action bar and the table's header stay on
// screen while scrolling, and on a phone each row's status is in view.
func TestBrowserAccessibility(t *testing.T) {
	t.Parallel()
	// The platform users go to once they have chosen a password.
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><title>Platform</title><main><h1>the platform</h1></main></html>`)
	}))
	t.Cleanup(platform.Close)
	s := startService(t, options{Env: map[string]string{"RETRY_BASE_DELAY": "1h", "PRODUCT_NAME": "Learn Hub",
		"PLATFORM_URL": platform.URL + "/start", "DEFAULT_TIMEZONE": "Europe/Moscow"}})
	logsOnFailure(t, s)
	axe := axeSource(t)
	tok := adminToken(t, s)
	api := s.API + "/api/v1"
	add := func(body map[string]string) user { return createUser(t, api, tok, body) }
	anna := add(map[string]string{"login": "anna", "first_name": "Анна", "last_name": "Константинопольская", "email": "anna.konstantinopolskaya@example.com", "locale": "ru"})
	add(map[string]string{"login": "dave", "first_name": "Dave", "last_name": "Dyer", "phone": "9051111111"})
	for i := range 40 {
		add(map[string]string{"login": fmt.Sprintf("employee.with.a.long.login%02d", i), "first_name": "Екатерина",
			"last_name": fmt.Sprintf("Длинная-Фамилия%02d", i), "email": fmt.Sprintf("employee%02d@example.com", i), "phone": "+7 905 111-22-33"})
	}
	boris := add(map[string]string{"login": "boris", "first_name": "Boris", "last_name": "Petrov", "email": "boris@example.com"})
	// Each width gets an invited user of its own for the password page.
	invited := map[string][2]string{}
	mailHTML := map[string]string{} // by locale
	for size, u := range map[string]user{"desktop": anna, "phone": boris} {
		call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{u.ID}}, nil, http.StatusAccepted)
		mail := s.SMTP.WaitMessages(t, len(invited)+1, 30*time.Second)[len(invited)]
		login, password := testenv.Credentials(t, testenv.MailText(t, mail.Data))
		invited[size] = [2]string{login, password}
		locale := map[string]string{"desktop": "ru", "phone": "en"}[size]
		mailHTML[locale] = htmlPart(t, mail.Data)
	}

	csv := filepath.Join(t.TempDir(), "staff.csv")
	if err := os.WriteFile(csv, []byte("login;first_name;last_name;email\r\nanna;Анна;Иванова;anna2@example.com\r\nnew.one;Пётр;;p@example.com\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	adminPages := []a11yPage{
		{"users", func(b *browser, lang string) { b.open("/users?lang=" + lang) }},
		{"users-add-error", func(b *browser, lang string) {
			b.open("/users?lang=" + lang)
			b.do("add a taken login", chromedp.Click(chromedp.ID("add-user-toggle")),
				chromedp.SetValue(chromedp.ID("new-login"), "anna"), chromedp.SetValue(chromedp.ID("new-first"), "A"),
				chromedp.SetValue(chromedp.ID("new-last"), "B"), chromedp.Submit(chromedp.ID("new-login")))
			b.waitFor("the error", `document.getElementById('add-user-error') !== null`, 10*time.Second)
		}},
		{"user-card", func(b *browser, lang string) { b.open(fmt.Sprintf("/users/%d?lang=%s", anna.ID, lang)) }},
		{"confirm", func(b *browser, lang string) {
			b.open("/users?lang=" + lang)
			b.do("select and send", chromedp.Click(chromedp.ID("all-matching")), chromedp.Click(chromedp.ID("send-invitation")))
			b.waitPage("/users/invite")
		}},
		{"settings", func(b *browser, lang string) { b.open("/settings?lang=" + lang) }},
		{"import", func(b *browser, lang string) { b.open("/import?lang=" + lang) }},
		{"import-check", func(b *browser, lang string) {
			b.open("/import?lang=" + lang)
			b.do("check", chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{csv}), chromedp.Click(chromedp.ID("import-check")))
			b.waitFor("the report", `document.getElementById('import-report') !== null`, 60*time.Second)
		}},
		{"login", func(b *browser, lang string) {}}, // visited signed out, below
	}
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1440, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			b := newBrowser(t, s.API, int(size.width), int(size.height))
			b.setViewport(size.width, size.height, size.width < 500)
			for _, lang := range []string{"en", "ru"} {
				b.open("/login?lang=" + lang)
				b.checkAxe(axe, "login "+lang)
				b.checkNoOverflow("login " + lang)
				b.screenshot(fmt.Sprintf("a11y-%s-%s-login", size.name, lang))
			}
			b.signIn("admin", adminPassword, "/users")
			for _, p := range adminPages {
				if p.name == "login" {
					continue
				}
				for _, lang := range []string{"en", "ru"} {
					p.open(b, lang)
					page := p.name + " " + lang
					b.checkAxe(axe, page)
					b.checkNoOverflow(page)
					b.screenshot(fmt.Sprintf("a11y-%s-%s-%s", size.name, lang, p.name))
				}
			}
			b.open("/users?lang=ru")
			b.checkUsersLayout(size.width < 500)

			// The invitation e-mail as a mail reader shows it.
			for locale, body := range mailHTML {
				b.do("open the e-mail", chromedp.Navigate("data:text/html;charset=utf-8;base64,"+base64.StdEncoding.EncodeToString([]byte(body))))
				if !eval[bool](b, `[...document.querySelectorAll('a')].some(a => a.textContent.includes('Learn Hub') && a.getBoundingClientRect().width > 100)`) {
					t.Errorf("the %s e-mail has no visible sign-in button", locale)
				}
				b.checkNoOverflow("e-mail " + locale)
				b.screenshot(fmt.Sprintf("a11y-%s-%s-email", size.name, locale))
			}

			// The invited user's side: the password page, then the account.
			u := newBrowser(t, s.API, int(size.width), int(size.height))
			u.setViewport(size.width, size.height, size.width < 500)
			u.open("/login?lang=ru")
			u.signIn(invited[size.name][0], invited[size.name][1], "/password")
			u.checkAxe(axe, "password ru")
			u.checkNoOverflow("password ru")
			u.screenshot(fmt.Sprintf("a11y-%s-ru-password", size.name))
			u.open("/password?lang=en")
			u.checkAxe(axe, "password en")
			u.screenshot(fmt.Sprintf("a11y-%s-en-password", size.name))
			if size.name == "desktop" {
				u.do("choose a password", chromedp.SetValue(chromedp.ID("new_password"), "an own password"),
					chromedp.SetValue(chromedp.ID("confirm_password"), "an own password"),
					chromedp.Submit(chromedp.ID("new_password")))
				// After the password, the platform (PLATFORM_URL).
				u.waitFor("the platform", fmt.Sprintf(`location.href.startsWith(%q) && document.body.innerText.includes("the platform")`, platform.URL), 30*time.Second)
				u.open("/account?lang=ru")
				u.checkAxe(axe, "account ru")
				u.screenshot("a11y-desktop-ru-account")
				u.open("/account?lang=en")
				u.checkAxe(axe, "account en")
				u.screenshot("a11y-desktop-en-account")
			}
		})
	}
}

// htmlPart is the decoded text/html part of a raw e-mail.
func htmlPart(t *testing.T, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // undoes quoted-printable
		if err != nil {
			t.Fatalf("no text/html part: %v", err)
		}
		if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			continue
		}
		var r io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
}

// checkUsersLayout checks what axe cannot see on the users page: the focus
// ring's contrast, the sticky action bar and header, the status in view
// on a phone.
func (b *browser) checkUsersLayout(phone bool) {
	b.t.Helper()
	// Tab to the first link of the page and measure the ring against the
	// page behind it.
	eval[bool](b, `document.activeElement.blur(), true`)
	b.do("tab", chromedp.KeyEvent(kb.Tab))
	ring := eval[[]float64](b, contrastJS+`
		(function () {
			const el = document.activeElement, cs = getComputedStyle(el);
			let around = 'rgb(255, 255, 255)';
			for (let n = el.parentElement; n; n = n.parentElement) {
				const c = getComputedStyle(n).backgroundColor;
				if (c && !/rgba\(.*, 0\)$/.test(c) && c !== 'transparent') { around = c; break; }
			}
			return [parseFloat(cs.outlineWidth) || 0, cs.outlineStyle === 'none' ? 0 : contrast(cs.outlineColor, around)];
		})()`)
	if ring[0] < 2 || ring[1] < 3 {
		b.t.Errorf("focus ring %.0f px at contrast %.2f:1; want at least 2 px and 3:1", ring[0], ring[1])
	}
	// The window scrolls: the action bar stays at the top.
	top := eval[float64](b, `window.scrollTo(0, document.body.scrollHeight), document.getElementById('action-bar').getBoundingClientRect().top`)
	if top < -1 || top > 2 {
		b.t.Errorf("the action bar is at %.0f px after scrolling, not at the top", top)
	}
	// The table scrolls in its box: its header stays at the box's top.
	gap := eval[float64](b, `(function () {
		const box = document.querySelector('.invite-form .table-wrap');
		box.scrollTop = box.scrollHeight;
		return document.querySelector('table.users thead th').getBoundingClientRect().top - box.getBoundingClientRect().top;
	})()`)
	if gap < -1 || gap > 2 {
		b.t.Errorf("the table's header is %.0f px from its box's top after scrolling", gap)
	}
	if phone {
		// Every status badge is within the table's box, without scrolling
		// sideways.
		out := eval[int](b, `(function () {
			const box = document.querySelector('.invite-form .table-wrap').getBoundingClientRect();
			return Array.from(document.querySelectorAll('td.status-cell .badge')).filter(el => el.getBoundingClientRect().right > box.right + 1).length;
		})()`)
		if out > 0 {
			b.t.Errorf("%d statuses are outside the table's box on a phone", out)
		}
	}
}

// contrastJS defines contrast(a, b), the WCAG contrast ratio of two CSS
// rgb()/rgba() colours.
const contrastJS = `
function contrast(a, b) {
	const lum = c => {
		const m = c.match(/[\d.]+/g).map(Number);
		const ch = m.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
		return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
	};
	const la = lum(a), lb = lum(b);
	return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}
`
