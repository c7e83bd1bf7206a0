package tui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// filterInput is the one-line editor of the list's filter.
type filterInput struct {
	value []rune
	pos   int
}

// Value returns the text typed.
func (f *filterInput) Value() string { return string(f.value) }

// SetValue replaces the text and puts the cursor at its end.
func (f *filterInput) SetValue(s string) {
	f.value = []rune(s)
	f.pos = len(f.value)
}

// update edits the text for one key; it reports whether the key was an
// editing key.
func (f *filterInput) update(k keyMap, msg tea.KeyMsg) bool {
	switch {
	case msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace:
		f.insert(msg.Runes)
	case key.Matches(msg, k.CharLeft):
		f.pos = max(0, f.pos-1)
	case key.Matches(msg, k.CharRight):
		f.pos = min(len(f.value), f.pos+1)
	case key.Matches(msg, k.LineStart):
		f.pos = 0
	case key.Matches(msg, k.LineEnd):
		f.pos = len(f.value)
	case key.Matches(msg, k.DeleteBack):
		if f.pos > 0 {
			f.value = append(f.value[:f.pos-1], f.value[f.pos:]...)
			f.pos--
		}
	case key.Matches(msg, k.DeleteFwd):
		if f.pos < len(f.value) {
			f.value = append(f.value[:f.pos], f.value[f.pos+1:]...)
		}
	case key.Matches(msg, k.DeleteWord):
		start := f.pos
		for start > 0 && unicode.IsSpace(f.value[start-1]) {
			start--
		}
		for start > 0 && !unicode.IsSpace(f.value[start-1]) {
			start--
		}
		f.value = append(f.value[:start], f.value[f.pos:]...)
		f.pos = start
	case key.Matches(msg, k.DeleteStart):
		f.value = f.value[f.pos:]
		f.pos = 0
	default:
		return false
	}
	return true
}

func (f *filterInput) insert(rs []rune) {
	var ins []rune
	for _, r := range rs {
		switch {
		case r == '\n' || r == '\t':
			ins = append(ins, ' ')
		case unicode.IsPrint(r):
			ins = append(ins, r)
		}
	}
	if len(ins) == 0 {
		return
	}
	v := make([]rune, 0, len(f.value)+len(ins))
	v = append(v, f.value[:f.pos]...)
	v = append(v, ins...)
	v = append(v, f.value[f.pos:]...)
	f.value = v
	f.pos += len(ins)
}

// view renders the prompt, the text and the cursor (the character under it
// in reverse video, or an underscore in plain text).
func (f *filterInput) view(st styles, placeholder string) string {
	var b strings.Builder
	b.WriteString(st.prompt.Render("/"))
	if len(f.value) == 0 {
		b.WriteString(st.selected.Render("_"))
		b.WriteString(st.subtle.Render(placeholder))
		return b.String()
	}
	b.WriteString(string(f.value[:f.pos]))
	under := "_"
	if f.pos < len(f.value) {
		under = string(f.value[f.pos])
	}
	b.WriteString(st.selected.Render(under))
	if f.pos < len(f.value) {
		b.WriteString(string(f.value[f.pos+1:]))
	}
	return b.String()
}
