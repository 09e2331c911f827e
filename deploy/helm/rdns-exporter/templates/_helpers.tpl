{{/* The chart name, or nameOverride. */}}
{{- define "rdns.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The release-scoped name of every object: fullnameOverride, else the release name when it
already contains the chart name, else <release>-<chart>. 52 characters at most, so suffixes
(-config, -shards, a StatefulSet's pod ordinal and controller hash) keep names under 63.
*/}}
{{- define "rdns.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "rdns.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "rdns.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rdns.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rdns.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "rdns.labels" -}}
helm.sh/chart: {{ include "rdns.chart" . }}
{{ include "rdns.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: rdns-exporter
{{- end -}}

{{/* The label that puts a pod behind this release's Service: every exporter pod of the
chart has it, and in sidecar mode the MTA pods must get it (NOTES.txt says so). */}}
{{- define "rdns.memberLabel" -}}
rdns-exporter.io/member: {{ include "rdns.fullname" . }}
{{- end -}}

{{- define "rdns.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "rdns.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "rdns.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- define "rdns.scheme" -}}{{ if .Values.tls.enabled }}https{{ else }}http{{ end }}{{- end -}}
{{- define "rdns.tlsSecretName" -}}{{ .Values.tls.secretName | default (printf "%s-tls" (include "rdns.fullname" .)) }}{{- end -}}
{{- define "rdns.webConfigEnabled" -}}{{ if or .Values.tls.enabled .Values.basicAuth.enabled }}true{{ end }}{{- end -}}

{{/* Config changes by reload (configReloader), else by rolling the pods. */}}
{{- define "rdns.reloaderEnabled" -}}
{{- if .Values.configReloader.enabled -}}true{{- end -}}
{{- end -}}

{{/* Where the reloader POSTs: over TLS as `localhost` (the certificate must name it). */}}
{{- define "rdns.reloadURL" -}}
{{- if .Values.tls.enabled -}}https://localhost:9781/-/reload{{- else -}}http://127.0.0.1:9781/-/reload{{- end -}}
{{- end -}}

{{/* Namespace of a monitoring object: its own value, else the release's. */}}
{{- define "rdns.namespaceOf" -}}{{ .namespace | default .root.Release.Namespace }}{{- end -}}

{{/* The exporter's probes. `probe`: liveness | readiness | startup. */}}
{{- define "rdns.probe" -}}
{{- $ := .root -}}
{{- $settings := index $.Values.probes .probe -}}
httpGet:
  path: {{ if eq .probe "readiness" }}/-/ready{{ else }}/-/healthy{{ end }}
  port: {{ .port }}
  scheme: {{ include "rdns.scheme" $ | upper }}
  {{- if $.Values.basicAuth.enabled }}
  httpHeaders:
    - name: Authorization
      value: {{ printf "Basic %s" (printf "%s:%s" $.Values.basicAuth.username $.Values.basicAuth.password | b64enc) | quote }}
  {{- end }}
{{ toYaml $settings }}
{{- end -}}

{{/* Values that cannot be expressed in values.schema.json. */}}
{{- define "rdns.validate" -}}
{{- if and .Values.serviceMonitor.enabled .Values.podMonitor.enabled -}}
{{- fail "serviceMonitor.enabled and podMonitor.enabled: choose one, or every exporter is scraped twice" -}}
{{- end -}}
{{- if and .Values.basicAuth.enabled (not .Values.basicAuth.password) -}}
{{- fail "basicAuth.enabled needs basicAuth.password (the probes, the reloader and the ServiceMonitor/PodMonitor log in with basicAuth.username)" -}}
{{- end -}}
{{- if and .Values.basicAuth.enabled (not (hasKey .Values.basicAuth.users .Values.basicAuth.username)) -}}
{{- fail "basicAuth.username must be one of basicAuth.users" -}}
{{- end -}}
{{- end -}}

{{/* storageClassName of a PVC: "" leaves it out (the default class), "-" sets it empty. */}}
{{- define "rdns.storageClass" -}}
{{- if eq .Values.persistence.storageClassName "-" -}}
storageClassName: ""
{{- else if .Values.persistence.storageClassName -}}
storageClassName: {{ .Values.persistence.storageClassName | quote }}
{{- end -}}
{{- end -}}

{{/* The exporter's --web.config.file (TOML; README "--web.config.file"). */}}
{{- define "rdns.webConfig" -}}
{{- if .Values.tls.enabled }}
[tls_server_config]
cert_file = "/etc/rdns_exporter-tls/tls.crt"
key_file = "/etc/rdns_exporter-tls/tls.key"
min_version = "TLS12"
{{- end }}
{{- if .Values.basicAuth.enabled }}

[basic_auth_users]
{{- range $user, $hash := .Values.basicAuth.users }}
{{ $user | quote }} = {{ $hash | quote }}
{{- end }}
{{- end }}
{{- end -}}
