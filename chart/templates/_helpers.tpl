{{/* Names, labels and the shared pod pieces every workload uses. */}}

{{- define "cosmo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cosmo.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "cosmo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "cosmo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cosmo
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "api"). */}}
{{- define "cosmo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cosmo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "cosmo.componentLabels" -}}
{{ include "cosmo.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Image reference of one component: (dict "root" $ "component" "api"). */}}
{{- define "cosmo.image" -}}
{{- $v := .root.Values -}}
{{- $repo := required (printf "images.%s is required" .component) (index $v.images .component) -}}
{{- $tag := default .root.Chart.AppVersion $v.image.tag -}}
{{- if $v.image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $v.image.registry) $repo $tag -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{- define "cosmo.configName" -}}{{ include "cosmo.fullname" . }}-config{{- end -}}
{{- define "cosmo.envName" -}}{{ include "cosmo.fullname" . }}-env{{- end -}}
{{- define "cosmo.nginxName" -}}{{ include "cosmo.fullname" . }}-nginx{{- end -}}
{{- define "cosmo.postgisName" -}}{{ include "cosmo.fullname" . }}-postgis{{- end -}}
{{- define "cosmo.minioName" -}}{{ include "cosmo.fullname" . }}-minio{{- end -}}

{{/* The S3 endpoint URL the app uses: the in-chart MinIO Service, else storage.endpoint (required). */}}
{{- define "cosmo.s3Endpoint" -}}
{{- if .Values.minio.enabled -}}
{{- printf "http://%s:9000" (include "cosmo.minioName" .) -}}
{{- else -}}
{{- required "storage.endpoint is required (or set minio.enabled=true)" .Values.storage.endpoint -}}
{{- end -}}
{{- end -}}

{{- define "cosmo.storageSecret" -}}
{{- required "storage.existingSecret is required: a Secret with the S3 access and secret keys (never put keys in values)" .Values.storage.existingSecret -}}
{{- end -}}

{{/*
Env vars carrying connection settings; secrets are secretKeyRefs, never values. DATABASE_URL for the in-chart
PostGIS is assembled with Kubernetes' $(VAR) expansion from the password reference that precedes it.
*/}}
{{- define "cosmo.connectionEnv" -}}
{{- if .Values.postgis.enabled }}
- name: COSMO_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "postgis.existingSecret is required when postgis.enabled (a Secret with the database password)" .Values.postgis.existingSecret }}
      key: {{ .Values.postgis.passwordKey }}
- name: DATABASE_URL
  value: {{ printf "postgresql://%s:$(COSMO_DB_PASSWORD)@%s:5432/%s" .Values.postgis.username (include "cosmo.postgisName" .) .Values.postgis.database | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret is required: a Secret with the PostgreSQL URL (or set postgis.enabled=true)" .Values.database.existingSecret }}
      key: {{ .Values.database.urlKey }}
{{- end }}
- name: S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "cosmo.storageSecret" . }}
      key: {{ .Values.storage.accessKeyKey }}
- name: S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "cosmo.storageSecret" . }}
      key: {{ .Values.storage.secretKeyKey }}
{{- end -}}

{{/* Config volume + the writable /tmp a read-only root filesystem needs (tsx compile cache, temp files). */}}
{{- define "cosmo.appVolumes" -}}
- name: config
  configMap:
    name: {{ include "cosmo.configName" . }}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "cosmo.appVolumeMounts" -}}
- name: config
  mountPath: /etc/cosmo
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Probes on the service's own /healthz (alive) and /readyz (database reachable, dataset served). */}}
{{- define "cosmo.probes" -}}
startupProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 2
  failureThreshold: 30
livenessProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /readyz, port: http }
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}

{{/* Scheduling keys of one component's values. */}}
{{- define "cosmo.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "cosmo.pullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}
