package message

import (
	"strings"
	"testing"
)

// TestCheckProfileImage: the bound is inclusive; the prefix must name an
// image and base64.
func TestCheckProfileImage(t *testing.T) {
	head := "data:image/png;base64,"
	for _, s := range []string{"", head + "AAAA", head + strings.Repeat("A", MaxProfileImageBytes-len(head)), "data:image/jpeg;base64,/9j/"} {
		if err := CheckProfileImage(s); err != nil {
			t.Errorf("%.40q: %v", s, err)
		}
	}
	for _, s := range []string{head + strings.Repeat("A", MaxProfileImageBytes-len(head)+1), "data:image/png,AAAA",
		"data:text/plain;base64,AAAA", head, "https://example.org/me.png"} {
		if RuleOf(CheckProfileImage(s)) != RuleProfileImage {
			t.Errorf("%.40q: want %s, got %v", s, RuleProfileImage, CheckProfileImage(s))
		}
	}
}
