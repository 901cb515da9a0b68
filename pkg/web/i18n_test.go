package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/userimport"
)

// pluralForms are the forms pluralForm returns for lang.
func pluralForms(lang string) []string {
	var forms []string
	for n := range 1000 {
		if f := pluralForm(lang, n); !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	slices.Sort(forms)
	return forms
}

var allPluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// pluralBase is key without its plural form, and whether it had one.
func pluralBase(key string) (string, bool) {
	i := strings.LastIndexByte(key, '.')
	if i < 0 || !slices.Contains(allPluralForms, key[i+1:]) {
		return key, false
	}
	return key[:i], true
}

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	t.Parallel()
	if len(catalog) != len(languages) {
		t.Errorf("catalog has %d languages, the UI %d", len(catalog), len(languages))
	}
	plain := map[string]map[string]bool{}  // lang -> key
	plural := map[string]map[string]bool{} // lang -> base
	for _, lang := range languages {
		plain[lang], plural[lang] = map[string]bool{}, map[string]bool{}
		forms := pluralForms(lang)
		byBase := map[string][]string{}
		for key := range catalog[lang] {
			if base, ok := pluralBase(key); ok {
				byBase[base] = append(byBase[base], key[len(base)+1:])
				plural[lang][base] = true
				continue
			}
			plain[lang][key] = true
		}
		for base, have := range byBase {
			slices.Sort(have)
			if !slices.Equal(have, forms) {
				t.Errorf("%s: %s has the forms %v; pluralForm gives %v", lang, base, have, forms)
			}
		}
	}
	for _, kind := range []map[string]map[string]bool{plain, plural} {
		for _, a := range languages {
			for _, b := range languages {
				for key := range kind[a] {
					if !kind[b][key] {
						t.Errorf("%q is in %s but not in %s", key, a, b)
					}
				}
			}
		}
	}
	for lang, texts := range catalog {
		for key, text := range texts {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %q is empty", lang, key)
			}
		}
	}
}

// hasKey reports whether lang can show key: a plain entry, or a plural
// one with every form pluralForm may ask for.
func hasKey(lang, key string) bool {
	if _, ok := lookup(lang, key); ok {
		return true
	}
	for _, f := range pluralForms(lang) {
		if _, ok := lookup(lang, key+"."+f); !ok {
			return false
		}
	}
	return true
}

var (
	// {{t "key"}}, (t "key" ...), {{plural .N "key"}}
	templateKeyRE = regexp.MustCompile(`[{(]-?\s*(?:t|plural\s+[^"}]+?)\s+"([^"]+)"`)
	keyLikeRE     = regexp.MustCompile(`^[a-z]+\.[a-z0-9_]+(\.[a-z0-9_]+)*$`)
)

func TestTemplateKeysAreInTheCatalog(t *testing.T) {
	t.Parallel()
	n := 0
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		for _, m := range templateKeyRE.FindAllStringSubmatch(string(b), -1) {
			n++
			for _, lang := range languages {
				if !hasKey(lang, m[1]) {
					t.Errorf("%s uses %q, missing in %s", path, m[1], lang)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Errorf("found only %d keys in the templates: is the pattern still right?", n)
	}
}

// TestCodeKeysAreInTheCatalog finds the string constants of the package's
// code that look like a catalog key (a known namespace, a dot, a name) and
// requires each in every language.
func TestCodeKeysAreInTheCatalog(t *testing.T) {
	t.Parallel()
	namespaces := map[string]bool{}
	for key := range catalog["en"] {
		ns, _, _ := strings.Cut(key, ".")
		namespaces[ns] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "catalog.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			ns, _, _ := strings.Cut(s, ".")
			if err != nil || !keyLikeRE.MatchString(s) || !namespaces[ns] {
				return true
			}
			found++
			for _, lang := range languages {
				if !hasKey(lang, s) {
					t.Errorf("%s uses %q, missing in %s", fset.Position(lit.Pos()), s, lang)
				}
			}
			return true
		})
	}
	if found < 20 {
		t.Errorf("found only %d keys in the code: is the pattern still right?", found)
	}
}

