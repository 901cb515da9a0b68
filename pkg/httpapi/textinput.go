package httpapi

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/inviter/inviter/pkg/invite"
)

// checkedQuery refuses, before the handler runs, a query string whose
// parameter names or values PostgreSQL could not take as text (NUL, bytes
// that are not UTF-8): a 400 naming the parameter, on every route at once.
func (s *Server) checkedQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, values := range r.URL.Query() {
			if err := invite.CheckText(name, name); err != nil {
				s.writeError(w, r, invite.ErrInvalidText.WithField("query"))
				return
			}
			for _, v := range values {
				if err := invite.CheckText(name, v); err != nil {
					s.writeError(w, r, err)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// checkStrings walks a decoded JSON body and refuses the first string
// PostgreSQL could not take as text, naming it by its JSON path
// ("filter.q"). decode calls it, so that every JSON body is checked.
func checkStrings(v any) error {
	return walkStrings(reflect.ValueOf(v), "")
}

func walkStrings(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkStrings(v.Elem(), path)
	case reflect.String:
		return invite.CheckText(path, v.String())
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				name = "" // embedded fields are flattened by encoding/json
			}
			if err := walkStrings(v.Field(i), join(path, name)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := walkStrings(v.Index(i), path); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String {
				if err := invite.CheckText(path, k.String()); err != nil {
					return err
				}
			}
			name := path
			if k.Kind() == reflect.String {
				name = join(path, k.String())
			}
			if err := walkStrings(iter.Value(), name); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, name string) string {
	switch {
	case path == "":
		return name
	case name == "":
		return path
	}
	return path + "." + name
}
