package policies

import (
	"fmt"
	"slices"
)

// Library holds the policies a gateway knows: its defaults, which govern
// every target they do not restrict to others, and the catalogue's, which
// govern the targets that name them (odrl:hasPolicy) or that they name
// (odrl:target). It is immutable and safe for concurrent use.
type Library struct {
	defaults  []*Policy
	byUID     map[string]*Policy
	byTarget  map[string][]*Policy
	catalogue []*Policy
}

// NewLibrary returns a library of the gateway's default policies and the
// catalogue's. Two policies with one uid must be the same policy (the same
// hash): a policy harvested twice is kept once, and two different ones
// under one name are an error.
func NewLibrary(defaults, catalogue []*Policy) (*Library, error) {
	l := &Library{byUID: map[string]*Policy{}, byTarget: map[string][]*Policy{}}
	add := func(p *Policy) (bool, error) {
		if old, ok := l.byUID[p.UID()]; ok {
			if old.Hash() != p.Hash() {
				return false, fmt.Errorf("policies: two policies have the uid %s (%s from %s, %s from %s)",
					p.UID(), old.Hash(), old.ref.Source, p.Hash(), p.ref.Source)
			}
			return false, nil
		}
		l.byUID[p.UID()] = p
		return true, nil
	}
	for _, p := range defaults {
		if fresh, err := add(p); err != nil {
			return nil, err
		} else if fresh {
			l.defaults = append(l.defaults, p)
		}
	}
	for _, p := range catalogue {
		fresh, err := add(p)
		if err != nil {
			return nil, err
		}
		if !fresh {
			continue
		}
		l.catalogue = append(l.catalogue, p)
		for _, t := range p.targets {
			l.byTarget[t] = append(l.byTarget[t], p)
		}
	}
	return l, nil
}

// Policy returns the policy of a uid.
func (l *Library) Policy(uid string) (*Policy, bool) {
	p, ok := l.byUID[uid]
	return p, ok
}

// For returns the set that governs a target: the defaults (those without a
// target, or with this one), the catalogue's policies that govern it, and
// the policies the catalogue record names (catalog.Dataset.Policies, the
// odrl:hasPolicy IRIs of a dataset, distribution or data service). A named
// policy the library does not hold makes the set deny every request, with
// a reason that names it.
func (l *Library) For(target string, named ...string) *Set {
	var ps []*Policy
	seen := map[string]bool{}
	take := func(p *Policy) {
		if !seen[p.UID()] {
			seen[p.UID()] = true
			ps = append(ps, p)
		}
	}
	for _, p := range l.defaults {
		if len(p.targets) == 0 || slices.Contains(p.targets, target) {
			take(p)
		}
	}
	for _, p := range l.byTarget[target] {
		take(p)
	}
	var missing []string
	for _, uid := range named {
		if p, ok := l.byUID[uid]; ok {
			take(p)
		} else {
			missing = append(missing, uid)
		}
	}
	s := NewSet(ps...)
	s.missing = missing
	return s
}
