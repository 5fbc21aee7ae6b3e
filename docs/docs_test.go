package docs

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// protocolDoc is the document bare § citations refer to, relative to the
// repository root.
const protocolDoc = "docs/PROTOCOL.md"

var (
	// headingRE matches a numbered heading of PROTOCOL.md.
	headingRE = regexp.MustCompile(`^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s`)
	// citeRE matches one citation: the section, an optional range end
	// ("–7.2", "-4.3", "–§1.10") and an optional item list of §9 ("item
	// 13", "items 11–12"). The document named just before it, if any, is
	// matched by docBeforeRE on the text preceding the match.
	citeRE = regexp.MustCompile(`§(\d+(?:\.\d+)*)(?:\s*[–-]\s*§?(\d+(?:\.\d+)*))?(?:\s+items?\s+(\d+)(?:\s*[–-]\s*(\d+))?)?`)
	// docBeforeRE finds a document name right before a citation.
	docBeforeRE = regexp.MustCompile(`([A-Za-z0-9_.-]+\.md)\s*$`)
	// docsPathRE matches a docs/*.md path cited anywhere (not as part of a
	// longer path or URL).
	docsPathRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_./-])(docs/[A-Za-z0-9_.-]+\.md)`)
	// mdLinkRE matches a relative Markdown link to a .md file.
	mdLinkRE = regexp.MustCompile(`\]\(([^)#:\s]+\.md)(?:#[^)]*)?\)`)
	// sectionFieldRE matches the "section" field of a testdata vector file.
	sectionFieldRE = regexp.MustCompile(`"section"\s*:\s*"([^"]*)"`)
)

// citation is one section a line cites.
type citation struct {
	section string // "4.5"
	doc     string // the document named before it, "" for PROTOCOL.md
}

// citations returns the sections line cites. A range yields both ends; an
// item list yields one section per item ("§9 items 11–12" → 9.11, 9.12).
func citations(line string) []citation {
	var out []citation
	for _, m := range citeRE.FindAllStringSubmatchIndex(line, -1) {
		doc := ""
		if d := docBeforeRE.FindStringSubmatch(line[:m[0]]); d != nil && d[1] != filepath.Base(protocolDoc) {
			doc = d[1]
		}
		group := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return line[m[2*i]:m[2*i+1]]
		}
		sec, end, item, itemEnd := group(1), group(2), group(3), group(4)
		switch {
		case item != "":
			first, _ := strconv.Atoi(item)
			last := first
			if itemEnd != "" {
				last, _ = strconv.Atoi(itemEnd)
			}
			for n := first; n <= last && n-first < 100; n++ {
				out = append(out, citation{section: sec + "." + strconv.Itoa(n), doc: doc})
			}
		default:
			out = append(out, citation{section: sec, doc: doc})
		}
		if end != "" {
			out = append(out, citation{section: end, doc: doc})
		}
	}
	return out
}

// sections reads the numbered headings of a Markdown document.
func sections(r io.Reader) (map[string]bool, error) {
	out := make(map[string]bool)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	inFence := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		if m := headingRE.FindStringSubmatch(line); m != nil && !inFence {
			out[m[1]] = true
		}
	}
	return out, sc.Err()
}

// repoRoot is the repository root: the parent of this package's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found above docs/: %v", err)
	}
	return root
}

// sourceFile is one file the test reads, with what to look for in it.
type sourceFile struct {
	rel     string // path relative to the root, with forward slashes
	md      bool   // a Markdown file under docs/: check its relative links
	vectors bool   // a testdata JSON file: check its "section" fields only
}

// sourceFiles lists the files to check under root.
func sourceFiles(t *testing.T, root string) []sourceFile {
	t.Helper()
	var out []sourceFile
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		dir := filepath.ToSlash(filepath.Dir(rel))
		switch {
		case strings.HasSuffix(name, ".go") && dir == "docs":
			// This package: its comments and test cases show the syntax,
			// including citations meant to fail.
		case strings.HasSuffix(name, ".go"), strings.HasSuffix(name, ".proto"):
			out = append(out, sourceFile{rel: rel})
		case strings.HasSuffix(name, ".md") && (dir == "docs" || rel == "README.md"):
			out = append(out, sourceFile{rel: rel, md: dir == "docs"})
		case strings.HasSuffix(name, ".json") && filepath.Base(dir) == "testdata":
			out = append(out, sourceFile{rel: rel, vectors: true})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// problems checks one file against the sections of PROTOCOL.md and
// returns one message per fault, each starting with file:line.
func problems(root string, f sourceFile, have map[string]bool) ([]string, int, error) {
	fh, err := os.Open(filepath.Join(root, filepath.FromSlash(f.rel)))
	if err != nil {
		return nil, 0, err
	}
	defer fh.Close()
	var out []string
	cited := 0
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		at := fmt.Sprintf("%s:%d", f.rel, n)
		if f.vectors {
			for _, m := range sectionFieldRE.FindAllStringSubmatch(line, -1) {
				for _, s := range strings.Split(m[1], ",") {
					s = strings.TrimPrefix(strings.TrimSpace(s), "§")
					cited++
					if !have[s] {
						out = append(out, fmt.Sprintf("%s: section %q: %s has no §%s", at, m[1], protocolDoc, s))
					}
				}
			}
			continue
		}
		for _, c := range citations(line) {
			cited++
			switch {
			case c.doc != "":
				out = append(out, fmt.Sprintf("%s: cites §%s of %s; only %s has numbered sections", at, c.section, c.doc, protocolDoc))
			case !have[c.section]:
				out = append(out, fmt.Sprintf("%s: cites §%s, which %s does not have", at, c.section, protocolDoc))
			}
		}
		for _, m := range docsPathRE.FindAllStringSubmatch(line, -1) {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(m[1]))); err != nil {
				out = append(out, fmt.Sprintf("%s: cites %s, which does not exist", at, m[1]))
			}
		}
		if f.md {
			for _, m := range mdLinkRE.FindAllStringSubmatch(line, -1) {
				target := filepath.Join(root, filepath.FromSlash(filepath.Dir(f.rel)), filepath.FromSlash(m[1]))
				if _, err := os.Stat(target); err != nil {
					out = append(out, fmt.Sprintf("%s: links to %s, which does not exist", at, m[1]))
				}
			}
		}
	}
	return out, cited, sc.Err()
}

