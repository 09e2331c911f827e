#!/usr/bin/python3
"""Writes definitions.json here: the JSON schemas of the Kubernetes API kinds our manifests use,
taken once from a Kubernetes OpenAPI v2 document (swagger.json of a release) and pruned to what
those kinds reference. Tests validate offline against the result; run this only to move to
another Kubernetes release.

Strict like `kubeconform -strict`: an object with declared properties admits no others (a
misspelt field is an error), int-or-string fields take either, quantities a string or number.

Custom resources (ServiceMonitor, PodMonitor, PrometheusRule) come from their
CustomResourceDefinitions' openAPIV3Schema, made strict the same way (a field marked
x-kubernetes-preserve-unknown-fields stays open).

Usage: make_schemas.py SWAGGER_JSON RELEASE [CRD_YAML...]
  e.g. make_schemas.py swagger.json v1.36 crd-servicemonitors.yaml crd-podmonitors.yaml crd-prometheusrules.yaml
  (the kubernetes-client/python repository carries the release's spec as
  kubernetes/swagger.json.unprocessed; kubernetes/kubernetes as api/openapi-spec/swagger.json;
  prometheus-operator's CRDs are in its example/prometheus-operator-crd/ and in the
  kube-prometheus-stack chart's charts/crds/crds/)
"""
import json
import os
import sys

import yaml

KINDS = {  # kind -> (apiVersion, definition)
    "ConfigMap": ("v1", "io.k8s.api.core.v1.ConfigMap"),
    "Secret": ("v1", "io.k8s.api.core.v1.Secret"),
    "Service": ("v1", "io.k8s.api.core.v1.Service"),
    "ServiceAccount": ("v1", "io.k8s.api.core.v1.ServiceAccount"),
    "PersistentVolumeClaim": ("v1", "io.k8s.api.core.v1.PersistentVolumeClaim"),
    "Deployment": ("apps/v1", "io.k8s.api.apps.v1.Deployment"),
    "StatefulSet": ("apps/v1", "io.k8s.api.apps.v1.StatefulSet"),
    "PodDisruptionBudget": ("policy/v1", "io.k8s.api.policy.v1.PodDisruptionBudget"),
    "NetworkPolicy": ("networking.k8s.io/v1", "io.k8s.api.networking.v1.NetworkPolicy"),
    "PodTemplate": ("v1", "io.k8s.api.core.v1.PodTemplate"),
}
PREFIX = "#/definitions/"


def convert(node):
    if isinstance(node, list):
        return [convert(v) for v in node]
    if not isinstance(node, dict):
        return node
    if node.get("format") == "int-or-string" or node.get("x-kubernetes-int-or-string"):
        return {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    out = {}
    for k, v in node.items():
        if k == "properties":  # names of fields, kept whatever they are called
            out[k] = {name: convert(schema) for name, schema in v.items()}
        elif k != "description" and not k.startswith("x-kubernetes-"):
            out[k] = convert(v)
    if "properties" in out and "additionalProperties" not in out and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"][len(PREFIX):]
        for v in node.values():
            yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def main():
    swagger, release = sys.argv[1], sys.argv[2]
    with open(swagger) as f:
        defs = json.load(f)["definitions"]
    keep, todo = {}, [d for _, d in KINDS.values()]
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep[name] = convert(defs[name])
        todo += list(refs(defs[name]))
    kinds = {k: {"apiVersion": a, "definition": d} for k, (a, d) in KINDS.items()}
    for path in sys.argv[3:]:
        with open(path) as f:
            crd = next(d for d in yaml.safe_load_all(f) if d and d.get("kind") == "CustomResourceDefinition")
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
        name = f"{group}.{version['name']}.{kind}"
        keep[name] = convert(version["schema"]["openAPIV3Schema"])
        kinds[kind] = {"apiVersion": f"{group}/{version['name']}", "definition": name,
                       "source": crd["metadata"]["annotations"].get("operator.prometheus.io/version", "")}
    # The API server fills these in; in a manifest they are plain strings or numbers.
    keep["io.k8s.apimachinery.pkg.api.resource.Quantity"] = {"oneOf": [{"type": "string"}, {"type": "number"}]}
    out = {"release": release, "source": os.path.basename(swagger),
           "kinds": kinds,
           "definitions": dict(sorted(keep.items()))}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "definitions.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"{len(keep)} definitions for {len(kinds)} kinds of Kubernetes {release} and its CRDs")


if __name__ == "__main__":
    main()
