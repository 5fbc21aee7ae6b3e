package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// loader parses packages of one module, the tree under -dir eagerly and
// the packages its types refer to on demand.
type loader struct {
	fset    *token.FileSet
	modRoot string // absolute directory holding go.mod
	modPath string // the module path
	pkgs    map[string]*pkg
	tree    []string // import paths under -dir, sorted
}

// pkg is one parsed package.
type pkg struct {
	path    string
	doc     *doc.Package
	imports map[string]map[string]string // file name → import name → path
}

func newLoader(dir string) (*loader, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	root := abs
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return nil, fmt.Errorf("no go.mod above %s", abs)
		}
		root = parent
	}
	modPath, err := readModulePath(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	return &loader{fset: token.NewFileSet(), modRoot: root, modPath: modPath, pkgs: map[string]*pkg{}}, nil
}

func readModulePath(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s: no module line", gomod)
}

// loadTree parses every package under dir except those under skip.
func (l *loader) loadTree(dir, skip string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if p != abs && (p == skip || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil && p != l.modRoot {
			return filepath.SkipDir // another module
		}
		path, err := l.importPath(p)
		if err != nil {
			return err
		}
		pk, err := l.load(path)
		if err != nil {
			return err
		}
		if pk != nil {
			l.tree = append(l.tree, path)
		}
		return nil
	})
	sort.Strings(l.tree)
	return err
}

func (l *loader) importPath(dir string) (string, error) {
	rel, err := filepath.Rel(l.modRoot, dir)
	if err != nil {
		return "", err
	}
	if rel == "." {
		return l.modPath, nil
	}
	return l.modPath + "/" + filepath.ToSlash(rel), nil
}

// load parses the package at import path (within the module) once; it
// returns nil for a directory without non-test Go files.
func (l *loader) load(path string) (*pkg, error) {
	if p, ok := l.pkgs[path]; ok {
		return p, nil
	}
	rel, ok := strings.CutPrefix(path, l.modPath)
	if !ok {
		return nil, nil
	}
	dir := filepath.Join(l.modRoot, filepath.FromSlash(strings.TrimPrefix(rel, "/")))
	files, err := l.parseDir(dir)
	if err != nil || len(files) == 0 {
		l.pkgs[path] = nil
		return nil, err
	}
	p := &pkg{path: path, imports: map[string]map[string]string{}}
	for _, f := range files {
		p.imports[l.fset.File(f.Pos()).Name()] = fileImports(f)
	}
	p.doc, err = doc.NewFromFiles(l.fset, files, path, doc.AllDecls|doc.AllMethods|doc.PreserveAST)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	l.pkgs[path] = p
	return p, nil
}

func (l *loader) parseDir(dir string) ([]*ast.File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(l.fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(f.Name.Name, "_test") || hasIgnoreTag(f) {
			continue
		}
		files = append(files, f)
	}
	return files, nil
}

// hasIgnoreTag reports a "//go:build ignore" file.
func hasIgnoreTag(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build") && strings.Contains(c.Text, "ignore") {
				return true
			}
		}
	}
	return false
}

// fileImports maps each import's name in f to its path.
func fileImports(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		m[name] = path
	}
	return m
}

// importsAt returns the imports of the file holding pos.
func (l *loader) importsAt(p *pkg, pos token.Pos) map[string]string {
	return p.imports[l.fset.File(pos).Name()]
}
