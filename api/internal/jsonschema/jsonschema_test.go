package jsonschema

import (
	"strings"
	"testing"
)

const gaps = `{
  "type": ["array", "null"],
  "items": {
    "type": "object",
    "required": ["id", "chatId", "from", "to"],
    "additionalProperties": false,
    "properties": {
      "id": {"type": "string"},
      "chatId": {"type": "string"},
      "from": {"type": "integer"},
      "to": {"type": "integer"},
      "kind": {"enum": ["a", "b"]}
    }
  }
}`

func TestValidate(t *testing.T) {
	s, err := Parse([]byte(gaps))
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[string]string{
		`null`: "",
		`[]`:   "",
		`[{"id":"1","chatId":"c","from":1,"to":2}]`:            "",
		`[{"id":"1","chatId":"c","from":1,"to":2,"kind":"b"}]`: "",
		`{}`: "$: object, want array or null",
		`[{"id":"1","chatId":"c","from":1.5,"to":2}]`:                  "$[0].from: number, want integer",
		`[{"id":"1","chatId":"c","from":1}]`:                           `$[0]: missing member "to"`,
		`[{"id":"1","chatId":"c","from":1,"to":2,"x":0}]`:              `$[0]: unexpected member "x"`,
		`[{"id":1,"chatId":null,"from":1,"to":2}]`:                     "$[0].chatId: null, want string; $[0].id: integer, want string",
		`[{"id":"1","chatId":"c","from":1,"to":2,"kind":"z"}]`:         `$[0].kind: "z" is not one of the enum`,
		`[{"id":"1","chatId":"c","from":10000000000000000000,"to":2}]`: "",
	} {
		if got := strings.Join(s.Validate([]byte(v)), "; "); got != want {
			t.Errorf("%s:\n got %s\nwant %s", v, got, want)
		}
	}
	if _, err := Parse([]byte(`{"type":"string","minLength":1}`)); err == nil {
		t.Error("an unknown keyword was accepted")
	}
}
