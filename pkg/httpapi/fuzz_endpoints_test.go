package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/userimport"
)

// route is one endpoint; {id} is replaced by a value of the fuzzer's.
type route struct{ method, path string }

// allRoutes is every endpoint of the API (server.go's routes()).
var allRoutes = []route{
	{"POST", "/api/v1/auth/login"}, {"POST", "/api/v1/auth/password"}, {"POST", "/api/v1/auth/logout"},
	{"POST", "/api/v1/users"}, {"GET", "/api/v1/users"}, {"GET", "/api/v1/users/{id}"},
	{"GET", "/api/v1/users/export"}, {"POST", "/api/v1/users/import"}, {"GET", "/api/v1/users/imports/{id}"},
	{"POST", "/api/v1/invitations"}, {"POST", "/api/v1/invitations/preview"},
	{"GET", "/api/v1/invitations/batches/{id}"}, {"GET", "/api/v1/settings/auth"}, {"PUT", "/api/v1/settings/auth"},
	{"GET", "/api/v1/dev/outbox"}, {"GET", "/healthz"}, {"GET", "/readyz"},
}

// fuzzer makes random and malformed inputs, from a fixed seed so that a
// failure can be replayed.
type fuzzer struct{ r *rand.Rand }

// nasty are strings that have broken services before.
var nasty = []string{"", "\x00", "a\x00b", "\xff\xfe", "\xd0", strings.Repeat("я", 300), strings.Repeat("x", 5000),
	"' OR 1=1 --", "<script>alert(1)</script>", "%00", "../../etc/passwd", "-1", "0", "9223372036854775808",
	"1e309", "NaN", "null", "true", "[]", "{}", "🙂", "\u202e", "+79051111111", "a@b", "@", "\t\r\n", "%", "%zz",
	"email_only", "waiting", "-login", "name,email", "eyJhIjoxfQ", "MTIz"}

func (f fuzzer) str() string {
	if f.r.IntN(3) == 0 {
		b := make([]byte, f.r.IntN(40))
		for i := range b {
			b[i] = byte(f.r.IntN(256))
		}
		return string(b)
	}
	return nasty[f.r.IntN(len(nasty))]
}

// value is a JSON value of a random kind, sometimes nested.
func (f fuzzer) value(depth int) any {
	switch f.r.IntN(8) {
	case 0:
		return nil
	case 1:
		return f.r.IntN(2) == 0
	case 2:
		return f.r.NormFloat64() * 1e12
	case 3:
		return -f.r.Int64()
	case 4:
		if depth > 0 {
			a := make([]any, f.r.IntN(5))
			for i := range a {
				a[i] = f.value(depth - 1)
			}
			return a
		}
	case 5:
		if depth > 0 {
			return f.object(depth - 1)
		}
	}
	return f.str()
}

var fields = []string{"login", "password", "old_password", "new_password", "first_name", "last_name", "email", "phone",
	"locale", "user_ids", "filter", "invite_status", "q", "name", "verification_method", "role", "id"}

func (f fuzzer) object(depth int) map[string]any {
	o := map[string]any{}
	for range f.r.IntN(6) {
		name := fields[f.r.IntN(len(fields))]
		if f.r.IntN(5) == 0 {
			name = f.str()
		}
		o[name] = f.value(depth)
	}
	return o
}

// body is a request body: valid JSON of odd shapes, broken JSON, or bytes.
func (f fuzzer) body() (string, []byte) {
	switch f.r.IntN(7) {
	case 0:
		return "application/json", []byte(strings.Repeat("[", 10000))
	case 1:
		b := make([]byte, f.r.IntN(2000))
		for i := range b {
			b[i] = byte(f.r.IntN(256))
		}
		return []string{"application/json", "text/csv", "application/octet-stream", "", "multipart/form-data; boundary=x"}[f.r.IntN(5)], b
	case 2:
		return "application/json", []byte(`{"filter":{"q":"` + f.str() + `"},"user_ids":[1,2,` + f.str() + `]}`)
	case 3:
		return "multipart/form-data; boundary=XyZ", []byte("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nlogin,first_name\r\n" + f.str())
	}
	var b bytes.Buffer
	var v any = f.object(3)
	if f.r.IntN(4) == 0 {
		v = f.value(3)
	}
	if err := jsonEncode(&b, v); err != nil {
		return "application/json", []byte(fmt.Sprint(v))
	}
	return "application/json", b.Bytes()
}

// query is a query string of known and unknown parameters with odd values.
func (f fuzzer) query() string {
	params := []string{"invite_status", "q", "login", "name", "email", "phone", "sort", "limit", "cursor", "before",
		"counts", "format", "delimiter", "send_invitation", "update_existing", "dry_run", "charset", "async", "lang"}
	var parts []string
	for range f.r.IntN(5) {
		name := params[f.r.IntN(len(params))]
		if f.r.IntN(6) == 0 {
			name = f.str()
		}
		parts = append(parts, url.QueryEscape(name)+"="+url.QueryEscape(f.str()))
	}
	if f.r.IntN(10) == 0 {
		parts = append(parts, "%zz=%", "a=%00")
	}
	return strings.Join(parts, "&")
}

func (f fuzzer) id() string {
	ids := []string{"1", "0", "-5", "abc", "99999999999999999999", "1.5", "%00", "%ff", "1%20OR%201", strings.Repeat("9", 400)}
	return ids[f.r.IntN(len(ids))]
}

// Random and malformed bodies, queries and path values sent to every
// endpoint, as an admin, a super admin and nobody, never get a 5xx.
func TestFuzzEveryEndpointNo5xx(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t, userimport.Limits{MaxBytes: 64 << 10, MaxRows: 100})
	plain := newEnv(t) // the dev outbox and readiness checks
	f := fuzzer{r: rand.New(rand.NewPCG(9, 2026))}
	tokens := []string{e.rootToken, e.adminToken, "", "garbage"}
	for i := range 1500 {
		rt := allRoutes[i%len(allRoutes)]
		target := e
		if rt.path == "/api/v1/dev/outbox" || rt.path == "/readyz" {
			target = plain
		}
		tok := tokens[f.r.IntN(len(tokens))]
		if target == plain && (tok == e.rootToken || tok == e.adminToken) {
			tok = plain.rootToken
		}
		path := strings.ReplaceAll(rt.path, "{id}", f.id())
		if q := f.query(); q != "" {
			path += "?" + q
		}
		method := rt.method
		if f.r.IntN(15) == 0 {
			method = []string{"GET", "POST", "PUT", "DELETE", "PATCH"}[f.r.IntN(5)]
		}
		ct, body := f.body()
		req, err := http.NewRequestWithContext(t.Context(), method, target.srv.URL+path, bytes.NewReader(body))
		if err != nil {
			continue // a path the client itself refuses to send
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := target.srv.Client().Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s (%s, %d bytes: %q): %d %s", method, path, ct, len(body), body[:min(len(body), 200)], resp.StatusCode, out)
		}
	}
}

func jsonEncode(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}
