package web

import (
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/userimport"
)

// TestIssueTexts: import issues read in the page's language with their
// particulars, naming columns as the pages do, never by field names.
func TestIssueTexts(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang  string
		issue userimport.Issue
		want  string
	}{
		{"ru", userimport.Issue{Code: "exists", Column: "first_name", Message: "… update_existing …",
			Args: map[string]string{"login": "ivan", "fields": "first_name,email"}},
			"Пользователь «ivan» уже есть и оставлен без изменений; в файле отличается: Имя, E-mail. Отметьте «Обновлять существующих пользователей», чтобы изменить."},
		{"en", userimport.Issue{Code: "exists", Column: "last_name", Args: map[string]string{"login": "ivan", "fields": "last_name,phone"}},
			"differs in: Last name, Phone. Check “Update existing users”"},
		{"ru", userimport.Issue{Code: "required", Column: "last_name", Message: "last_name is required."}, "Не указана фамилия."},
		{"ru", userimport.Issue{Code: "duplicate_in_file", Column: "email", Args: map[string]string{"value": "a@b.c", "line": "4", "what": "email"}},
			"Адрес почты «a@b.c» уже встречается в строке 4 файла."},
		{"ru", userimport.Issue{Code: "phone_without_country_code", Column: "phone"}, "нет кода страны"},
		{"ru", userimport.Issue{Code: "login_kept", Args: map[string]string{"login": "ivan", "by": "email"}}, "по полю «E-mail»"},
		{"en", userimport.Issue{Code: "some_future_code", Message: "As the importer says."}, "As the importer says."},
	} {
		if got := issueText(c.lang, c.issue); !strings.Contains(got, c.want) {
			t.Errorf("%s %s: %q; want %q", c.lang, c.issue.Code, got, c.want)
		}
	}
}
