package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"

	"github.com/sessionize/sessionize/scanner"
)

// styles holds every style of the UI, made by one renderer: with the ASCII
// colour profile (NO_COLOR, --no-color, tests) they render plain text.
type styles struct {
	title    lipgloss.Style
	subtle   lipgloss.Style
	header   lipgloss.Style
	selected lipgloss.Style
	label    lipgloss.Style
	secret   lipgloss.Style
	revealed lipgloss.Style
	section  lipgloss.Style
	status   lipgloss.Style
	err      lipgloss.Style
	prompt   lipgloss.Style
	barFull  lipgloss.Style
	barEmpty lipgloss.Style
	diffAdd  lipgloss.Style
	diffDel  lipgloss.Style
	diffHunk lipgloss.Style
	diffFile lipgloss.Style
	severity map[scanner.Severity]lipgloss.Style
	help     help.Styles
}

func newStyles(r *lipgloss.Renderer) styles {
	s := r.NewStyle
	red, yellow, cyan, green, grey := lipgloss.Color("1"), lipgloss.Color("3"), lipgloss.Color("6"), lipgloss.Color("2"), lipgloss.Color("8")
	keyStyle := s().Foreground(lipgloss.Color("4")).Bold(true)
	return styles{
		title:    s().Bold(true),
		subtle:   s().Foreground(grey),
		header:   s().Bold(true).Underline(true),
		selected: s().Reverse(true),
		label:    s().Foreground(grey),
		secret:   s().Foreground(yellow),
		revealed: s().Foreground(red).Bold(true),
		section:  s().Bold(true),
		status:   s().Foreground(green),
		err:      s().Foreground(red).Bold(true),
		prompt:   s().Foreground(yellow).Bold(true),
		barFull:  s().Foreground(cyan),
		barEmpty: s().Foreground(grey),
		diffAdd:  s().Foreground(green),
		diffDel:  s().Foreground(red),
		diffHunk: s().Foreground(cyan),
		diffFile: s().Bold(true),
		severity: map[scanner.Severity]lipgloss.Style{
			scanner.SeverityCritical: s().Foreground(red).Bold(true),
			scanner.SeverityHigh:     s().Foreground(red),
			scanner.SeverityMedium:   s().Foreground(yellow),
			scanner.SeverityLow:      s().Foreground(cyan),
			scanner.SeverityInfo:     s().Foreground(grey),
		},
		help: help.Styles{
			Ellipsis:       s().Foreground(grey),
			ShortKey:       keyStyle,
			ShortDesc:      s().Foreground(grey),
			ShortSeparator: s().Foreground(grey),
			FullKey:        keyStyle,
			FullDesc:       s(),
			FullSeparator:  s().Foreground(grey),
		},
	}
}

// sev renders a severity's name in its colour.
func (st styles) sev(s scanner.Severity, text string) string {
	if style, ok := st.severity[s]; ok {
		return style.Render(text)
	}
	return text
}
