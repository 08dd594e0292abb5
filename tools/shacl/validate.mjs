#!/usr/bin/env node
// validate.mjs checks RDF files against SHACL shapes with rdf-validate-shacl,
// offline, and prints one JSON report on standard output.
//
//	node validate.mjs [--max N] [--all] [--each] [--keep-labels] SHAPES... -- DATA...
//
// SHAPES and DATA are Turtle (.ttl) or N-Triples (.nt) files. The shapes are
// merged into one shapes graph. The data files are merged into one data graph
// (the pages of one feed), or with --each validated one by one (separate
// catalogues), each result then naming its file. Nothing is fetched:
// owl:imports are not followed. Blank nodes are relabelled per file, unless
// --keep-labels keeps the labels the files give (for N-Triples whose labels
// mean something, such as Samband's canonical originals; the files of one
// validation must then not share a label by chance).
//
// The report: conforms; the triples read; counts by severity; counts by
// severity, node shape, path and constraint ("byShape"); the first N results
// (--max, 20 by default), or every result with --all. A result names its
// focus node (an IRI, or _:label for a blank node, with "focusType", its
// rdf:type, and "via", the IRI and property that lead to it), path, value,
// shape, constraint, severity and message; and, for programs, the same as
// RDF terms: focusTerm and valueTerm ({"t": "I", "B" or "L", "v": the IRI,
// label or lexical form, "lang", "dt": the datatype IRI}), pathIRI (^ and
// the IRI for an inverse path) and shapeIRI.
//
// Exit status: 0 when no result is an sh:Violation, 1 when one is, 2 when the
// arguments or a file are wrong.

import { readFileSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import N3 from 'n3'
import SHACLValidator from 'rdf-validate-shacl'

const SH = 'http://www.w3.org/ns/shacl#'
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const PREFIXES = {
  'http://www.w3.org/ns/shacl#': 'sh:',
  'http://www.w3.org/ns/dcat#': 'dcat:',
  'http://purl.org/dc/terms/': 'dct:',
  'http://xmlns.com/foaf/0.1/': 'foaf:',
  'http://www.w3.org/2006/vcard/ns#': 'vcard:',
  'http://www.w3.org/ns/adms#': 'adms:',
  'http://www.w3.org/ns/prov#': 'prov:',
  'http://www.w3.org/2004/02/skos/core#': 'skos:',
  'http://spdx.org/rdf/terms#': 'spdx:',
  'http://www.w3.org/2000/01/rdf-schema#': 'rdfs:',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf:',
  'http://www.w3.org/2001/XMLSchema#': 'xsd:',
  'http://www.w3.org/ns/locn#': 'locn:',
  'http://www.w3.org/2006/time#': 'time:',
  'http://www.w3.org/ns/odrl/2/': 'odrl:',
  'http://data.europa.eu/r5r/': 'dcatap:',
  'http://data.europa.eu/r5r#': 'r5r:',
  'https://semiceu.github.io/DCAT-AP/releases/3.0.0/html/shacl/shapes.ttl#': 'shapes:',
  'https://semiceu.github.io/DCAT-AP/releases/3.0.0/html/shacl/range.ttl#': 'range:',
}

function usage (msg) {
  process.stderr.write(`validate.mjs: ${msg}\nusage: node validate.mjs [--max N] [--all] [--each] [--keep-labels] SHAPES... -- DATA...\n`)
  process.exit(2)
}

function parseArgs (argv) {
  const opts = { max: 20, all: false, each: false, keepLabels: false, shapes: [], data: [] }
  let i = 0
  for (; i < argv.length && argv[i].startsWith('--') && argv[i] !== '--'; i++) {
    if (argv[i] === '--all') opts.all = true
    else if (argv[i] === '--each') opts.each = true
    else if (argv[i] === '--keep-labels') opts.keepLabels = true
    else if (argv[i] === '--max') {
      opts.max = Number(argv[++i])
      if (!Number.isInteger(opts.max) || opts.max < 0) usage('--max wants a whole number')
    } else usage(`unknown flag ${argv[i]}`)
  }
  const sep = argv.indexOf('--', i)
  if (sep < 0) usage('no -- between shapes and data')
  opts.shapes = argv.slice(i, sep)
  opts.data = argv.slice(sep + 1)
  if (opts.shapes.length === 0) usage('no shapes file')
  if (opts.data.length === 0) usage('no data file')
  return opts
}

// load parses one file; each parser has its own blank node labels, unless
// keepLabels.
function load (file, keepLabels) {
  const format = extname(file) === '.nt' ? 'N-Triples' : 'Turtle'
  try {
    const text = readFileSync(file, 'utf8')
    const options = { format, baseIRI: pathToFileURL(resolve(file)).href }
    if (keepLabels) options.blankNodePrefix = ''
    return new N3.Parser(options).parse(text)
  } catch (err) {
    process.stderr.write(`validate.mjs: ${file}: ${err.message}\n`)
    process.exit(2)
  }
}

function short (term) {
  if (!term) return undefined
  if (term.termType === 'BlankNode') return '_:' + term.value
  if (term.termType === 'Literal') {
    const dt = term.datatype && term.datatype.value
    if (term.language) return JSON.stringify(term.value) + '@' + term.language
    if (dt && dt !== 'http://www.w3.org/2001/XMLSchema#string') return JSON.stringify(term.value) + '^^' + short(term.datatype)
    return JSON.stringify(term.value)
  }
  for (const [ns, p] of Object.entries(PREFIXES)) {
    if (term.value.startsWith(ns)) return p + term.value.slice(ns.length)
  }
  return term.value
}

// pathString writes a SHACL path: an IRI, or ^IRI for an inverse path. The
// engine gives a path that is not an IRI as its node in the shapes graph,
// which shapes resolves.
function pathString (path, shapes) {
  if (!path) return ''
  if (Array.isArray(path)) return path.map(p => pathString(p, shapes)).join('/')
  if (path.termType === 'BlankNode' && shapes) {
    const inv = shapes.find(q => q.subject.equals(path) && q.predicate.value === SH + 'inversePath')
    if (inv) return '^' + pathString(inv.object, shapes)
  }
  if (path.termType) return short(path)
  if (path.inverse) return '^' + pathString(path.inverse, shapes)
  if (path.alternatives) return path.alternatives.map(p => pathString(p, shapes)).join('|')
  return JSON.stringify(path)
}

// term writes an RDF term as data: {t, v, lang, dt}.
function term (t) {
  if (!t) return undefined
  switch (t.termType) {
    case 'NamedNode': return { t: 'I', v: t.value }
    case 'BlankNode': return { t: 'B', v: t.value }
    case 'Literal': return { t: 'L', v: t.value, lang: t.language || '', dt: t.datatype ? t.datatype.value : '' }
  }
  return { t: t.termType, v: t.value }
}

// pathIRI writes a predicate path as its IRI, an inverse one as ^ and the
// IRI; any other path as pathString does.
function pathIRI (path, shapes) {
  if (!path) return ''
  if (path.termType === 'NamedNode') return path.value
  let inv = path.inverse
  if (path.termType === 'BlankNode') {
    const q = shapes.find(q => q.subject.equals(path) && q.predicate.value === SH + 'inversePath')
    inv = q && q.object
  }
  if (inv && inv.termType === 'NamedNode') return '^' + inv.value
  return pathString(path, shapes)
}

// shapeNode returns the node shape of a shape: itself, or for a property
// shape that is a blank node, the node shape that holds it.
function shapeNode (shapes, shape) {
  if (!shape || shape.termType !== 'BlankNode') return shape
  const owner = shapes.find(q => q.predicate.value === SH + 'property' && q.object.equals(shape))
  return owner ? owner.subject : shape
}

// shapeName names a shape: its IRI, or for a property shape that is a blank
// node, the node shape that holds it.
function shapeName (shapes, shape) {
  if (!shape) return ''
  if (shape.termType !== 'BlankNode') return short(shape)
  const owners = shapes.filter(q => q.predicate.value === SH + 'property' && q.object.equals(shape))
  return owners.length ? short(owners[0].subject) : short(shape)
}

function validate (shapeQuads, dataQuads, opts, file) {
  const validator = new SHACLValidator(shapeQuads)
  const data = validator.factory.dataset(dataQuads)
  return validator.validate(data).then(report => report.results.map(r => {
    const focus = r.focusNode
    const out = {
      severity: short(r.severity).replace(/^sh:/, ''),
      focus: short(focus),
      path: pathString(r.path, shapeQuads),
      value: short(r.value),
      shape: shapeName(shapeQuads, r.sourceShape),
      constraint: short(r.sourceConstraintComponent).replace(/^sh:/, '').replace(/ConstraintComponent$/, ''),
      message: r.message.map(m => m.value).join('; '),
      focusTerm: term(focus),
      valueTerm: term(r.value),
      pathIRI: pathIRI(r.path, shapeQuads),
      shapeIRI: (shapeNode(shapeQuads, r.sourceShape) || {}).value,
    }
    if (focus && focus.termType === 'BlankNode') {
      const types = dataQuads.filter(q => q.subject.equals(focus) && q.predicate.value === RDF_TYPE)
      if (types.length) out.focusType = short(types[0].object)
      const via = dataQuads.find(q => q.object.equals(focus) && q.subject.termType === 'NamedNode')
      if (via) out.via = `${short(via.subject)} ${short(via.predicate)}`
    }
    if (file) out.file = file
    return out
  }))
}

async function main () {
  const opts = parseArgs(process.argv.slice(2))
  const shapeQuads = opts.shapes.flatMap(f => load(f, false))
  let results = []
  let dataTriples = 0
  if (opts.each) {
    for (const f of opts.data) {
      const q = load(f, opts.keepLabels)
      dataTriples += q.length
      results = results.concat(await validate(shapeQuads, q, opts, f))
    }
  } else {
    const q = opts.data.flatMap(f => load(f, opts.keepLabels))
    dataTriples = q.length
    results = await validate(shapeQuads, q, opts)
  }
  const counts = { Violation: 0, Warning: 0, Info: 0 }
  const byShape = {}
  for (const r of results) {
    counts[r.severity] = (counts[r.severity] || 0) + 1
    const key = `${r.severity} ${r.shape} ${r.path || '(node)'} ${r.constraint}`
    byShape[key] = (byShape[key] || 0) + 1
  }
  const report = {
    conforms: counts.Violation === 0,
    shapes: opts.shapes,
    data: opts.data,
    triples: { shapes: shapeQuads.length, data: dataTriples },
    counts,
    byShape: Object.fromEntries(Object.entries(byShape).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
    results: opts.all ? results : results.slice(0, opts.max),
  }
  process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  process.exitCode = report.conforms ? 0 : 1
}

main().catch(err => {
  process.stderr.write(`validate.mjs: ${err.stack || err}\n`)
  process.exit(2)
})
