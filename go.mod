module samband

go 1.26.8

require github.com/knakk/rdf v0.0.0-20190304171630-8521bf4c5042
