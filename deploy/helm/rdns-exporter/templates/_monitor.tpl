{{/* The scrape endpoint of a ServiceMonitor or PodMonitor. `cfg`: its values; `port`. */}}
{{- define "rdns.scrapeEndpoint" -}}
{{- $ := .root -}}
- port: {{ .port }}
  path: /metrics
  interval: {{ .cfg.interval }}
  scrapeTimeout: {{ .cfg.scrapeTimeout }}
  honorLabels: {{ .cfg.honorLabels }}
  scheme: {{ include "rdns.scheme" $ }}
  {{- if $.Values.tls.enabled }}
  tlsConfig:
    ca:
      secret:
        name: {{ include "rdns.tlsSecretName" $ }}
        key: ca.crt
    serverName: {{ $.Values.tls.serverName | default (printf "%s.%s.svc" (include "rdns.fullname" $) $.Release.Namespace) }}
    insecureSkipVerify: {{ $.Values.tls.insecureSkipVerify }}
  {{- end }}
  {{- if $.Values.basicAuth.enabled }}
  basicAuth:
    username:
      name: {{ include "rdns.fullname" $ }}-basic-auth
      key: username
    password:
      name: {{ include "rdns.fullname" $ }}-basic-auth
      key: password
  {{- end }}
  {{- with .cfg.relabelings }}
  relabelings: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .cfg.metricRelabelings }}
  metricRelabelings: {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* metadata of a monitoring object. `cfg`: its values (namespace, labels, annotations). */}}
{{- define "rdns.monitorMetadata" -}}
{{- $ := .root -}}
name: {{ include "rdns.fullname" $ }}
namespace: {{ include "rdns.namespaceOf" (dict "namespace" .cfg.namespace "root" $) }}
labels:
  {{- include "rdns.labels" $ | nindent 2 }}
  {{- with .cfg.labels }}{{ toYaml . | nindent 2 }}{{ end }}
{{- with .cfg.annotations }}
annotations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
