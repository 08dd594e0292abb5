// Package promreg registers Prometheus collectors so that two instances of
// one component on the same registry (two harvesters, two trust
// registries, a test that opens a second) share their metrics rather than
// fail.
package promreg

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Register registers c with reg, or returns the collector registered
// before under the same name and labels. It panics when reg holds a
// different kind of collector under that name: a programming error.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if prev, ok := are.ExistingCollector.(C); ok {
				return prev
			}
		}
		panic(err)
	}
	return c
}