// TestCitations: every § citation in the repository names a section of
// docs/PROTOCOL.md, and every docs/*.md path named exists.
func TestCitations(t *testing.T) {
	root := repoRoot(t)
	doc, err := os.Open(filepath.Join(root, filepath.FromSlash(protocolDoc)))
	if err != nil {
		t.Fatal(err)
	}
	have, err := sections(doc)
	doc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(have) < 50 {
		t.Fatalf("%s: only %d numbered headings found; is the heading format still \"## 4. …\" / \"### 4.5 …\"?", protocolDoc, len(have))
	}
	total := 0
	for _, f := range sourceFiles(t, root) {
		msgs, n, err := problems(root, f, have)
		if err != nil {
			t.Fatalf("%s: %v", f.rel, err)
		}
		total += n
		for _, m := range msgs {
			t.Error(m)
		}
	}
	// Guard against a walk or a pattern that silently finds nothing.
	t.Logf("%d citations checked against %d sections", total, len(have))
	if total < 500 {
		t.Fatalf("only %d citations found in the repository; the walk or the pattern is broken", total)
	}
}

func TestCitationParsing(t *testing.T) {
	cases := []struct {
		line string
		want []citation
	}{
		{"// see §4.5.", []citation{{section: "4.5"}}},
		{"(spec/x §1.9.3, §3.6)", []citation{{section: "1.9.3"}, {section: "3.6"}}},
		{"shapes of §7.1–7.2 (x)", []citation{{section: "7.1"}, {section: "7.2"}}},
		{"§4.1-4.3, §10", []citation{{section: "4.1"}, {section: "4.3"}, {section: "10"}}},
		{"follows docs/PROTOCOL.md §0–§1.10 (the", []citation{{section: "0"}, {section: "1.10"}}},
		{"(§6.1, §9 item 3)", []citation{{section: "6.1"}, {section: "9.3"}}},
		{"(§4.5, §8, §9 items 11–12): x", []citation{{section: "4.5"}, {section: "8"}, {section: "9.11"}, {section: "9.12"}}},
		{"input that §5.1/§5.8 say", []citation{{section: "5.1"}, {section: "5.8"}}},
		{"the §1.2's wrapper", []citation{{section: "1.2"}}},
		{`t.Errorf("§%s bloom", c.Section)`, nil},
		{"as logs show (STYLE.md §12).", []citation{{section: "12", doc: "STYLE.md"}}},
		{"see docs/PROTOCOL.md §3.1", []citation{{section: "3.1"}}},
	}
	for _, c := range cases {
		if got := citations(c.line); !slices.Equal(got, c.want) {
			t.Errorf("citations(%q) = %v, want %v", c.line, got, c.want)
		}
	}
}

func TestSectionsParsing(t *testing.T) {
	doc := "# title\n## 0. Conventions\n### 1.10 Message IDs\n#### 1.9.3 Group\n" +
		"```\n## 42. inside a fence\n```\n## Not numbered\n### 9.22 PBKDF2\n"
	got, err := sections(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"0": true, "1.10": true, "1.9.3": true, "9.22": true}
	if len(got) != len(want) {
		t.Fatalf("sections = %v, want %v", got, want)
	}
	for s := range want {
		if !got[s] {
			t.Errorf("section %s missing from %v", s, got)
		}
	}
}

// TestCitedFilesExist: every repository file a document under docs/ names
// in backquotes (`internal/messenger/dispatch.go`, `api/shh/post.go`, …)
// exists, so the maps in the documents follow the code when files move.
func TestCitedFilesExist(t *testing.T) {
	root := repoRoot(t)
	path := regexp.MustCompile("`((?:api|cmd|internal|lib|protocol|storage|transport|test|scripts|configs|contrib)/[A-Za-z0-9_./-]+\\.(?:go|sh|json|toml|service|txt|md))`")
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no documents: %v", err)
	}
	cited := 0
	for _, d := range docs {
		data, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range path.FindAllStringSubmatch(line, -1) {
				cited++
				if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
					t.Errorf("%s:%d: cites %s, which does not exist", filepath.Base(d), i+1, m[1])
				}
			}
		}
	}
	if cited < 20 {
		t.Fatalf("only %d file citations found: the pattern is wrong", cited)
	}
}
