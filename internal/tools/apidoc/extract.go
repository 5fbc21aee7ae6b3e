package main

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/token"
	"strings"
	"unicode"
)

// catalog is what the generated file holds.
type catalog struct {
	methods map[string]*methodDoc // "<path>.<Type>.<Method>"
	types   map[string]*typeDoc   // "<path>.<Type>"
}

type methodDoc struct {
	doc          string
	params       []string
	notification *typeRef
	examples     []example
}

type typeDoc struct {
	doc    string
	fields map[string]string
	json   []jsonField
}

// typeRef names a type by import path and name.
type typeRef struct{ path, name string }

func (r typeRef) key() string { return r.path + "." + r.name }

// catalog extracts the exported methods of every type in the tree (any of
// them may be registered), then the docs of the types their signatures use,
// following exported struct fields (what encoding/json sees) within the
// module.
func (l *loader) catalog() (*catalog, error) {
	c := &catalog{methods: map[string]*methodDoc{}, types: map[string]*typeDoc{}}
	var queue []typeRef
	for _, path := range l.tree {
		p := l.pkgs[path]
		for _, t := range p.doc.Types {
			for _, f := range t.Methods {
				if !ast.IsExported(f.Name) {
					continue
				}
				md, refs, err := l.method(p, f)
				if err != nil {
					return nil, fmt.Errorf("%s: %s.%s: %w", l.fset.Position(f.Decl.Pos()), t.Name, f.Name, err)
				}
				c.methods[path+"."+t.Name+"."+f.Name] = md
				queue = append(queue, refs...)
			}
		}
	}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if _, done := c.types[ref.key()]; done {
			continue
		}
		td, refs, err := l.typeDoc(ref)
		if err != nil {
			return nil, err
		}
		if td != nil {
			c.types[ref.key()] = td
		}
		queue = append(queue, refs...)
	}
	return c, nil
}

// method documents one method and returns the types its signature uses.
func (l *loader) method(p *pkg, f *doc.Func) (*methodDoc, []typeRef, error) {
	imports := l.importsAt(p, f.Decl.Pos())
	ann, err := parseAnnotations(f.Doc, f.Name)
	if err != nil {
		return nil, nil, err
	}
	md := &methodDoc{doc: ann.doc, examples: ann.examples}
	if ann.notification != "" {
		ref, ok := resolve(ann.notification, p.path, imports)
		if !ok || !ast.IsExported(ref.name) {
			return nil, nil, fmt.Errorf("annotation Notification: %q is not an exported type of this or an imported package", ann.notification)
		}
		md.notification = &ref
	}
	var refs []typeRef
	if md.notification != nil {
		refs = append(refs, *md.notification)
	}
	ft := f.Decl.Type
	for i, field := range ft.Params.List {
		if i == 0 && isContext(field.Type, imports) {
			continue
		}
		refs = append(refs, typeRefs(field.Type, p.path, imports)...)
		names := field.Names
		if len(names) == 0 {
			names = []*ast.Ident{{Name: "_"}}
		}
		for _, n := range names {
			md.params = append(md.params, paramName(n.Name, field.Type))
		}
	}
	if ft.Results != nil {
		for _, field := range ft.Results.List {
			refs = append(refs, typeRefs(field.Type, p.path, imports)...)
		}
	}
	for _, ex := range md.examples {
		if n := countJSONArray(ex.params); n > len(md.params) {
			return nil, nil, fmt.Errorf("example %q has %d params, the method takes %d", ex.title, n, len(md.params))
		}
	}
	return md, refs, nil
}

// paramName is the Go parameter name, or for a one-letter or blank name
// the type's name in lowerCamel case ("c Criteria" → "criteria").
func paramName(name string, typ ast.Expr) string {
	if len([]rune(name)) > 1 && name != "_" {
		return name
	}
	for {
		switch t := typ.(type) {
		case *ast.StarExpr:
			typ = t.X
			continue
		case *ast.SelectorExpr:
			typ = t.Sel
			continue
		case *ast.Ident:
			r := []rune(t.Name)
			r[0] = unicode.ToLower(r[0])
			return string(r)
		}
		return name
	}
}

// typeDoc documents one type and returns the types its fields use.
func (l *loader) typeDoc(ref typeRef) (*typeDoc, []typeRef, error) {
	p, err := l.load(ref.path)
	if err != nil || p == nil {
		return nil, nil, err
	}
	var t *doc.Type
	for _, dt := range p.doc.Types {
		if dt.Name == ref.name {
			t = dt
		}
	}
	if t == nil {
		return nil, nil, nil
	}
	ann, err := parseAnnotations(t.Doc, t.Name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: type %s: %w", l.fset.Position(t.Decl.Pos()), t.Name, err)
	}
	td := &typeDoc{doc: ann.doc, json: ann.json, fields: map[string]string{}}
	imports := l.importsAt(p, t.Decl.Pos())
	var refs []typeRef
	for _, spec := range t.Decl.Specs {
		ts, ok := spec.(*ast.TypeSpec)
		if !ok || ts.Name.Name != t.Name {
			continue
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			refs = append(refs, typeRefs(ts.Type, p.path, imports)...)
			continue
		}
		for _, f := range st.Fields.List {
			if len(f.Names) == 0 || ast.IsExported(f.Names[0].Name) {
				refs = append(refs, typeRefs(f.Type, p.path, imports)...)
			}
			text := strings.Join(strings.Fields(f.Doc.Text()+" "+f.Comment.Text()), " ")
			for _, n := range f.Names {
				if text != "" && ast.IsExported(n.Name) {
					td.fields[n.Name] = text
				}
			}
		}
	}
	return td, refs, nil
}

// typeRefs lists the named types of the module that expr mentions.
func typeRefs(expr ast.Expr, self string, imports map[string]string) []typeRef {
	var out []typeRef
	ast.Inspect(expr, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok && imports[x.Name] != "" {
				out = append(out, typeRef{imports[x.Name], n.Sel.Name})
			}
			return false
		case *ast.Ident:
			if !isBuiltin(n.Name) {
				out = append(out, typeRef{self, n.Name})
			}
		}
		return true
	})
	return out
}

// resolve turns "T", "*T" or "pkg.T" into a typeRef.
func resolve(name, self string, imports map[string]string) (typeRef, bool) {
	name = strings.TrimPrefix(name, "*")
	if pkgName, typ, ok := strings.Cut(name, "."); ok {
		path, found := imports[pkgName]
		return typeRef{path, typ}, found && token.IsIdentifier(typ)
	}
	return typeRef{self, name}, token.IsIdentifier(name)
}

func isContext(expr ast.Expr, imports map[string]string) bool {
	sel, ok := expr.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && imports[x.Name] == "context" && sel.Sel.Name == "Context"
}

var builtins = map[string]bool{}

func init() {
	for _, n := range strings.Fields("any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr") {
		builtins[n] = true
	}
}

func isBuiltin(name string) bool { return builtins[name] }
