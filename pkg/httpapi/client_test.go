package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// reply is an HTTP response with its body read.
type reply struct {
	Method, Path string
	Status       int
	Header       http.Header
	Body         []byte
}

func (r reply) String() string {
	return r.Method + " " + r.Path + " -> " + strconv.Itoa(r.Status) + " " + strings.TrimSpace(string(r.Body))
}

// do sends a request. body is sent as is when it is a string (with
// Content-Type: application/json), JSON-encoded otherwise, omitted when nil.
func (e *env) do(t *testing.T, method, path, token string, body any) reply {
	t.Helper()
	var (
		rd io.Reader
		ct string
	)
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	return e.doRaw(t, method, path, token, ct, rd)
}

// doRaw sends a request with an explicit Content-Type ("" for none).
func (e *env) doRaw(t *testing.T, method, path, token, contentType string, body io.Reader) reply {
	t.Helper()
	authorization := ""
	if token != "" {
		authorization = "Bearer " + token
	}
	return e.send(t, method, path, authorization, contentType, body)
}

// send sends a request with an explicit Authorization header ("" for none)
// and checks what every response must satisfy: a JSON body when there is
// one, and no secret in it.
func (e *env) send(t *testing.T, method, path, authorization, contentType string, body io.Reader) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := reply{Method: method, Path: path, Status: resp.StatusCode, Header: resp.Header, Body: b}
	if len(b) > 0 {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%v: Content-Type %q, want application/json", r, ct)
		}
		if !json.Valid(b) {
			t.Errorf("%v: body is not JSON", r)
		}
	}
	e.checkNoSecrets(t, r)
	return r
}

func (e *env) checkNoSecrets(t *testing.T, r reply) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.secrets {
		if bytes.Contains(r.Body, []byte(s)) {
			t.Errorf("%s %s: the response contains the secret %q:\n%s", r.Method, r.Path, s, r.Body)
		}
	}
}

// decode parses a reply's JSON body into a T.
func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("%v: decode %T: %v", r, v, err)
	}
	return v
}

// want fails the test unless the reply has the status.
func want(t *testing.T, r reply, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%v: want status %d", r, status)
	}
}

// wantError checks an error reply: status, {"error": {code, message,
// field}} with a message, and the field ("" when none may be named).
func wantError(t *testing.T, r reply, status int, code, field string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%v: want status %d", r, status)
	}
	var body struct {
		Error *struct {
			Code    string  `json:"code"`
			Message string  `json:"message"`
			Field   *string `json:"field"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Error == nil {
		t.Errorf("%v: want a JSON {\"error\": {...}} body", r)
		return
	}
	got := body.Error
	if got.Code != code {
		t.Errorf("%v: error code %q, want %q", r, got.Code, code)
	}
	if got.Message == "" {
		t.Errorf("%v: error without a message", r)
	}
	gotField := ""
	if got.Field != nil {
		gotField = *got.Field
	}
	if gotField != field {
		t.Errorf("%v: error field %q, want %q", r, gotField, field)
	}
}

type loginBody struct {
	Token              string `json:"token"`
	MustChangePassword bool   `json:"must_change_password"`
	Role               string `json:"role"`
}

// login signs in and fails the test unless it succeeds.
func (e *env) login(t *testing.T, login, password string) loginBody {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"login": login, "password": password})
	want(t, r, http.StatusOK)
	b := decode[loginBody](t, r)
	if b.Token == "" {
		t.Fatalf("%v: no token", r)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}
