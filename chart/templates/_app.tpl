{{/*
One Node service (api or tiles): Deployment running `cosmo <component> serve`. Called with
(dict "root" $ "component" "api"); the component's values are .Values.<component>.
*/}}
{{- define "cosmo.appDeployment" -}}
{{- $root := .root -}}
{{- $c := .component -}}
{{- $v := index $root.Values $c -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "cosmo.fullname" $root }}-{{ $c }}
  labels:
    {{- include "cosmo.componentLabels" . | nindent 4 }}
spec:
  {{- if not $v.autoscaling.enabled }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "cosmo.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 25%, maxUnavailable: 0 }
  template:
    metadata:
      labels:
        {{- include "cosmo.selectorLabels" . | nindent 8 }}
      annotations:
        # Roll the pods when the mounted config changes.
        checksum/config: {{ include (print $root.Template.BasePath "/configmap-config.yaml") $root | sha256sum }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- include "cosmo.pullSecrets" $root | nindent 6 }}
      serviceAccountName: {{ include "cosmo.fullname" $root }}-app
      automountServiceAccountToken: false
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      # Give in-flight requests time to finish after the endpoint is removed.
      terminationGracePeriodSeconds: 30
      containers:
        - name: {{ $c }}
          image: {{ include "cosmo.image" . | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ $c | quote }}, "serve", "--port", {{ $v.port | quote }}]
          ports:
            - name: http
              containerPort: {{ $v.port }}
              protocol: TCP
          env:
            - name: COSMO_CONFIG
              value: /etc/cosmo/config.yaml
            {{- include "cosmo.connectionEnv" $root | nindent 12 }}
            {{- with $root.Values.database.read.existingSecret }}
            # Reads go to the streaming replica (docs/api.md "Read replica"); the pipeline writes to DATABASE_URL.
            - name: DATABASE_READ_URL
              valueFrom:
                secretKeyRef:
                  name: {{ . }}
                  key: {{ $root.Values.database.read.urlKey }}
            {{- end }}
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "cosmo.envName" $root }}
          {{- include "cosmo.probes" . | nindent 10 }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          volumeMounts:
            {{- include "cosmo.appVolumeMounts" $root | nindent 12 }}
      volumes:
        {{- include "cosmo.appVolumes" $root | nindent 8 }}
      # Spread replicas over nodes when possible, so one node going down does not take a whole service.
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "cosmo.selectorLabels" . | nindent 14 }}
      {{- include "cosmo.scheduling" $v | nindent 6 }}
{{- end -}}

{{/* Service, HPA and PDB of one component: (dict "root" $ "component" "api"). */}}
{{- define "cosmo.service" -}}
{{- $v := index .root.Values .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "cosmo.fullname" .root }}-{{ .component }}
  labels:
    {{- include "cosmo.componentLabels" . | nindent 4 }}
spec:
  type: {{ .root.Values.service.type }}
  selector:
    {{- include "cosmo.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $v.port }}
      targetPort: http
      protocol: TCP
{{- end -}}

{{- define "cosmo.hpa" -}}
{{- $v := index .root.Values .component -}}
{{- if $v.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "cosmo.fullname" .root }}-{{ .component }}
  labels:
    {{- include "cosmo.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "cosmo.fullname" .root }}-{{ .component }}
  minReplicas: {{ $v.autoscaling.minReplicas }}
  maxReplicas: {{ $v.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $v.autoscaling.targetCPUUtilizationPercentage }}
  behavior:
    # Scale up at once on a peak; scale down only after the load has stayed low for the window, and gradually.
    scaleUp:
      stabilizationWindowSeconds: 0
      policies:
        - { type: Percent, value: 100, periodSeconds: 30 }
        - { type: Pods, value: 4, periodSeconds: 30 }
      selectPolicy: Max
    scaleDown:
      stabilizationWindowSeconds: {{ $v.autoscaling.scaleDownStabilizationSeconds }}
      policies:
        - { type: Percent, value: {{ $v.autoscaling.scaleDownPercentPerMinute }}, periodSeconds: 60 }
      selectPolicy: Min
{{- end }}
{{- end -}}

{{- define "cosmo.pdb" -}}
{{- $v := index .root.Values .component -}}
{{- if $v.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "cosmo.fullname" .root }}-{{ .component }}
  labels:
    {{- include "cosmo.componentLabels" . | nindent 4 }}
spec:
  minAvailable: {{ $v.pdb.minAvailable }}
  selector:
    matchLabels:
      {{- include "cosmo.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}
