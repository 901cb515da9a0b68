package userimport

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestDetectDelimiter(t *testing.T) {
	for _, c := range []struct {
		head string
		want rune
	}{
		{"login,first_name,last_name\r\n", ','},
		{"Логин;Имя;Фамилия\r\nivan;Иван;Иванов, мл.\r\n", ';'},
		{"login\tname\tsurname\n", '\t'},
		{`"a;b;c",d,e` + "\n", ','},     // quoted semicolons do not count
		{"\r\n\r\nlogin;name\r\n", ';'}, // leading blank lines
		{"login\r\n", ','},              // one column
		{"", ','},
	} {
		if got := detectDelimiter(bufio.NewReaderSize(strings.NewReader(c.head), 64<<10)); got != c.want {
			t.Errorf("%q: %q, want %q", c.head, got, c.want)
		}
	}
}

func TestHeaderKey(t *testing.T) {
	for in, want := range map[string]string{
		"E-mail": "email", " First Name ": "firstname", "first_name": "firstname", "\uFEFFLogin": "login",
		"ТЕЛЕФОН": "телефон", "Электронная почта": "электроннаяпочта", "Е-почта": "епочта", "Ёжик": "ежик",
	} {
		if got := headerKey(in); got != want {
			t.Errorf("headerKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+79051111111": "'+79051111111", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "Ivan": "Ivan", "": "", "'quoted": "'quoted", "1+1": "1+1",
	} {
		got := Neutralise(in)
		if got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
		if back := unneutralise(got); back != in {
			t.Errorf("unneutralise(%q) = %q, want %q back", got, back, in)
		}
	}
}

func TestCharsetSniffing(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
	}{
		{"ascii", "login,name\r\nivan,Ivan\r\n", CharsetUTF8},
		{"utf-8", "login,name\r\nivan,Иван\r\n", CharsetUTF8},
		{"windows-1251", "login,name\r\nivan,\xc8\xe2\xe0\xed\r\n", CharsetWindows1251},
		// A multi-byte character cut by the sniffing window is still UTF-8.
		{"utf-8 across the window", "x," + strings.Repeat("€", sniffWindow/3+1), CharsetUTF8}, // 3-byte runes: the window cuts one
		{"utf-8 cut at the end of the file", "x,\xd0", CharsetWindows1251},
	} {
		text, detected := decodeText(bufio.NewReaderSize(strings.NewReader(c.text), 64<<10), "")
		if _, err := io.ReadAll(text); err != nil {
			t.Fatal(err)
		}
		if got := detected(); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestParseCharset(t *testing.T) {
	for in, want := range map[string]string{"": "", "auto": "", "UTF-8": CharsetUTF8, "utf8": CharsetUTF8,
		"cp1251": CharsetWindows1251, "Windows-1251": CharsetWindows1251} {
		if got, err := ParseCharset(in); err != nil || got != want {
			t.Errorf("ParseCharset(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseCharset("koi8-r"); err == nil {
		t.Error("koi8-r accepted")
	}
}
