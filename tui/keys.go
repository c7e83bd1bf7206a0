package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap holds every key binding of the UI; help is generated from it.
type keyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding

	Open     key.Binding
	Back     key.Binding
	Filter   key.Binding
	Severity key.Binding
	Sort     key.Binding

	Reveal key.Binding
	Ignore key.Binding
	Fix    key.Binding
	PR     key.Binding
	Edit   key.Binding

	// Filter editing.
	Accept      key.Binding
	Clear       key.Binding
	CharLeft    key.Binding
	CharRight   key.Binding
	LineStart   key.Binding
	LineEnd     key.Binding
	DeleteBack  key.Binding
	DeleteFwd   key.Binding
	DeleteWord  key.Binding
	DeleteStart key.Binding

	Yes key.Binding
	No  key.Binding

	Help      key.Binding
	CloseHelp key.Binding
	Quit      key.Binding
}

// severityKeys maps the severity toggles' keys to severities, most severe
// first.
var severityKeys = []string{"1", "2", "3", "4", "5"}

func newKeyMap() keyMap {
	return keyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last")),

		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Severity: key.NewBinding(key.WithKeys(severityKeys...), key.WithHelp("1-5", "severity")),
		Sort:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),

		Reveal: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reveal")),
		Ignore: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "ignore")),
		Fix:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fix")),
		PR:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "open PR")),
		Edit:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),

		Accept: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		Clear:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),

		CharLeft:    key.NewBinding(key.WithKeys("left", "ctrl+b")),
		CharRight:   key.NewBinding(key.WithKeys("right", "ctrl+f")),
		LineStart:   key.NewBinding(key.WithKeys("home", "ctrl+a")),
		LineEnd:     key.NewBinding(key.WithKeys("end", "ctrl+e")),
		DeleteBack:  key.NewBinding(key.WithKeys("backspace", "ctrl+h")),
		DeleteFwd:   key.NewBinding(key.WithKeys("delete", "ctrl+d")),
		DeleteWord:  key.NewBinding(key.WithKeys("ctrl+w", "alt+backspace")),
		DeleteStart: key.NewBinding(key.WithKeys("ctrl+u")),

		Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "confirm")),
		No:  key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "cancel")),

		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		CloseHelp: key.NewBinding(key.WithKeys("?", "esc"), key.WithHelp("?/esc", "close help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// fullHelp groups the bindings in columns for the help screen.
func (k keyMap) fullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Back, k.Filter, k.Severity, k.Sort},
		{k.Reveal, k.Ignore, k.Fix, k.PR, k.Edit},
		{k.Yes, k.No, k.Help, k.Quit},
	}
}
