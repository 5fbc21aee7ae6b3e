package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// annotations is a doc comment split into its description and the
// annotations that close it.
type annotations struct {
	doc          string
	notification string
	examples     []example
	json         []jsonField
}

type example struct {
	title, params, result, save string
	task                        int
}

type jsonField struct{ name, typ, doc string }

var (
	exampleLine      = regexp.MustCompile(`^Example: (\S.*)$`)
	notificationLine = regexp.MustCompile(`^Notification: (\*?[A-Za-z_][\w.]*?)\.?$`)
	jsonFieldsLine   = "JSON fields:"
	varName          = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	jsonFieldType    = regexp.MustCompile(`^(\[\])*(string|hex|integer|number|boolean|object)$`)
)

// parseAnnotations splits text (go/doc's Doc of the declaration named
// goName). Annotations must come after the description:
//
//	Notification: T
//	Example: <title>
//	    params: <JSON array>   result: <JSON>   save: NAME   task: <n>
//	JSON fields:
//	    <name> <type> <description>
func parseAnnotations(text, goName string) (annotations, error) {
	var a annotations
	var desc []string
	state := "desc"
	for _, line := range strings.Split(text, "\n") {
		indented := strings.HasPrefix(line, "\t") || strings.HasPrefix(line, " ")
		trimmed := strings.TrimSpace(line)
		switch m := exampleLine.FindStringSubmatch(line); {
		case m != nil:
			a.examples = append(a.examples, example{title: strings.TrimSpace(m[1])})
			state = "example"
			continue
		case notificationLine.MatchString(line):
			a.notification = notificationLine.FindStringSubmatch(line)[1]
			state = "done"
			continue
		case line == jsonFieldsLine:
			state = "json"
			continue
		}
		var err error
		switch {
		case state == "desc":
			desc = append(desc, line)
		case trimmed == "":
		case !indented:
			err = fmt.Errorf("text after the annotations: %q (annotations must close the doc comment)", trimmed)
		case state == "example":
			err = a.exampleLine(trimmed)
		case state == "json":
			err = a.jsonLine(trimmed)
		default:
			err = fmt.Errorf("unexpected %q after the Notification: annotation", trimmed)
		}
		if err != nil {
			return a, err
		}
	}
	for _, ex := range a.examples {
		if ex.params == "" || ex.result == "" {
			return a, fmt.Errorf("example %q needs both params: and result: lines", ex.title)
		}
	}
	a.doc = cleanDoc(desc, goName)
	return a, nil
}

func (a *annotations) exampleLine(line string) error {
	ex := &a.examples[len(a.examples)-1]
	key, value, ok := strings.Cut(line, ":")
	value = strings.TrimSpace(value)
	switch key = strings.TrimSpace(key); {
	case !ok:
		return fmt.Errorf("example %q: want key: value, got %q", ex.title, line)
	case key == "params":
		var arr []json.RawMessage
		if err := json.Unmarshal([]byte(value), &arr); err != nil {
			return fmt.Errorf("example %q: params must be a JSON array: %v", ex.title, err)
		}
		ex.params = compactJSON(value)
	case key == "result":
		if !json.Valid([]byte(value)) {
			return fmt.Errorf("example %q: result is not JSON: %s", ex.title, value)
		}
		ex.result = compactJSON(value)
	case key == "save":
		if !varName.MatchString(value) {
			return fmt.Errorf("example %q: save: %q is not an upper-case shell variable name", ex.title, value)
		}
		ex.save = value
	case key == "task":
		n, err := strconv.Atoi(value)
		if err != nil || n <= 0 {
			return fmt.Errorf("example %q: task: want a positive number, got %q", ex.title, value)
		}
		ex.task = n
	default:
		return fmt.Errorf("example %q: unknown key %q", ex.title, key)
	}
	return nil
}

func (a *annotations) jsonLine(line string) error {
	f := strings.Fields(line)
	if len(f) < 3 || !jsonFieldType.MatchString(f[1]) {
		return fmt.Errorf("JSON fields: want \"<name> <type> <description>\" with type string, hex, integer, number, boolean or object (optionally []), got %q", line)
	}
	a.json = append(a.json, jsonField{name: f[0], typ: f[1], doc: strings.Join(f[2:], " ")})
	return nil
}

// opener matches "Foo is ns_foo: ", "Foo is ns_foo(...): " or "Foo is ns_foo. ".
var opener = regexp.MustCompile(`^(\w+) is [a-z0-9]+_\w+(\([^)]*\))?(: |\. ?|, |$)`)

// cleanDoc drops the "Foo is ns_foo:" opener, joins the lines of each
// paragraph and keeps code blocks (indented) and list items on lines of
// their own.
func cleanDoc(lines []string, goName string) string {
	var out []string
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, strings.Join(para, " "))
			para = nil
		}
	}
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
			out = append(out, "")
		case strings.HasPrefix(trimmed, "- "):
			flush()
			out = append(out, trimmed)
		case strings.HasPrefix(line, "\t"):
			flush()
			out = append(out, "    "+strings.TrimPrefix(line, "\t"))
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	doc := strings.TrimSpace(regexp.MustCompile(`\n{3,}`).ReplaceAllString(strings.Join(out, "\n"), "\n\n"))
	if m := opener.FindStringSubmatch(doc); m != nil && m[1] == goName {
		doc = strings.TrimSpace(doc[len(m[0]):])
		r := []rune(doc)
		if len(r) > 0 {
			r[0] = unicode.ToUpper(r[0])
		}
		doc = string(r)
	}
	return doc
}

func compactJSON(s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return s
	}
	return b.String()
}

func countJSONArray(s string) int {
	var arr []json.RawMessage
	_ = json.Unmarshal([]byte(s), &arr)
	return len(arr)
}
