package main

import (
	"fmt"
	"os"

	"samband/catalog/lifeevent"
)

// lifeEventRules reads the life-event rules the configuration names: the
// file at path, or the rules built in when path is empty. serve and
// harvest read them before they do anything else, so that a broken file
// stops them at once, with the line of every problem; what classifies
// records (the search index) takes the rules serve read.
func lifeEventRules(path string) (*lifeevent.Rules, error) {
	if path == "" {
		return lifeevent.Default(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: life_events: %w", err)
	}
	defer f.Close()
	rules, err := lifeevent.Load(f)
	if err != nil {
		return nil, fmt.Errorf("config: life_events %s: %w", path, err)
	}
	return rules, nil
}
