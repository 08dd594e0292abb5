module samband

go 1.26.8

require (
	github.com/hashicorp/go-retryablehttp v0.7.8
	github.com/knakk/rdf v0.0.0-20190304171630-8521bf4c5042
)

require github.com/hashicorp/go-cleanhttp v0.5.2 // indirect

require (
	github.com/cayleygraph/quad v1.3.0 // indirect
	github.com/piprate/json-gold v0.9.1
	github.com/pquerna/cachecontrol v0.2.0 // indirect
)
