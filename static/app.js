// the product's own scripts (no inline scripts: CSP)