// TestDomainValuesHaveTexts requires a text for every value the pages name
// through a computed key.
func TestDomainValuesHaveTexts(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, s := range []invite.Status{"", invite.StatusNotInvited, invite.StatusWaiting, invite.StatusInvited, invite.StatusError} {
		keys = append(keys, "status."+string(s))
	}
	for _, s := range []invite.AttemptStatus{invite.AttemptWaiting, invite.AttemptSent, invite.AttemptFailed, invite.AttemptRejected, invite.AttemptSuperseded} {
		keys = append(keys, "attempt."+string(s))
	}
	for _, c := range []invite.Channel{invite.ChannelEmail, invite.ChannelSMS} {
		keys = append(keys, "channel."+string(c))
	}
	for _, m := range []invite.VerificationMethod{invite.MethodEmailOrPhone, invite.MethodEmailOnly, invite.MethodPhoneOnly} {
		keys = append(keys, "method."+string(m))
	}
	for _, r := range []invite.Role{invite.RoleUser, invite.RoleAdmin, invite.RoleSuperAdmin} {
		keys = append(keys, "role."+string(r))
	}
	for _, code := range []string{invite.ReasonNoContact, invite.ReasonNoEmail, invite.ReasonInvalidEmail, invite.ReasonInvalidPhone,
		invite.ReasonPhoneWithoutCountry, invite.ReasonDeliveryRejected, invite.ReasonDeliveryFailed, invite.ReasonAdminAccount} {
		keys = append(keys, "reason."+code)
	}
	for _, ph := range []userimport.Phase{userimport.PhaseReading, userimport.PhaseSaving, userimport.PhaseInviting, userimport.PhaseDone} {
		keys = append(keys, "import.phase."+string(ph))
	}
	for _, sev := range []userimport.Severity{userimport.SeverityError, userimport.SeverityWarning} {
		keys = append(keys, "import.severity."+string(sev))
	}
	// The statuses renderError and formError answer with.
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		keys = append(keys, "error."+strconv.Itoa(status))
	}
	// The errors a visitor can cause by filling in a form.
	for _, code := range []string{"invalid_credentials", "required.login", "required.password", "busy",
		"required.old_password", "required.new_password", "password_mismatch", "wrong_password", "same_password", "weak_password",
		"required.first_name", "required.last_name", "too_long", "invalid_login", "conflict", "required.user_ids"} {
		keys = append(keys, "code."+code)
	}
	for _, key := range keys {
		for _, lang := range languages {
			if _, ok := lookup(lang, key); !ok {
				t.Errorf("%s has no %q", lang, key)
			}
		}
	}
}

func TestPluralForm(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"ru", 0, "many"}, {"ru", 1, "one"}, {"ru", 2, "few"}, {"ru", 3, "few"}, {"ru", 4, "few"}, {"ru", 5, "many"},
		{"ru", 11, "many"}, {"ru", 12, "many"}, {"ru", 14, "many"}, {"ru", 21, "one"}, {"ru", 22, "few"}, {"ru", 25, "many"},
		{"ru", 101, "one"}, {"ru", 104, "few"}, {"ru", 111, "many"}, {"ru", 112, "many"}, {"ru", 1001, "one"}, {"ru", -2, "few"},
		{"en", 0, "other"}, {"en", 1, "one"}, {"en", 2, "other"}, {"en", 11, "other"}, {"en", 21, "other"}, {"en", -1, "one"},
	} {
		if got := pluralForm(c.lang, c.n); got != c.want {
			t.Errorf("pluralForm(%s, %d) = %s, want %s", c.lang, c.n, got, c.want)
		}
	}
	if got := funcs("ru")["plural"].(func(int, string) string)(22, "confirm.will_send"); got != "Будет отправлено 22 приглашения." {
		t.Errorf("plural 22 in Russian: %q", got)
	}
	if got := funcs("en")["plural"].(func(int, string) string)(1234, "confirm.will_send"); got != "1,234 invitations will be sent." {
		t.Errorf("plural 1234 in English: %q", got)
	}
}

func TestFormatNum(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0"}, {"en", 999, "999"}, {"en", 1000, "1,000"}, {"en", 1234567, "1,234,567"}, {"en", -1234, "-1,234"},
		{"ru", 1000, "1\u00a0000"}, {"ru", 100000, "100\u00a0000"}, {"ru", 12, "12"},
	} {
		if got := formatNum(c.lang, c.n); got != c.want {
			t.Errorf("formatNum(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

func TestChooseLang(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		query, cookie, accept, want string
	}{
		{"", "", "", "en"},
		{"", "", "ru-RU,ru;q=0.9,en-US;q=0.8", "ru"},
		{"", "", "de-DE, en;q=0.5, ru;q=0.4", "en"},
		{"", "", "de, fr", "en"},
		{"", "", "RU", "ru"},
		{"", "ru", "en", "ru"},
		{"", "xx", "ru", "ru"},
		{"en", "ru", "ru", "en"},
		{"ru", "", "en", "ru"},
		{"xx", "", "ru", "ru"},
	} {
		r := httptest.NewRequest("GET", "/users?lang="+c.query, nil)
		if c.cookie != "" {
			r.AddCookie(&http.Cookie{Name: langCookie, Value: c.cookie})
		}
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		if got := chooseLang(r); got != c.want {
			t.Errorf("lang=%q cookie=%q Accept-Language=%q: %s, want %s", c.query, c.cookie, c.accept, got, c.want)
		}
	}
}

func TestLanguageIsRemembered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client(t)
	c.header.Set("Accept-Language", "ru")
	r := c.get("/login")
	wantContains(t, r.body, `<html lang="ru">`, "Вход")
	if c.cookie(langCookie) != "" {
		t.Error("the browser's preference was written to a cookie")
	}

	r = c.get("/login?lang=en")
	wantContains(t, r.body, `<html lang="en">`, "Sign in", `href="/login?lang=ru"`)
	if k := r.setCookie(langCookie); k == nil || k.Value != "en" || !k.HttpOnly || k.MaxAge <= 0 {
		t.Errorf("language cookie %+v", k)
	}
	// The cookie outweighs Accept-Language.
	wantContains(t, c.get("/login").body, `<html lang="en">`)
	root := e.as(t, e.rootID)
	wantContains(t, root.get("/users?lang=ru").body, `<html lang="ru">`, "Пользователи", "Не приглашён")
	wantContains(t, root.get("/users").body, `<html lang="ru">`)
	// Unknown languages are ignored.
	wantContains(t, root.get("/users?lang=xx").body, `<html lang="ru">`)
}
