"""Validates a graph.ftm.json with the followthemoney package: every entity's schema, its
required properties, every property known to the schema and every value valid for its type,
each id once, and every reference to an entity of the file whose schema fits the property's
range. Prints a JSON summary (entities, schemas, problems)."""
import json
import sys

from followthemoney import model

ids, schema_of, refs, bad, schemas = set(), {}, [], [], {}
for n, line in enumerate(open(sys.argv[1], encoding='utf-8'), 1):
    d = json.loads(line)
    schema = model.get(d.get('schema', ''))
    if schema is None:
        bad.append(f'{n}: no schema `{d.get("schema")}`')
        continue
    schemas[schema.name] = schemas.get(schema.name, 0) + 1
    if d['id'] in ids:
        bad.append(f'{n}: id {d["id"]} twice')
    ids.add(d['id'])
    schema_of[d['id']] = schema
    props = d.get('properties', {})
    for req in schema.required:
        if not props.get(req):
            bad.append(f'{n}: {schema.name} lacks {req}')
    for name, values in props.items():
        prop = schema.get(name)
        if prop is None:
            bad.append(f'{n}: {schema.name} has no property {name}')
            continue
        for v in values:
            if not prop.type.validate(v):
                bad.append(f'{n}: {prop.qname} `{v}` is not a valid {prop.type.name}')
            if prop.type.name == 'entity':
                refs.append((n, prop, v))
for n, prop, value in refs:
    target = schema_of.get(value)
    if target is None:
        bad.append(f'{n}: {prop.qname} refers to {value}, not among the entities')
    elif prop.range is not None and not target.is_a(prop.range):
        bad.append(f'{n}: {prop.qname} refers to a {target.name}, not a {prop.range.name}')
print(json.dumps({'entities': len(ids), 'schemas': schemas, 'problems': bad[:20],
                  'problem_count': len(bad)}, ensure_ascii=False))
