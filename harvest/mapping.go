package harvest

import "samband/catalog"

// The DCAT-AP mapping of one page, as catalog provides it.
type (
	mapOptions = catalog.MapOptions
	mapStats   = catalog.MapStats
)

func newDocument() *catalog.Document { return catalog.NewDocument() }
