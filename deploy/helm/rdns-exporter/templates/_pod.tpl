{{/*
The exporter container. `sidecar`: the container users add to their MTA pod (NOTES.txt):
port name rdns-metrics (their pod has its own ports), only a livenessProbe, so the MTA pod's
readiness never waits for or depends on the exporter's.
*/}}
{{- define "rdns.container" -}}
{{- $ := .root -}}
{{- $port := ternary "rdns-metrics" "metrics" .sidecar -}}
- name: rdns-exporter
  image: {{ include "rdns.image" $ }}
  imagePullPolicy: {{ $.Values.image.pullPolicy }}
  args:
    - --config.file=/etc/rdns_exporter/rdns_exporter.toml
    - --web.listen-address=:9781
    - --log.level={{ $.Values.logLevel }}
    - --log.format={{ $.Values.logFormat }}
    - --storage.path=/var/lib/rdns_exporter
    {{- if eq $.Values.mode "sharded" }}
    - --shard=auto/{{ $.Values.shards.count }}
    {{- end }}
    {{- if include "rdns.webConfigEnabled" $ }}
    - --web.config.file=/etc/rdns_exporter-web/web_config.toml
    {{- end }}
    {{- range $.Values.extraArgs }}
    - {{ . | quote }}
    {{- end }}
  {{- if or (eq $.Values.mode "sharded") $.Values.extraEnv }}
  env:
    {{- if eq $.Values.mode "sharded" }}
    # The shard index is the pod ordinal, read from HOSTNAME = the pod name.
    - name: HOSTNAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    {{- end }}
    {{- with $.Values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  ports:
    - name: {{ $port }}
      containerPort: 9781
      protocol: TCP
  {{- if .sidecar }}
  # No startupProbe and no readinessProbe: a pod is Ready only when all its containers are.
  livenessProbe:
    {{- include "rdns.probe" (dict "root" $ "probe" "liveness" "port" $port) | nindent 4 }}
    initialDelaySeconds: 30
  {{- else }}
  startupProbe:
    {{- include "rdns.probe" (dict "root" $ "probe" "startup" "port" $port) | nindent 4 }}
  livenessProbe:
    {{- include "rdns.probe" (dict "root" $ "probe" "liveness" "port" $port) | nindent 4 }}
  readinessProbe:
    {{- include "rdns.probe" (dict "root" $ "probe" "readiness" "port" $port) | nindent 4 }}
  {{- end }}
  resources: {{- toYaml $.Values.resources | nindent 4 }}
  securityContext: {{- toYaml $.Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: rdns-exporter-config
      mountPath: /etc/rdns_exporter
      readOnly: true
    - name: rdns-exporter-state
      mountPath: /var/lib/rdns_exporter
    {{- if include "rdns.webConfigEnabled" $ }}
    - name: rdns-exporter-web-config
      mountPath: /etc/rdns_exporter-web
      readOnly: true
    {{- end }}
    {{- if $.Values.tls.enabled }}
    - name: rdns-exporter-tls
      mountPath: /etc/rdns_exporter-tls
      readOnly: true
    {{- end }}
    {{- with $.Values.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}

{{/* The config reloader: POST /-/reload when the kubelet updates the mounted ConfigMap. */}}
{{- define "rdns.reloader" -}}
{{- $ := .root -}}
- name: rdns-exporter-reloader
  image: "{{ $.Values.configReloader.image.repository }}:{{ $.Values.configReloader.image.tag }}"
  imagePullPolicy: {{ $.Values.configReloader.image.pullPolicy }}
  args:
    - --volume-dir=/etc/rdns_exporter
    {{- if $.Values.basicAuth.enabled }}
    # Go's HTTP client logs in with the URL's user and password (kept in the chart's Secret).
    - --webhook-url=$(RELOAD_URL)
    {{- else }}
    - --webhook-url={{ include "rdns.reloadURL" $ }}
    {{- end }}
    - --webhook-method=POST
    - --web.listen-address=127.0.0.1:9533
  {{- if or $.Values.basicAuth.enabled $.Values.tls.enabled }}
  env:
    {{- if $.Values.basicAuth.enabled }}
    - name: RELOAD_URL
      valueFrom:
        secretKeyRef:
          name: {{ include "rdns.fullname" $ }}-basic-auth
          key: reload-url
    {{- end }}
    {{- if $.Values.tls.enabled }}
    # Go's TLS client trusts this CA file: the exporter's certificate must name `localhost`.
    - name: SSL_CERT_FILE
      value: /etc/rdns_exporter-tls/ca.crt
    {{- end }}
  {{- end }}
  resources: {{- toYaml $.Values.configReloader.resources | nindent 4 }}
  securityContext: {{- toYaml $.Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: rdns-exporter-config
      mountPath: /etc/rdns_exporter
      readOnly: true
    {{- if $.Values.tls.enabled }}
    - name: rdns-exporter-tls
      mountPath: /etc/rdns_exporter-tls
      readOnly: true
    {{- end }}
{{- end -}}

{{/* Volumes of the exporter pod; the state volume only where it is no PVC template. */}}
{{- define "rdns.volumes" -}}
{{- $ := .root -}}
- name: rdns-exporter-config
  configMap:
    name: {{ include "rdns.fullname" $ }}-config
{{- if .state }}
- name: rdns-exporter-state
  {{- if and $.Values.persistence.enabled (eq $.Values.mode "standalone") }}
  persistentVolumeClaim:
    claimName: {{ $.Values.persistence.existingClaim | default (printf "%s-state" (include "rdns.fullname" $)) }}
  {{- else }}
  # Last results across container restarts only (an emptyDir lives as long as the pod).
  emptyDir: {sizeLimit: 64Mi}
  {{- end }}
{{- end }}
{{- if include "rdns.webConfigEnabled" $ }}
- name: rdns-exporter-web-config
  secret:
    secretName: {{ include "rdns.fullname" $ }}-web-config
{{- end }}
{{- if $.Values.tls.enabled }}
- name: rdns-exporter-tls
  secret:
    secretName: {{ include "rdns.tlsSecretName" $ }}
{{- end }}
{{- with $.Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The pod template of the standalone Deployment and the sharded StatefulSet. */}}
{{- define "rdns.podTemplate" -}}
{{- $ := .root -}}
metadata:
  labels:
    {{- include "rdns.selectorLabels" $ | nindent 4 }}
    {{- include "rdns.memberLabel" $ | nindent 4 }}
    {{- with $.Values.podLabels }}{{ toYaml . | nindent 4 }}{{ end }}
  {{- $annotations := dict }}
  {{- if not (include "rdns.reloaderEnabled" $) }}
  {{- /* No config reloader: a config change rolls the pods. */}}
  {{- $_ := set $annotations "checksum/config" ($.Values.config | sha256sum) }}
  {{- end }}
  {{- if include "rdns.webConfigEnabled" $ }}
  {{- /* TLS settings take a restart to change (users and certificates do not). */}}
  {{- $_ := set $annotations "checksum/web-config" (include "rdns.webConfig" $ | sha256sum) }}
  {{- end }}
  {{- $annotations = merge $annotations $.Values.podAnnotations }}
  {{- with $annotations }}
  annotations: {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "rdns.serviceAccountName" $ }}
  automountServiceAccountToken: {{ $.Values.serviceAccount.automountServiceAccountToken }}
  {{- with $.Values.imagePullSecrets }}
  imagePullSecrets: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $.Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext: {{- toYaml $.Values.podSecurityContext | nindent 4 }}
  containers:
    {{- include "rdns.container" (dict "root" $ "sidecar" false) | nindent 4 }}
    {{- if include "rdns.reloaderEnabled" $ }}
    {{- include "rdns.reloader" (dict "root" $) | nindent 4 }}
    {{- end }}
  volumes:
    {{- include "rdns.volumes" (dict "root" $ "state" (not (and $.Values.persistence.enabled (eq $.Values.mode "sharded")))) | nindent 4 }}
  {{- with $.Values.nodeSelector }}
  nodeSelector: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $.Values.tolerations }}
  tolerations: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $.Values.affinity }}
  affinity: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $.Values.topologySpreadConstraints }}
  topologySpreadConstraints: {{- tpl (toYaml .) $ | nindent 4 }}
  {{- end }}
{{- end -}}
