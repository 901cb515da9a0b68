package web

import (
	"strings"
	"testing"
	"unicode"

	"github.com/inviter/inviter/pkg/invite"
)

// russianAllowedLatin are the Russian texts that are rightly written in
// Latin letters only: names a Russian reader knows as they are.
var russianAllowedLatin = map[string]bool{"Inviter": true, "E-mail": true, "SMS": true, "CSV": true, "XLSX": true}

// TestRussianIsNotLeftInEnglish: every Russian text has Cyrillic letters,
// unless it is one of the few names Russian readers use in Latin letters,
// and no Russian text is the English one copied.
func TestRussianIsNotLeftInEnglish(t *testing.T) {
	t.Parallel()
	for key, ru := range catalog["ru"] {
		if russianAllowedLatin[ru] {
			continue
		}
		if !strings.ContainsFunc(ru, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) {
			t.Errorf("ru %q = %q has no Cyrillic letter", key, ru)
		}
		if en, ok := catalog["en"][key]; ok && en == ru {
			t.Errorf("ru %q is the English text %q", key, en)
		}
	}
}

// TestTextsNameNoJSONFields: the texts people read name things as the
// pages do, never by an API field or option name.
func TestTextsNameNoJSONFields(t *testing.T) {
	t.Parallel()
	fields := []string{"update_existing", "send_invitation", "first_name", "last_name", "old_password", "new_password",
		"user_ids", "invite_status", "dry_run", "verification_method"}
	for _, lang := range languages {
		for key, text := range catalog[lang] {
			for _, f := range fields {
				if strings.Contains(text, f) && key != "import.intro" { // the intro lists the file's own column headers
					t.Errorf("%s %q names the field %q: %q", lang, key, f, text)
				}
			}
		}
	}
}

// TestErrorTextNeverShowsEnglishToRussians: an error the catalog has no
// text for reads as a Russian sentence on a Russian page, and as the
// error's own message on an English one.
func TestErrorTextNeverShowsEnglishToRussians(t *testing.T) {
	t.Parallel()
	err := invite.Errorf(invite.KindInvalid, "brand_new_code", "delimiter must be comma").WithField("file")
	if got := errorText("ru", err); got != translate("ru", "code.unknown") {
		t.Errorf("ru: %q", got)
	}
	if got := errorText("en", err); got != "delimiter must be comma" {
		t.Errorf("en: %q", got)
	}
	if got := errorText("ru", invite.Errorf(invite.KindInvalid, "required", "last_name is required").WithField("last_name")); got != "Укажите фамилию." && !strings.Contains(got, "фамили") {
		t.Errorf("ru required last_name: %q", got)
	}
}
