"""Validates Kubernetes objects offline against the API schemas of a Kubernetes release and
the CRD schemas of prometheus-operator (k8s_schemas/definitions.json, made once by
k8s_schemas/make_schemas.py from the release's OpenAPI document and the CRDs), strictly: unknown fields, wrong types and missing required fields are
errors, as `kubeconform -strict` or the API server's field validation reports them.
Needs python3-jsonschema.
"""
import json
import os

import jsonschema

_HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_HERE, "k8s_schemas", "definitions.json")) as _f:
    _SCHEMAS = json.load(_f)

RELEASE = _SCHEMAS["release"]
KINDS = set(_SCHEMAS["kinds"])
_validators = {}


def _validator(kind):
    if kind not in _validators:
        schema = {"definitions": _SCHEMAS["definitions"],
                  "$ref": "#/definitions/" + _SCHEMAS["kinds"][kind]["definition"]}
        _validators[kind] = jsonschema.Draft4Validator(schema)
    return _validators[kind]


def validate(doc):
    """Errors of one object (empty: valid), or None for a kind without a schema here."""
    kind = doc.get("kind")
    if kind not in KINDS:
        return None
    where = f"{kind}/{doc.get('metadata', {}).get('name')}"
    errors = []
    want = _SCHEMAS["kinds"][kind]["apiVersion"]
    if doc.get("apiVersion") != want:
        errors.append(f"{where}: apiVersion {doc.get('apiVersion')!r}, Kubernetes {RELEASE} serves {want}")
    for err in sorted(_validator(kind).iter_errors(doc), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in err.absolute_path) or "(root)"
        errors.append(f"{where}: {path}: {err.message[:300]}")
    return errors


def validate_all(docs):
    """(errors, number of objects validated against a schema, kinds left to other checks)."""
    errors, checked, other = [], 0, set()
    for d in docs:
        found = validate(d)
        if found is None:
            other.add(d.get("kind"))
        else:
            checked += 1
            errors += found
    return errors, checked, other
