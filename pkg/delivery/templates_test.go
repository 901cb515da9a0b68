package delivery_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/delivery"
)

func TestRenderLocales(t *testing.T) {
	t.Parallel()
	tpl := loadTemplates(t)
	tests := []struct {
		locale  string
		subject string // a word only that locale's subject has
		body    string
	}{
		{"en", "Your Inviter account is ready", "choose your own password"},
		{"ru", "Ваша учётная запись в Inviter готова", "зададите новый пароль"},
		{"ru-RU", "Ваша учётная запись", "Временный пароль"},
		{"RU_ru", "Ваша учётная запись", "Временный пароль"},
		{"de", "Your Inviter account", "expires"}, // no German templates: the default
		{"", "Your Inviter account", "expires"},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			t.Parallel()
			r, err := tpl.Render(emailMessage(1, "a@example.com", tt.locale))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.Subject, tt.subject) {
				t.Errorf("subject %q does not contain %q", r.Subject, tt.subject)
			}
			for name, s := range map[string]string{"text": r.Text, "html": r.HTML, "sms": r.SMS} {
				for _, want := range []string{"Alexander", testLogin, testPassword, testLoginURL} {
					if !strings.Contains(s, want) {
						t.Errorf("%s does not contain %q:\n%s", name, want, s)
					}
				}
			}
			for name, s := range map[string]string{"text": r.Text, "html": r.HTML} {
				if !strings.Contains(s, tt.body) {
					t.Errorf("%s does not contain %q", name, tt.body)
				}
			}
		})
	}
}

func TestRenderDefaultLocale(t *testing.T) {
	t.Parallel()
	tpl, err := delivery.LoadTemplates("", "ru")
	if err != nil {
		t.Fatal(err)
	}
	r, err := tpl.Render(emailMessage(1, "a@example.com", "fr"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Subject, "учётная запись") {
		t.Errorf("subject %q is not Russian", r.Subject)
	}
	if _, err := delivery.LoadTemplates("", "fr"); err == nil {
		t.Error("LoadTemplates with an unsupported default locale did not fail")
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	t.Parallel()
	tpl := loadTemplates(t)
	m := emailMessage(1, "a@example.com", "en")
	m.FirstName = `<script>alert("x")</script>`
	m.Password = `a<b>&"c`
	r, err := tpl.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, "<script>") || strings.Contains(r.HTML, "a<b>") {
		t.Errorf("HTML not escaped:\n%s", r.HTML)
	}
	if !strings.Contains(r.HTML, "&lt;script&gt;") || !strings.Contains(r.HTML, "a&lt;b&gt;&amp;") {
		t.Errorf("HTML lacks the escaped name or password:\n%s", r.HTML)
	}
	// Plain text is not HTML: it keeps the characters as they are.
	if !strings.Contains(r.Text, m.FirstName) || !strings.Contains(r.Text, m.Password) {
		t.Errorf("text changed the name or password:\n%s", r.Text)
	}
}

func TestRenderWithoutFirstName(t *testing.T) {
	t.Parallel()
	tpl := loadTemplates(t)
	m := emailMessage(1, "a@example.com", "en")
	m.FirstName = ""
	r, err := tpl.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Text, "Hello,") || !strings.HasPrefix(r.SMS, "Login:") {
		t.Errorf("greeting without a name:\ntext: %q\nsms: %q", r.Text[:20], r.SMS)
	}
}

func TestRenderSubjectIsOneLine(t *testing.T) {
	t.Parallel()
	tpl := loadTemplates(t)
	m := emailMessage(1, "a@example.com", "en")
	m.LoginURL = "https://evil.example.com\r\nBcc: victim@example.com"
	r, err := tpl.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(r.Subject, "\r\n") {
		t.Errorf("subject has a line break: %q", r.Subject)
	}
}

func TestRenderRefusesEmptyPassword(t *testing.T) {
	t.Parallel()
	m := emailMessage(1, "a@example.com", "en")
	m.Password = ""
	if _, err := loadTemplates(t).Render(m); err == nil {
		t.Error("Render without a password did not fail")
	}
}

