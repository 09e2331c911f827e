{{- define "rdns.name" -}}rdns-exporter{{- end -}}

{{- define "rdns.labels" -}}
app.kubernetes.io/name: rdns-exporter
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "rdns.selector" -}}
app.kubernetes.io/name: rdns-exporter
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "rdns.scheme" -}}{{ if .Values.tls.enabled }}HTTPS{{ else }}HTTP{{ end }}{{- end -}}

{{/* The exporter container; `ready` adds the readinessProbe (never for a sidecar). */}}
{{- define "rdns.container" -}}
{{- $ready := .ready -}}
{{- $ := .root -}}
- name: rdns-exporter
  image: "{{ $.Values.image.repository }}:{{ $.Values.image.tag | default $.Chart.AppVersion }}"
  imagePullPolicy: {{ $.Values.image.pullPolicy }}
  args:
    - --config.file=/etc/rdns_exporter/rdns_exporter.toml
    - --web.listen-address=:9781
    - --log.format={{ $.Values.logFormat }}
    - --storage.path=/var/lib/rdns_exporter
    {{- if eq $.Values.mode "sharded" }}
    - --shard=auto/{{ $.Values.shards.count }}
    {{- end }}
    {{- if $.Values.tls.enabled }}
    - --web.config.file=/etc/rdns_exporter-web/web_config.toml
    {{- end }}
    {{- range $.Values.extraArgs }}
    - {{ . | quote }}
    {{- end }}
  {{- if eq $.Values.mode "sharded" }}
  env:
    # The shard index is the pod ordinal, read from HOSTNAME = the pod name.
    - name: HOSTNAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
  {{- end }}
  ports:
    - name: metrics
      containerPort: 9781
      protocol: TCP
  {{- range $probe := list "startupProbe" "livenessProbe" "readinessProbe" }}
  {{- if or (ne $probe "readinessProbe") $ready }}
  {{ $probe }}:
    httpGet:
      path: {{ if eq $probe "readinessProbe" }}/-/ready{{ else }}/-/healthy{{ end }}
      port: metrics
      scheme: {{ include "rdns.scheme" $ }}
      {{- with $.Values.probes.httpHeaders }}
      httpHeaders: {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- if eq $probe "startupProbe" }}
    periodSeconds: 5
    failureThreshold: 24
    {{- else }}
    periodSeconds: {{ if eq $probe "livenessProbe" }}30{{ else }}10{{ end }}
    timeoutSeconds: 5
    {{- end }}
  {{- end }}
  {{- end }}
  resources: {{- toYaml $.Values.resources | nindent 4 }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    readOnlyRootFilesystem: true
    allowPrivilegeEscalation: false
    privileged: false
    capabilities:
      drop: [ALL]
    seccompProfile:
      type: RuntimeDefault
  volumeMounts:
    - name: rdns-exporter-config
      mountPath: /etc/rdns_exporter
      readOnly: true
    - name: rdns-exporter-state
      mountPath: /var/lib/rdns_exporter
    {{- if $.Values.tls.enabled }}
    - name: rdns-exporter-web-config
      mountPath: /etc/rdns_exporter-web
      readOnly: true
    - name: rdns-exporter-tls
      mountPath: /etc/rdns_exporter-tls
      readOnly: true
    {{- end }}
{{- end -}}

{{- define "rdns.volumes" -}}
- name: rdns-exporter-config
  configMap:
    name: {{ include "rdns.name" . }}-config
# Last results across container restarts (lives as long as the pod).
- name: rdns-exporter-state
  emptyDir: {sizeLimit: 64Mi}
{{- if .Values.tls.enabled }}
- name: rdns-exporter-web-config
  configMap:
    name: {{ include "rdns.name" . }}-web-config
- name: rdns-exporter-tls
  secret:
    secretName: {{ .Values.tls.secretName }}
{{- end }}
{{- end -}}

{{/* Rolls the pods when the config changes, like kustomize's hashed ConfigMap name. */}}
{{- define "rdns.checksum" -}}
checksum/config: {{ .Values.config | sha256sum }}
{{- end -}}
