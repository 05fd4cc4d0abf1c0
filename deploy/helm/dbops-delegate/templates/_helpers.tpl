{{/*
Names and labels.
*/}}
{{- define "dbops-delegate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dbops-delegate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "dbops-delegate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dbops-delegate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: delegate
{{- end }}

{{- define "dbops-delegate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "dbops-delegate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: dbops
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "dbops-delegate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dbops-delegate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The delegate's image; build pods use it too unless build.image is set. */}}
{{- define "dbops-delegate.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* DBOPS_DELEGATE_NAME: replicas (and releases) with one name share the work. */}}
{{- define "dbops-delegate.delegateName" -}}
{{- default (include "dbops-delegate.fullname" .) .Values.delegate.name }}
{{- end }}

{{/* The namespace of build pods and their Secrets, where the Role lives. */}}
{{- define "dbops-delegate.buildNamespace" -}}
{{- default .Release.Namespace .Values.build.namespace }}
{{- end }}

{{- define "dbops-delegate.tokenSecretName" -}}
{{- if .Values.token.existingSecret }}
{{- .Values.token.existingSecret }}
{{- else }}
{{- printf "%s-token" (include "dbops-delegate.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "dbops-delegate.tokenSecretKey" -}}
{{- if .Values.token.existingSecret }}
{{- .Values.token.existingSecretKey }}
{{- else -}}
token
{{- end }}
{{- end }}

{{/*
The documented minimum (docs/operations.md, docs/kubernetes.md): everything the delegate's Kubernetes
runtime does in the build namespace, and nothing more. Defined here once; the Role renders exactly this
list, deploy-tests compares it with the documentation and the agent's KubernetesRbacIT compares the
documentation with the API calls the code makes. No wildcards.
*/}}
{{- define "dbops-delegate.buildNamespaceRules" -}}
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["create", "list", "watch", "patch", "delete"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create", "list", "patch", "delete"]
{{- end }}

{{/*
kubernetes:SECRET/KEY secret sources: one get of the named Secret in the delegate's own namespace
(docs/operations.md, the "secret sources" block), optionally limited to rbac.secretSources.resourceNames.
*/}}
{{- define "dbops-delegate.secretSourceRules" -}}
- apiGroups: [""]
  resources: ["secrets"]
  {{- with .Values.rbac.secretSources.resourceNames }}
  resourceNames:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  verbs: ["get"]
{{- end }}

{{/* The port of the control plane URL: explicit, else 443 (https) or 80 (http). */}}
{{- define "dbops-delegate.controlPlanePort" -}}
{{- $url := urlParse .Values.controlPlane.url }}
{{- $parts := splitList ":" $url.host }}
{{- if gt (len $parts) 1 }}
{{- last $parts }}
{{- else if eq $url.scheme "http" -}}
80
{{- else -}}
443
{{- end }}
{{- end }}

{{/*
Settings that only make sense together; each failure names the values to change.
*/}}
{{- define "dbops-delegate.validate" -}}
{{- if and .Values.token.value .Values.token.existingSecret }}
{{- fail "token: set token.value or token.existingSecret, not both" }}
{{- end }}
{{- if and .Values.tls.caBundle.configMap .Values.tls.caBundle.secret }}
{{- fail "tls.caBundle: set configMap or secret, not both" }}
{{- end }}
{{- if and (hasPrefix "http://" .Values.controlPlane.url) (not .Values.controlPlane.allowInsecure) }}
{{- fail (printf "controlPlane.url is plain http (%s): use https://, or set controlPlane.allowInsecure=true to allow an unencrypted connection" .Values.controlPlane.url) }}
{{- end }}
{{- if .Values.networkPolicy.enabled }}
{{- if not .Values.networkPolicy.kubernetesApi.cidrs }}
{{- fail "networkPolicy.kubernetesApi.cidrs is required when networkPolicy.enabled: the API server's addresses (kubectl get endpoints kubernetes), e.g. [\"10.0.0.1/32\"]" }}
{{- end }}
{{- if not (or .Values.networkPolicy.controlPlane.cidrs .Values.networkPolicy.controlPlane.peers) }}
{{- fail "networkPolicy.controlPlane.cidrs or .peers is required when networkPolicy.enabled: where the control plane is" }}
{{- end }}
{{- if and (not .Values.networkPolicy.controlPlane.ports) (not .Values.controlPlane.url) }}
{{- fail "networkPolicy.controlPlane.ports is required when networkPolicy.enabled and controlPlane.url is not set" }}
{{- end }}
{{- end }}
{{- end }}
