module samband

go 1.26.8

require (
	github.com/hashicorp/go-retryablehttp v0.7.8
	github.com/knakk/rdf v0.0.0-20190304171630-8521bf4c5042
)

require github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
