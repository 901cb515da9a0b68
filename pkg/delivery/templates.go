package delivery

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/url"
	"os"
	"path"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// The default templates, one directory per locale. Adding a locale is adding
// a directory: LoadTemplates reads the list from here.
//
//go:embed templates
var embeddedTemplates embed.FS

// The files of one locale, by their path relative to the locale directory.
const (
	subjectFile = "subject.txt"
	textFile    = "body.txt"
	htmlFile    = "body.html"
	smsFile     = "sms.txt"
)

// Templates renders invitations in the supported locales. It is read-only
// after LoadTemplates and safe for concurrent use.
type Templates struct {
	defaultLocale string
	sets          map[string]*templateSet
	opts          TemplateOptions
}

type templateSet struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template // html/template, so a name like <script> is escaped
	sms     *texttemplate.Template
}

// Rendered is one invitation in every form a channel may need.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
	SMS     string
}

// templateData is what the templates see: the message without its routing
// fields, plus the login host for places where a full URL reads badly (the
// subject line).
type templateData struct {
	FirstName string
	LastName  string
	Login     string
	Password  string
	LoginURL  string
	LoginHost string
	// ProductName is the product's name (PRODUCT_NAME).
	ProductName string
	// ExpiresAt is when the password stops working, in the recipient's
	// words and zone; "" when unknown.
	ExpiresAt string
}

// LoadTemplates parses the embedded templates. When overrideDir is not empty,
// a file found there under the same relative path (for example
// "ru/sms.txt") replaces the embedded one, so an operator can reword a
// message without a rebuild. defaultLocale ("" means "en") is used for
// messages whose locale has no templates.
//
// Every template is executed once with sample data, so a mistake in an
// override (an unknown field) stops the service at start-up rather than
// failing each invitation later.
func LoadTemplates(overrideDir, defaultLocale string) (*Templates, error) {
	return LoadTemplatesWith(overrideDir, defaultLocale, TemplateOptions{})
}

// LoadTemplatesWith is LoadTemplates with the deployment's particulars:
// the product's name and the default time zone.
func LoadTemplatesWith(overrideDir, defaultLocale string, o TemplateOptions) (*Templates, error) {
	root, err := fs.Sub(embeddedTemplates, "templates")
	if err != nil {
		return nil, fmt.Errorf("delivery: templates: %w", err)
	}
	var override fs.FS
	if overrideDir != "" {
		// A configured directory that is missing is a typo, not "no overrides".
		if fi, err := os.Stat(overrideDir); err != nil {
			return nil, fmt.Errorf("delivery: template override dir: %w", err)
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("delivery: template override dir %s is not a directory", overrideDir)
		}
		override = os.DirFS(overrideDir)
	}
	entries, err := fs.ReadDir(root, ".")
	if err != nil {
		return nil, fmt.Errorf("delivery: templates: %w", err)
	}
	t := &Templates{sets: make(map[string]*templateSet), opts: o.withDefaults()}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		set, err := loadSet(root, override, e.Name())
		if err != nil {
			return nil, err
		}
		t.sets[e.Name()] = set
	}
	if defaultLocale == "" {
		defaultLocale = "en"
	}
	t.defaultLocale = strings.ToLower(defaultLocale)
	if t.sets[t.defaultLocale] == nil {
		return nil, fmt.Errorf("delivery: default locale %q has no templates", defaultLocale)
	}
	for locale := range t.sets {
		sample := invite.Message{Locale: locale, FirstName: "Sample", LastName: "User",
			Login: "sample.user", Password: "Sample-Passw0rd", LoginURL: "https://example.com/login", ExpiresAt: time.Now()}
		if _, err := t.Render(sample); err != nil {
			return nil, fmt.Errorf("delivery: check templates: %w", err)
		}
	}
	return t, nil
}

