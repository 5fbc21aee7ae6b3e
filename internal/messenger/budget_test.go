package messenger

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestMessengerMethodBudget: Messenger keeps at most 31 exported methods
// (its doc); an operation beyond them goes on the part that owns its
// state. Test-only helpers (export_test.go) do not count. The 31st is
// Settle, which no single part owns (it spans the inbound queue, the
// receive goroutine and the MVDS driver).
func TestMessengerMethodBudget(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && id.Name == "Messenger" {
					names = append(names, fn.Name.Name)
				}
			}
		}
	}
	if len(names) > 31 {
		t.Fatalf("Messenger has %d exported methods: %v", len(names), names)
	}
}