func TestTemplateOverride(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ru/sms.txt", "Логин {{.Login}}, пароль {{.Password}}\n")
	write("en/body.html", "<p>Hi {{.FirstName}}</p>")
	tpl, err := delivery.LoadTemplates(dir, "en")
	if err != nil {
		t.Fatal(err)
	}
	m := emailMessage(1, "a@example.com", "ru")
	m.FirstName = "<b>"
	r, err := tpl.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Логин " + testLogin + ", пароль " + testPassword; r.SMS != want {
		t.Errorf("overridden SMS = %q, want %q", r.SMS, want)
	}
	if !strings.Contains(r.Subject, "учётная запись") {
		t.Errorf("files not overridden should stay embedded; subject %q", r.Subject)
	}
	m.Locale = "en"
	if r, err = tpl.Render(m); err != nil {
		t.Fatal(err)
	}
	if r.HTML != "<p>Hi &lt;b&gt;</p>" {
		t.Errorf("overridden HTML = %q: not used or not escaped", r.HTML)
	}

	t.Run("unknown field fails at load", func(t *testing.T) {
		t.Parallel()
		bad := t.TempDir()
		if err := os.MkdirAll(filepath.Join(bad, "en"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bad, "en", "sms.txt"), []byte("{{.Pasword}}"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := delivery.LoadTemplates(bad, "en"); err == nil {
			t.Error("LoadTemplates accepted a template with an unknown field")
		}
	})
	t.Run("missing dir fails", func(t *testing.T) {
		t.Parallel()
		if _, err := delivery.LoadTemplates(filepath.Join(dir, "nope"), "en"); err == nil {
			t.Error("LoadTemplates accepted a missing override directory")
		}
	})
}

// The English SMS with a realistic login, password and address must be one
// GSM-7 SMS; the Russian one, in UCS-2, at most two.
func TestSMSLength(t *testing.T) {
	t.Parallel()
	tpl := loadTemplates(t)
	for locale, max := range map[string]int{"en": 1, "ru": 2} {
		m := smsMessage(1, "+79051111111", locale)
		if locale == "ru" {
			m.FirstName = "Александр"
		}
		r, err := tpl.Render(m)
		if err != nil {
			t.Fatal(err)
		}
		n := delivery.SMSSegments(r.SMS)
		t.Logf("%s SMS: %d characters, %d segment(s): %s", locale, len([]rune(r.SMS)), n, r.SMS)
		if n > max {
			t.Errorf("%s SMS takes %d segments, want at most %d", locale, n, max)
		}
	}
}

// TestInvitationCarriesProductButtonAndExpiry: the e-mail names the
// product, has a sign-in button, sets the login and password apart and
// says when the password stops working, in the recipient's language and
// the configured zone; the SMS stays one short message.
func TestInvitationCarriesProductButtonAndExpiry(t *testing.T) {
	t.Parallel()
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := delivery.LoadTemplatesWith("", "en", delivery.TemplateOptions{ProductName: "Learn Hub", TimeZone: moscow})
	if err != nil {
		t.Fatal(err)
	}
	expires := time.Date(2026, 12, 3, 11, 21, 0, 0, time.UTC)
	for _, c := range []struct {
		locale, subject, button, expiry string
	}{
		{"en", "Your Learn Hub account is ready", "Sign in to Learn Hub", "works until December 3, 2026, 14:21 (MSK)"},
		{"ru", "Ваша учётная запись в Learn Hub готова", "Войти в Learn Hub", "действует до 3 декабря 2026, 14:21 (MSK)"},
	} {
		m := emailMessage(1, "a@example.com", c.locale)
		m.ExpiresAt = expires
		r, err := tpl.Render(m)
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject != c.subject {
			t.Errorf("%s subject %q, want %q", c.locale, r.Subject, c.subject)
		}
		button := `<a href="` + testLoginURL + `" style="display: inline-block;`
		if !strings.Contains(r.HTML, button) || !strings.Contains(r.HTML, c.button+"</a>") {
			t.Errorf("%s HTML has no sign-in button %q:\n%s", c.locale, c.button, r.HTML)
		}
		// The login and the password each on a line of their own.
		for _, v := range []string{testLogin, testPassword} {
			if !strings.Contains(r.HTML, `font-weight: bold;">`+v+`</td>`) && !strings.Contains(r.HTML, `letter-spacing: 1px;">`+v+`</td>`) {
				t.Errorf("%s HTML does not set %q apart", c.locale, v)
			}
			if !regexp.MustCompile(`(?m)^\S.*: +` + regexp.QuoteMeta(v) + `$`).MatchString(r.Text) {
				t.Errorf("%s text does not set %q apart:\n%s", c.locale, v, r.Text)
			}
		}
		for name, body := range map[string]string{"text": r.Text, "html": r.HTML} {
			if !strings.Contains(body, c.expiry) || !strings.Contains(body, "Learn Hub") {
				t.Errorf("%s %s lacks %q or the product's name:\n%s", c.locale, name, c.expiry, body)
			}
		}
		if strings.Contains(r.SMS, "Learn Hub") || strings.Contains(r.SMS, "2026") {
			t.Errorf("%s SMS grew: %q", c.locale, r.SMS)
		}
	}
	// A recipient's own zone, when known, wins over the default.
	m := emailMessage(1, "a@example.com", "en")
	m.ExpiresAt, m.TimeZone = expires, time.UTC
	r, err := tpl.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "December 3, 2026, 11:21 (UTC)") {
		t.Errorf("the recipient's zone is not used:\n%s", r.Text)
	}
}
