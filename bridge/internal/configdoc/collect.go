package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/vendors"
)

const module = "github.com/thereforebridge/thereforebridge"

// key is one configuration key.
type key struct {
	Path    string // dotted, with [] for each list item: auth.callers[].name
	Type    string
	Default string
	Doc     string
	Section bool // holds keys of its own
}

// minimal is the smallest valid file: what Parse fills in is the default.
const minimal = "auth:\n  callers:\n    - name: x\n      password_hash: $2a$10$x\n"

// collect lists every key of the config file, the vendor sections'
// included, in file order (vendors by name).
func collect(root string) ([]key, error) {
	c, err := config.Parse([]byte(minimal), "minimal")
	if err != nil {
		return nil, err
	}
	w := &walker{root: root, docs: map[string]map[string]string{}}
	w.walk(reflect.ValueOf(c).Elem(), "")
	names := make([]string, 0)
	cfgs := vendors.Configs()
	for n := range cfgs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		v := reflect.ValueOf(cfgs[n]).Elem()
		w.add(key{Path: "vendors." + n, Type: "section", Section: true, Doc: w.typeDoc(v.Type())})
		w.walk(v, "vendors."+n)
	}
	return w.keys, w.err
}

type walker struct {
	root string
	docs map[string]map[string]string // package path -> "Type" or "Type.Field" -> doc
	keys []key
	err  error
}

func (w *walker) add(k key) { w.keys = append(w.keys, k) }

var (
	stdDuration  = reflect.TypeFor[time.Duration]()
	durationType = reflect.TypeFor[config.Duration]()
	secretType   = reflect.TypeFor[config.Secret]()
)

func (w *walker) walk(v reflect.Value, prefix string) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if opts == "inline" {
			w.walk(v.Field(i), prefix)
			continue
		}
		doc := w.fieldDoc(t, f.Name)
		path := strings.TrimPrefix(prefix+"."+tag, ".")
		fv := v.Field(i)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case path == "vendors":
			w.add(key{Path: path, Type: "section", Section: true, Doc: doc})
		case ft.Kind() == reflect.Struct && !scalar(ft):
			if doc == "" {
				doc = w.typeDoc(ft)
			}
			w.add(key{Path: path, Type: "section", Section: true, Doc: doc})
			w.walk(reflect.Indirect(fv), path)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			if doc == "" {
				doc = w.typeDoc(ft.Elem())
			}
			w.add(key{Path: path, Type: "list of sections", Section: true, Doc: doc})
			w.walk(reflect.New(ft.Elem()).Elem(), path+"[]")
		default:
			w.add(key{Path: path, Type: typeName(f.Type), Default: show(fv), Doc: doc})
		}
	}
}

// scalar reports whether a struct type is written as one YAML value (it
// decodes itself: a secret, a store reference).
func scalar(t reflect.Type) bool { return reflect.PointerTo(t).Implements(unmarshalerType) }

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

func typeName(t reflect.Type) string {
	switch {
	case t == durationType, t == stdDuration:
		return "duration"
	case t == secretType:
		return "secret"
	case t.Kind() == reflect.Struct && scalar(t):
		return "string"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Map:
		return "map of " + typeName(t.Key()) + " to " + typeName(t.Elem())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return t.Kind().String()
}

// show writes a default as it would be written in the file; "" when the
// key is unset by default.
func show(v reflect.Value) string {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch {
	case v.Type() == durationType || v.Type() == stdDuration:
		if d := time.Duration(v.Int()); d != 0 {
			s := d.String() // 1m0s reads better as 1m
			if strings.HasSuffix(s, "m0s") {
				s = strings.TrimSuffix(s, "0s")
			}
			if strings.HasSuffix(s, "h0m") {
				s = strings.TrimSuffix(s, "0m")
			}
			return s
		}
		return ""
	case v.Type() == secretType || v.Kind() == reflect.Struct:
		return "" // a secret, or a reference unset by default
	}
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			return ""
		}
		return fmt.Sprintf("%q", v.String())
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return ""
		}
		b := new(bytes.Buffer)
		fmt.Fprint(b, v.Interface())
		return b.String()
	}
	return fmt.Sprint(v.Interface())
}

func (w *walker) fieldDoc(t reflect.Type, field string) string {
	return w.pkgDocs(t.PkgPath())[t.Name()+"."+field]
}

func (w *walker) typeDoc(t reflect.Type) string { return w.pkgDocs(t.PkgPath())[t.Name()] }

// pkgDocs parses the package's files once for the doc comments of its
// types and their fields.
func (w *walker) pkgDocs(pkg string) map[string]string {
	if d, ok := w.docs[pkg]; ok {
		return d
	}
	d := map[string]string{}
	w.docs[pkg] = d
	dir := filepath.Join(w.root, strings.TrimPrefix(pkg, module))
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		w.err = err
		return d
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			w.err = err
			return d
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				d[ts.Name.Name] = text(doc, nil)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for i, fl := range st.Fields.List {
					doc := text(fl.Doc, fl.Comment)
					if doc == "" && i > 0 {
						doc = groupDoc(fset, st.Fields.List[i-1], fl, d[ts.Name.Name+"."+fieldName(st.Fields.List[i-1])])
					}
					for _, n := range fl.Names {
						d[ts.Name.Name+"."+n.Name] = doc
					}
				}
			}
		}
	}
	return d
}

// groupDoc returns the doc of the uncommented field fl taken from prev,
// the field just above it, when prev's comment documents a group: it is a
// comment above prev (not at its line's end), nothing separates the two,
// and it names fl or does not start with prev's own name ("TimestampHeader
// and SignatureHeader name ...", "The out-of-office texts ...").
func groupDoc(fset *token.FileSet, prev, fl *ast.Field, prevDoc string) string {
	if prevDoc == "" || prev.Comment != nil || fset.Position(fl.Pos()).Line != fset.Position(prev.End()).Line+1 {
		return ""
	}
	if strings.Contains(prevDoc, fieldName(fl)) {
		return prevDoc
	}
	first, _, _ := strings.Cut(prevDoc, " ")
	if strings.TrimRight(first, ",.:;") == fieldName(prev) {
		return "" // prev's own doc
	}
	return prevDoc
}

func fieldName(f *ast.Field) string {
	if len(f.Names) == 0 {
		return ""
	}
	return f.Names[0].Name
}

// text joins a doc comment and a line comment into one line.
func text(groups ...*ast.CommentGroup) string {
	var parts []string
	for _, g := range groups {
		if g != nil {
			if s := strings.Join(strings.Fields(g.Text()), " "); s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, " ")
}

// undocumented returns the keys that have no doc comment.
func undocumented(keys []key) []string {
	var out []string
	for _, k := range keys {
		if k.Doc == "" {
			out = append(out, k.Path)
		}
	}
	return out
}
