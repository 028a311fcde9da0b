package web

import (
	"fmt"
	"html/template"
	"strings"
)

// bar is one labelled value of a chart.
type bar struct {
	Label string
	Value int
	Href  string // where a click on the bar leads; "" for none
	Tone  string // "", "warn" or "bad": the bar's colour
}

var tones = map[string]string{"": "#0b6e6e", "warn": "#c98a00", "bad": "#b3261e"}

// barChart draws a horizontal bar chart as inline SVG. It is drawn on the
// server with presentation attributes only (no scripts, no style
// attributes), so it passes the console's Content-Security-Policy, and it
// carries a title and per-bar text for screen readers.
func barChart(title string, bars []bar) template.HTML {
	const rowH, labelW, barW, gap = 26, 250, 240, 6
	max := 1
	for _, b := range bars {
		if b.Value > max {
			max = b.Value
		}
	}
	h := len(bars)*rowH + 8
	var sb strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&sb, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`,
		esc(title), labelW+barW+60, h)
	fmt.Fprintf(&sb, `<title>%s</title>`, esc(title))
	for i, b := range bars {
		y := i*rowH + 4
		w := b.Value * barW / max
		if b.Value > 0 && w < 2 {
			w = 2
		}
		open, close := "", ""
		if b.Href != "" {
			open, close = fmt.Sprintf(`<a href="%s">`, esc(b.Href)), "</a>"
		}
		fmt.Fprintf(&sb, `%s<g><title>%s: %d</title><text x="%d" y="%d" text-anchor="end" font-size="13" fill="#1b2430">%s</text>`+
			`<rect x="%d" y="%d" width="%d" height="%d" rx="3" fill="%s"/>`+
			`<text x="%d" y="%d" font-size="13" fill="#1b2430">%d</text></g>%s`,
			open, esc(b.Label), b.Value, labelW-8, y+rowH/2+4, esc(b.Label),
			labelW, y+gap/2, w, rowH-gap, tones[b.Tone],
			labelW+w+6, y+rowH/2+4, b.Value, close)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String()) // every text and attribute above is escaped
}