func loadSet(root, override fs.FS, locale string) (*templateSet, error) {
	read := func(name string) (string, string, error) {
		p := path.Join(locale, name)
		if override != nil {
			b, err := fs.ReadFile(override, p)
			if err == nil {
				return string(b), "override " + p, nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return "", "", fmt.Errorf("delivery: read template %s: %w", p, err)
			}
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return "", "", fmt.Errorf("delivery: read template %s: %w", p, err)
		}
		return string(b), p, nil
	}
	parseText := func(name string) (*texttemplate.Template, error) {
		src, origin, err := read(name)
		if err != nil {
			return nil, err
		}
		tpl, err := texttemplate.New(origin).Option("missingkey=error").Parse(src)
		if err != nil {
			return nil, fmt.Errorf("delivery: parse template: %w", err)
		}
		return tpl, nil
	}
	var set templateSet
	var err error
	if set.subject, err = parseText(subjectFile); err != nil {
		return nil, err
	}
	if set.text, err = parseText(textFile); err != nil {
		return nil, err
	}
	if set.sms, err = parseText(smsFile); err != nil {
		return nil, err
	}
	src, origin, err := read(htmlFile)
	if err != nil {
		return nil, err
	}
	if set.html, err = htmltemplate.New(origin).Option("missingkey=error").Parse(src); err != nil {
		return nil, fmt.Errorf("delivery: parse template: %w", err)
	}
	return &set, nil
}

// Render renders m in its locale: m.Locale when there are templates for it
// ("ru-RU" and "ru_RU" count as "ru"), the default locale otherwise. A
// message without a login or password is refused: sending it would only
// confuse the user.
func (t *Templates) Render(m invite.Message) (Rendered, error) {
	r, err := t.RenderEmail(m)
	if err != nil {
		return Rendered{}, err
	}
	if r.SMS, err = t.RenderSMS(m); err != nil {
		return Rendered{}, err
	}
	return r, nil
}

// RenderEmail renders the e-mail parts only (Subject, Text, HTML): a sender
// renders what its channel needs, per message.
func (t *Templates) RenderEmail(m invite.Message) (Rendered, error) {
	set, data, err := t.prepare(m)
	if err != nil {
		return Rendered{}, err
	}
	var r Rendered
	var buf bytes.Buffer
	if r.Subject, err = execute(&buf, m, func() error { return set.subject.Execute(&buf, data) }); err != nil {
		return Rendered{}, err
	}
	// A subject is one header line: fold whatever the template or the name
	// brought in (newlines, runs of spaces) into single spaces.
	r.Subject = strings.Join(strings.Fields(r.Subject), " ")
	if r.Text, err = execute(&buf, m, func() error { return set.text.Execute(&buf, data) }); err != nil {
		return Rendered{}, err
	}
	if r.HTML, err = execute(&buf, m, func() error { return set.html.Execute(&buf, data) }); err != nil {
		return Rendered{}, err
	}
	return r, nil
}

// RenderSMS renders the SMS text only.
func (t *Templates) RenderSMS(m invite.Message) (string, error) {
	set, data, err := t.prepare(m)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	sms, err := execute(&buf, m, func() error { return set.sms.Execute(&buf, data) })
	// Every character of an SMS is paid for: drop the file's final newline.
	return strings.TrimSpace(sms), err
}

func (t *Templates) prepare(m invite.Message) (*templateSet, templateData, error) {
	if m.Login == "" || m.Password == "" {
		return nil, templateData{}, fmt.Errorf("delivery: invitation %d has no login or password", m.InvitationID)
	}
	locale := t.locale(m.Locale)
	loc := t.opts.TimeZone
	if m.TimeZone != nil {
		loc = m.TimeZone
	}
	data := templateData{FirstName: m.FirstName, LastName: m.LastName, Login: m.Login,
		Password: m.Password, LoginURL: m.LoginURL, LoginHost: loginHost(m.LoginURL),
		ProductName: t.opts.ProductName, ExpiresAt: expiryText(locale, m.ExpiresAt, loc)}
	return t.sets[locale], data, nil
}

func execute(buf *bytes.Buffer, m invite.Message, run func() error) (string, error) {
	buf.Reset()
	if err := run(); err != nil {
		return "", fmt.Errorf("delivery: render invitation %d: %w", m.InvitationID, err)
	}
	return buf.String(), nil
}

// locale picks the template set for a language tag.
func (t *Templates) locale(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if t.sets[tag] != nil {
		return tag
	}
	return t.defaultLocale
}

// loginHost returns the host of the login address, or the address itself
// when it does not parse as an absolute URL.
func loginHost(loginURL string) string {
	u, err := url.Parse(loginURL)
	if err != nil || u.Host == "" {
		return loginURL
	}
	return u.Host
}
