"""Server-side display helpers of the dashboards: figures to rows, notes and SVG charts."""
