"""The shared floor: what every app uses to publish, knowing nothing of startups or money.

Page cache and data versions, safe CSV/XLSX cells, markdown, French dates and numbers, SVG
charts, breadcrumbs. It imports no app of the project; every app may import it.
"""
