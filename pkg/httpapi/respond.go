package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/inviter/inviter/pkg/invite"
)

// statusOf maps the service's error kinds to HTTP status codes.
var statusOf = map[invite.Kind]int{
	invite.KindInvalid:      http.StatusBadRequest,
	invite.KindNotFound:     http.StatusNotFound,
	invite.KindConflict:     http.StatusConflict,
	invite.KindUnauthorized: http.StatusUnauthorized,
	invite.KindForbidden:    http.StatusForbidden,
	invite.KindUnavailable:  http.StatusServiceUnavailable,
	invite.KindTooLarge:     http.StatusRequestEntityTooLarge,
	invite.KindInternal:     http.StatusInternalServerError,
	invite.KindTooMany:      http.StatusTooManyRequests,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError answers with {"error": {code, message, field}}. Only 5xx is
// logged as an error, and its details never reach the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *invite.Error
	if !errors.As(err, &e) {
		e = &invite.Error{Kind: invite.KindInternal}
	}
	code := statusOf[e.Kind]
	if code == 0 {
		code = http.StatusInternalServerError
	}
	body := errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="inviter"`)
	}
	setRetryAfter(w, err)
	if code >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		if e.Kind == invite.KindInternal {
			body = errorDetail{Code: "internal", Message: "internal error"}
		}
	}
	writeJSON(w, code, errorBody{Error: body})
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body) //nolint:errcheck // the client went away
}

// maxBodyBytes bounds request bodies; a 100,000-id selection is about 1 MB.
const maxBodyBytes = 8 << 20

// decode reads a JSON body into v, turning every way it can be wrong into a
// 400 that names the field when there is one.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return invite.Errorf(invite.KindInvalid, "unsupported_media_type", "send JSON with Content-Type: application/json")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	err := dec.Decode(v)
	var (
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
		tooBig    *http.MaxBytesError
	)
	switch {
	case err == nil:
		if dec.More() {
			return invite.Errorf(invite.KindInvalid, "invalid_json", "the body must hold one JSON object")
		}
		return checkStrings(v)
	case errors.Is(err, io.EOF):
		return invite.Errorf(invite.KindInvalid, "invalid_json", "the body is empty; send a JSON object")
	case errors.As(err, &typeErr):
		return invite.Errorf(invite.KindInvalid, "invalid_type", "%s must be %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String())).WithField(typeErr.Field)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return invite.Errorf(invite.KindInvalid, "invalid_json", "the body is not valid JSON: %v", err)
	case errors.As(err, &tooBig):
		return invite.Errorf(invite.KindTooLarge, "body_too_large", "the body is larger than %d bytes", maxBodyBytes)
	}
	return invite.Errorf(invite.KindInvalid, "invalid_json", "cannot read the body: %v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	}
	return fmt.Sprintf("of type %s", goKind)
}
