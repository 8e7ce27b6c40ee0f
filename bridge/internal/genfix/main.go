// Command genfix is the committed second half of `make generate`: it rewrites
// what gowsdl produced from wsdl/therefore.wsdl so that the types carry the
// whole WCF contract, instead of anybody editing generated/ by hand.
//
// gowsdl's defects that it fixes (see shared/reference/toolchain.md):
//   - field tags carry no namespace, so children of `parameters` would be
//     written in the messages namespace; every tag gets the namespace of the
//     schema that declares the element;
//   - a complexType in the types namespace named like a wrapper element in
//     the messages namespace (SavePortalUserResponse) is declared twice; the
//     types one becomes <Name>Type;
//   - `omitempty` on non-pointer scalars drops legitimate zeros (FieldNo 0,
//     AccessMask 0); it is removed there;
//   - minOccurs and nillable are lost; they become an `xsd:"required,nillable"`
//     tag that bridge/xmlbind enforces;
//   - xs:dateTime and xs:decimal become bridge/xsd types (exact, JSON-able);
//   - enums get a Valid method, since gowsdl only declares constants.
//
// Usage: genfix -wsdl wsdl/therefore.wsdl -in gowsdl.go -out generated/therefore.go
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

const xsdImport = "github.com/thereforebridge/thereforebridge/bridge/xsd"

// member is what the schema says about one element inside a type.
type member struct {
	ns       string
	xsdType  string // local name of the type, e.g. "decimal"
	required bool
	nillable bool
}

type schemaFacts struct {
	members    map[string]map[string]member // complexType name -> element name -> facts
	wrappers   map[string]map[string]member // wrapper element name -> element name -> facts
	typesNamed map[string]bool              // names of complexTypes
	enums      map[string][]string          // enum type -> values
}

func main() {
	wsdlPath := flag.String("wsdl", "", "the WSDL gowsdl read")
	in := flag.String("in", "", "gowsdl's output")
	out := flag.String("out", "", "where to write the fixed file")
	flag.Parse()
	if *wsdlPath == "" || *in == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	facts, err := readSchema(*wsdlPath)
	if err != nil {
		log.Fatalf("genfix: %s: %v", *wsdlPath, err)
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		log.Fatalf("genfix: %v", err)
	}
	fixed, err := fix(src, facts)
	if err != nil {
		log.Fatalf("genfix: %s: %v", *in, err)
	}
	if err := os.WriteFile(*out, fixed, 0o644); err != nil {
		log.Fatalf("genfix: %v", err)
	}
}

func readSchema(path string) (*schemaFacts, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(path); err != nil {
		return nil, err
	}
	f := &schemaFacts{
		members:    map[string]map[string]member{},
		wrappers:   map[string]map[string]member{},
		typesNamed: map[string]bool{},
		enums:      map[string][]string{},
	}
	for _, schema := range doc.FindElements("//[local-name()='schema']") {
		ns := schema.SelectAttrValue("targetNamespace", "")
		for _, child := range schema.ChildElements() {
			name := child.SelectAttrValue("name", "")
			switch child.Tag {
			case "element":
				if ct := child.SelectElement("complexType"); ct != nil {
					f.wrappers[name] = collect(ct, ns)
				}
			case "complexType":
				f.typesNamed[name] = true
				f.members[name] = collect(child, ns)
			case "simpleType":
				for _, e := range child.FindElements(".//enumeration") {
					f.enums[name] = append(f.enums[name], e.SelectAttrValue("value", ""))
				}
			}
		}
	}
	if len(f.wrappers) == 0 {
		return nil, fmt.Errorf("no wrapper elements found")
	}
	return f, nil
}

// collect returns the elements declared directly in a complexType, including
// those of an xs:extension (the base's own elements stay with the base).
func collect(ct *etree.Element, ns string) map[string]member {
	out := map[string]member{}
	for _, e := range ct.FindElements(".//element") {
		typ := e.SelectAttrValue("type", "")
		if i := strings.IndexByte(typ, ':'); i >= 0 {
			typ = typ[i+1:]
		}
		out[e.SelectAttrValue("name", "")] = member{
			ns:       ns,
			xsdType:  typ,
			required: e.SelectAttrValue("minOccurs", "1") != "0",
			nillable: e.SelectAttrValue("nillable", "false") == "true",
		}
	}
	return out
}

