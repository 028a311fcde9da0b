package qr

import (
	"image"
	"image/color"
	"strconv"
	"strings"
)

// SVG renders the symbol, with its quiet zone, as a standalone SVG
// document: a white square and one path of dark modules, each row's runs
// of dark modules drawn as one rectangle. Colours are presentation
// attributes, not style, so the symbol shows under a Content-Security-Policy
// that forbids inline styles. px is the rendered width and height in CSS
// pixels (0 leaves the size to the page).
func (c *Code) SVG(px int) string {
	n := c.Size + 2*QuietZone
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `)
	b.WriteString(strconv.Itoa(n) + " " + strconv.Itoa(n) + `"`)
	if px > 0 {
		b.WriteString(` width="` + strconv.Itoa(px) + `" height="` + strconv.Itoa(px) + `"`)
	}
	b.WriteString(` shape-rendering="crispEdges" role="img" aria-label="QR code">`)
	b.WriteString(`<rect width="` + strconv.Itoa(n) + `" height="` + strconv.Itoa(n) + `" fill="#fff"/>`)
	b.WriteString(`<path fill="#000" d="`)
	for y := range c.Size {
		for x := 0; x < c.Size; {
			if !c.Dark(x, y) {
				x++
				continue
			}
			run := 1
			for c.Dark(x+run, y) {
				run++
			}
			w := strconv.Itoa(run)
			b.WriteString("M" + strconv.Itoa(x+QuietZone) + " " + strconv.Itoa(y+QuietZone) + "h" + w + "v1h-" + w + "z")
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}

// Image renders the symbol with its quiet zone as a grey-scale image, scale
// pixels per module.
func (c *Code) Image(scale int) *image.Gray {
	scale = max(scale, 1)
	n := (c.Size + 2*QuietZone) * scale
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			v := color.Gray{Y: 0xff}
			if c.Dark(x/scale-QuietZone, y/scale-QuietZone) {
				v.Y = 0
			}
			img.SetGray(x, y, v)
		}
	}
	return img
}
