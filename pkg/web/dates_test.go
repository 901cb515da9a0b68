package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

func TestDateFormatter(t *testing.T) {
	t.Parallel()
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 11, 21, 0, 0, time.UTC)
	for _, c := range []struct {
		lang string
		now  time.Time
		want string
	}{
		{"en", at.Add(2*time.Hour + 5*time.Minute), `<time datetime="2026-11-30T11:21:00Z" title="Nov 30, 2026, 14:21 MSK">Nov 30, 2026, 14:21 <span class="ago">· 2 hours ago</span></time>`},
		{"ru", at.Add(2 * time.Hour), `<time datetime="2026-11-30T11:21:00Z" title="30 нояб. 2026, 14:21 MSK">30 нояб. 2026, 14:21 <span class="ago">· 2 часа назад</span></time>`},
		{"ru", at.Add(5 * time.Hour), `5 часов назад`},
		{"ru", at.Add(21 * time.Minute), `21 минуту назад`},
		{"en", at.Add(20 * time.Second), `just now`},
		{"en", at.Add(48 * time.Hour), `Nov 30, 2026, 14:21</time>`}, // older than a day: the date alone
	} {
		got := string(dateFormatter{lang: c.lang, loc: moscow, now: c.now}.html(at))
		if !strings.Contains(got, c.want) {
			t.Errorf("%s at %s: %s; want %s", c.lang, c.now.Sub(at), got, c.want)
		}
	}
	if got := zoneName(at.In(time.FixedZone("", 5*3600+1800))); got != "UTC+05:30" {
		t.Errorf("zone without a name: %s", got)
	}
}

// TestDatesInViewerZone: dates show in the zone the browser reported (the
// cookie the page script sets), else in the configured default, in the
// page's language, with how long ago; the server keeps UTC.
func TestDatesInViewerZone(t *testing.T) {
	t.Parallel()
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, func(d *Deps) {
		d.TimeZone = moscow
		d.Now = func() time.Time { return time.Now().Add(3*time.Hour + time.Minute) }
	})
	u := e.createUser(t, invite.NewUser{Login: "ivan", Email: "ivan@example.com"})
	stored, err := e.store.User(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	created := stored.CreatedAt
	root := e.as(t, e.rootID)
	timeRE := regexp.MustCompile(`<time datetime="([^"]+)" title="[^"]+">([^<]+) <span class="ago">· ([^<]+)</span></time>`)
	for _, c := range []struct {
		zone, lang string
		loc        *time.Location
		ago        string
	}{
		{"", "ru", moscow, "3 часа назад"},
		{"Asia/Tokyo", "en", mustZone(t, "Asia/Tokyo"), "3 hours ago"},
		{"Mars/Olympus", "en", moscow, "3 hours ago"}, // an unknown zone: the default
	} {
		h := http.Header{}
		if c.zone != "" {
			h.Set("Cookie", tzCookie+"="+c.zone)
		}
		r := root.do("GET", userPath(u.ID)+"?lang="+c.lang, nil, h)
		want(t, r, http.StatusOK)
		m := timeRE.FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("%s: no date on the card:\n%s", c.zone, r.body)
		}
		local := created.In(c.loc)
		if m[1] != created.UTC().Format(time.RFC3339) || !strings.HasSuffix(m[2], local.Format("15:04")) || m[3] != c.ago {
			t.Errorf("zone %q: %q %q %q; want %s in %s, %q", c.zone, m[1], m[2], m[3], local.Format("15:04"), c.loc, c.ago)
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