func fix(src []byte, facts *schemaFacts) ([]byte, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "gowsdl.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	// Rename the second declaration of a duplicated name (the types one).
	seen := map[string]bool{}
	renamed := map[string]string{}
	for _, ts := range typeSpecs(file) {
		name := ts.Name.Name
		if _, isWrapper := facts.wrappers[name]; seen[name] && isWrapper && facts.typesNamed[name] {
			ts.Name.Name = name + "Type"
			renamed[name] = ts.Name.Name
		}
		seen[name] = true
	}
	usesXSD := false
	for _, ts := range typeSpecs(file) {
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			continue
		}
		schemaName := strings.TrimSuffix(ts.Name.Name, "Type")
		if _, ok := renamed[schemaName]; !ok {
			schemaName = ts.Name.Name
		}
		isWrapper := hasXMLName(st)
		members, known := facts.members[schemaName]
		if isWrapper {
			members, known = facts.wrappers[ts.Name.Name]
		}
		if !known {
			continue // gowsdl's own helpers (AnyType)
		}
		for _, field := range st.Fields.List {
			if field.Tag == nil || len(field.Names) == 0 || field.Names[0].Name == "XMLName" {
				continue
			}
			tag, _ := strconv.Unquote(field.Tag.Value)
			elem := strings.Split(reflect.StructTag(tag).Get("xml"), ",")[0]
			m, ok := members[elem]
			if !ok {
				return nil, fmt.Errorf("type %s field %s: element %q not in the schema", ts.Name.Name, field.Names[0].Name, elem)
			}
			if isWrapper {
				retype(field, renamed)
			}
			switch m.xsdType {
			case "dateTime":
				replaceSel(field, "soap", "XSDDateTime", "xsd", "DateTime")
				usesXSD = true
			case "decimal":
				replaceIdent(field, "float64", "xsd", "Decimal")
				usesXSD = true
			}
			field.Tag.Value = "`" + newTag(elem, m, isPointerOrSlice(field.Type)) + "`"
		}
	}
	if usesXSD {
		addImport(file, xsdImport)
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, file); err != nil {
		return nil, err
	}
	buf.WriteString(enumMethods(facts.enums))
	return format.Source(buf.Bytes())
}

// typeSpecs returns the type declarations of file, in order.
func typeSpecs(file *ast.File) []*ast.TypeSpec {
	var out []*ast.TypeSpec
	for _, decl := range file.Decls {
		if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.TYPE {
			for _, spec := range gd.Specs {
				out = append(out, spec.(*ast.TypeSpec))
			}
		}
	}
	return out
}

func hasXMLName(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		if len(f.Names) > 0 && f.Names[0].Name == "XMLName" {
			return true
		}
	}
	return false
}

func newTag(elem string, m member, pointerOrSlice bool) string {
	opt := ""
	if pointerOrSlice {
		// Pointers and slices are nil when absent; scalars are always
		// written, because their zero is a value (FieldNo 0 means "by name").
		opt = ",omitempty"
	}
	var facts []string
	if m.required {
		facts = append(facts, "required")
	}
	if m.nillable {
		facts = append(facts, "nillable")
	}
	t := fmt.Sprintf(`xml:"%s %s%s" json:"%s%s"`, m.ns, elem, opt, elem, opt)
	if len(facts) > 0 {
		t += fmt.Sprintf(` xsd:"%s"`, strings.Join(facts, ","))
	}
	return t
}

func isPointerOrSlice(e ast.Expr) bool {
	switch e.(type) {
	case *ast.StarExpr, *ast.ArrayType:
		return true
	}
	return false
}

// retype points a wrapper's field at the renamed types-namespace struct.
func retype(field *ast.Field, renamed map[string]string) {
	ast.Inspect(field.Type, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if r, ok := renamed[id.Name]; ok {
				id.Name = r
			}
		}
		return true
	})
}

func replaceSel(field *ast.Field, pkg, name, newPkg, newName string) {
	ast.Inspect(field.Type, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == pkg && sel.Sel.Name == name {
				x.Name, sel.Sel.Name = newPkg, newName
			}
		}
		return true
	})
}

func replaceIdent(field *ast.Field, name, newPkg, newName string) {
	switch t := field.Type.(type) {
	case *ast.StarExpr:
		if id, ok := t.X.(*ast.Ident); ok && id.Name == name {
			t.X = &ast.SelectorExpr{X: ast.NewIdent(newPkg), Sel: ast.NewIdent(newName)}
		}
	case *ast.Ident:
		if t.Name == name {
			field.Type = &ast.SelectorExpr{X: ast.NewIdent(newPkg), Sel: ast.NewIdent(newName)}
		}
	}
}

func addImport(file *ast.File, path string) {
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		gd.Specs = append(gd.Specs, &ast.ImportSpec{Path: &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(path)}})
		return
	}
}

func enumMethods(enums map[string][]string) string {
	names := make([]string, 0, len(enums))
	for n := range enums {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		quoted := make([]string, len(enums[n]))
		for i, v := range enums[n] {
			quoted[i] = strconv.Quote(v)
		}
		fmt.Fprintf(&b, "\n// Valid reports whether v is one of the values the contract allows for %s.\n", n)
		fmt.Fprintf(&b, "func (v %s) Valid() bool {\n\tswitch v {\n\tcase %s:\n\t\treturn true\n\t}\n\treturn false\n}\n", n, strings.Join(quoted, ", "))
		fmt.Fprintf(&b, "\n// Values lists the values the contract allows for %s, in contract order.\n", n)
		fmt.Fprintf(&b, "func (%s) Values() []string { return []string{%s} }\n", n, strings.Join(quoted, ", "))
	}
	return b.String()
}
