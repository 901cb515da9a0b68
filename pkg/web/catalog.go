package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// The page texts live as data, one JSON file per language
// (locales/<lang>.json, a flat object of key -> text), so that a translator
// edits a file and never Go code. Plural keys end in a CLDR form
// (".one", ".few", ".many", ".other"). Status names and error reasons follow
// the product's help page.
//
//go:embed locales/*.json
var localeFiles embed.FS

// catalog holds every text of the pages, by language and key. It is read
// once from the embedded files and never written afterwards.
var catalog = mustLoadCatalog(localeFiles)

// loadCatalog reads every locales/*.json file of fsys into a catalog.
func loadCatalog(fsys embed.FS) (map[string]map[string]string, error) {
	files, err := fsys.ReadDir("locales")
	if err != nil {
		return nil, fmt.Errorf("web: read locales: %w", err)
	}
	out := make(map[string]map[string]string, len(files))
	for _, f := range files {
		lang, ok := strings.CutSuffix(f.Name(), ".json")
		if !ok {
			continue
		}
		b, err := fsys.ReadFile(path.Join("locales", f.Name()))
		if err != nil {
			return nil, fmt.Errorf("web: read locale %s: %w", lang, err)
		}
		texts := map[string]string{}
		if err := json.Unmarshal(b, &texts); err != nil {
			return nil, fmt.Errorf("web: locale %s: %w", lang, err)
		}
		out[lang] = texts
	}
	return out, nil
}

// mustLoadCatalog panics on a broken embedded file: the binary was built
// with it, and the package's tests load the same files.
func mustLoadCatalog(fsys embed.FS) map[string]map[string]string {
	c, err := loadCatalog(fsys)
	if err != nil {
		panic(err)
	}
	return c
}
