package policies

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
)

// The policy as read, in the canonical form that is hashed: ODRL's JSON
// shape with every term a full IRI as the document wrote it (aliases not
// applied, so that a policy's hash does not depend on how a gateway reads
// it), sets sorted (targets, parties, right operand values), rules and
// logical operands in document order, since Samband reports them by
// position. The same policy in Turtle and in JSON-LD has the same form.

type policyDoc struct {
	UID         string     `json:"uid"`
	Type        string     `json:"type"`
	Version     string     `json:"version,omitempty"`
	Profile     []string   `json:"profile,omitempty"`
	Conflict    string     `json:"conflict,omitempty"`
	Assigner    []string   `json:"assigner,omitempty"`
	Assignee    []string   `json:"assignee,omitempty"`
	Target      []string   `json:"target,omitempty"`
	Action      []string   `json:"action,omitempty"`
	Permission  []*ruleDoc `json:"permission,omitempty"`
	Prohibition []*ruleDoc `json:"prohibition,omitempty"`
	Obligation  []*dutyDoc `json:"obligation,omitempty"`
	acts        []action   // Action, resolved
	implicit    []string   // subjects of odrl:hasPolicy in the document: targets by attachment
}

type ruleDoc struct {
	UID        string           `json:"uid,omitempty"`
	Action     []string         `json:"action,omitempty"`
	Target     []string         `json:"target,omitempty"`
	Assignee   []string         `json:"assignee,omitempty"`
	Assigner   []string         `json:"assigner,omitempty"`
	Constraint []*constraintDoc `json:"constraint,omitempty"`
	Duty       []*dutyDoc       `json:"duty,omitempty"`
	Remedy     []*dutyDoc       `json:"remedy,omitempty"`
	acts       []action
	path       string
}

type dutyDoc struct {
	UID         string              `json:"uid,omitempty"`
	Action      []string            `json:"action"`
	Target      []string            `json:"target,omitempty"`
	Parties     map[string][]string `json:"parties,omitempty"` // party function (assignee, attributedParty ...) -> parties
	Constraint  []*constraintDoc    `json:"constraint,omitempty"`
	Consequence []*dutyDoc          `json:"consequence,omitempty"`
	acts        []action
	path        string
}

type constraintDoc struct {
	UID          string           `json:"uid,omitempty"`
	LeftOperand  string           `json:"leftOperand,omitempty"`
	Operator     string           `json:"operator,omitempty"`
	RightOperand []value          `json:"rightOperand,omitempty"`
	DataType     string           `json:"dataType,omitempty"`
	And          []*constraintDoc `json:"and,omitempty"`
	Or           []*constraintDoc `json:"or,omitempty"`
	Xone         []*constraintDoc `json:"xone,omitempty"`
	AndSequence  []*constraintDoc `json:"andSequence,omitempty"`
	path         string
	opd          operand
	op           operator
	logic        logic
}

// kids returns a logical constraint's operands.
func (c *constraintDoc) kids() []*constraintDoc {
	switch c.logic {
	case logicAnd:
		return c.And
	case logicOr:
		return c.Or
	case logicXone:
		return c.Xone
	case logicAndSequence:
		return c.AndSequence
	}
	return nil
}

// value is a right operand value: an IRI, or a literal with its datatype
// (xsd:string left out) or language.
type value struct {
	IRI      string
	Lexical  string
	Datatype string
	Lang     string
}

// MarshalJSON writes a value as JSON-LD does: {"@id": ...} or
// {"@value": ..., "@type": ..., "@language": ...}.
func (v value) MarshalJSON() ([]byte, error) {
	if v.IRI != "" {
		return json.Marshal(struct {
			ID string `json:"@id"`
		}{v.IRI})
	}
	return json.Marshal(struct {
		Value string `json:"@value"`
		Type  string `json:"@type,omitempty"`
		Lang  string `json:"@language,omitempty"`
	}{v.Lexical, v.Datatype, v.Lang})
}

// text returns the value as a string: the IRI or the lexical form.
func (v value) text() string {
	if v.IRI != "" {
		return v.IRI
	}
	return v.Lexical
}

func compareValues(a, b value) int {
	if c := strings.Compare(a.IRI, b.IRI); c != 0 {
		return c
	}
	if c := strings.Compare(a.Lexical, b.Lexical); c != 0 {
		return c
	}
	if c := strings.Compare(a.Datatype, b.Datatype); c != 0 {
		return c
	}
	return strings.Compare(a.Lang, b.Lang)
}

// canonical returns the canonical JSON of a policy and its hash:
// "sha256:" and the hex SHA-256 of the JSON.
func (p *policyDoc) canonical() ([]byte, string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, "", err
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
	sum := sha256.Sum256(out)
	return out, "sha256:" + hex.EncodeToString(sum[:]), nil
}

// sortedUnique sorts strings and drops repeats.
func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
