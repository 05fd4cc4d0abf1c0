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

{{/*
The namespace of build pods and their Secrets, where the build Role lives: build.namespace, else
"<release namespace>-builds" (a namespace of its own, docs/operations.md).
*/}}
{{- define "dbops-delegate.buildNamespace" -}}
{{- if .Values.build.namespace }}
{{- .Values.build.namespace }}
{{- else }}
{{- printf "%s-builds" (default "default" .Release.Namespace) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Pods of the delegate (NetworkPolicyPeer): the release namespace and the delegate's selector labels. */}}
{{- define "dbops-delegate.delegatePeer" -}}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ .Release.Namespace }}
  podSelector:
    matchLabels:
      {{- include "dbops-delegate.selectorLabels" . | nindent 6 }}
{{- end }}

{{/* Build pods (NetworkPolicyPeer, podSelector): the labels the Kubernetes runtime puts on them (docs/kubernetes.md). */}}
{{- define "dbops-delegate.buildPodLabels" -}}
app.kubernetes.io/managed-by: dbops-delegate
dbops.io/part: pod
{{- end }}

{{/* Egress rules to networkPolicy.databases or .git items ({cidr, except, ports}). */}}
{{- define "dbops-delegate.targetEgress" -}}
{{- range . }}
- to:
    - ipBlock:
        cidr: {{ .cidr }}
        {{- with .except }}
        except:
          {{- toYaml . | nindent 10 }}
        {{- end }}
  ports:
    {{- range .ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end }}
{{- end }}

{{/* Egress rule to the control plane (the delegate's connection; the log service of build pods). */}}
{{- define "dbops-delegate.controlPlaneEgress" -}}
{{- $np := .Values.networkPolicy }}
{{- if or $np.controlPlane.cidrs $np.controlPlane.peers }}
- to:
    {{- range $np.controlPlane.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
    {{- with $np.controlPlane.peers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
{{- else }}
- ports:
{{- end }}
    {{- if $np.controlPlane.ports }}
    {{- range $np.controlPlane.ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
    {{- else }}
    - port: {{ include "dbops-delegate.controlPlanePort" . }}
      protocol: TCP
    {{- end }}
{{- end }}

{{/* Egress rule to the cluster DNS. */}}
{{- define "dbops-delegate.dnsEgress" -}}
- to:
    {{- toYaml .Values.networkPolicy.dns.peers | nindent 4 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
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
(docs/operations.md, the "secret sources" block), always limited to rbac.secretSources.resourceNames.
*/}}
{{- define "dbops-delegate.secretSourceRules" -}}
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames:
    {{- toYaml .Values.rbac.secretSources.resourceNames | nindent 4 }}
  verbs: ["get"]
{{- end }}

{{/* The port of the control plane URL: explicit, else 443 (https, or no URL yet) or 80 (http). */}}
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
{{- include "dbops-delegate.validateSecretSources" . }}
{{- include "dbops-delegate.validateBuildNamespace" . }}
{{- end }}

{{/*
kubernetes: secret sources: get on named Secrets only, never on the delegate's own token or Helm's
release Secrets (the delegate refuses those as sources anyway: DBOPS_TOKEN_SECRET_NAME).
*/}}
{{- define "dbops-delegate.validateSecretSources" -}}
{{- $ss := .Values.rbac.secretSources }}
{{- if and .Values.rbac.create $ss.enabled (not $ss.resourceNames) }}
{{- fail "rbac.secretSources.enabled is true but rbac.secretSources.resourceNames is empty: list the Secrets (in the release namespace) that kubernetes: secret sources may read, e.g. --set rbac.secretSources.resourceNames={orders-db}; the chart never grants get on every Secret of the namespace (that would include the delegate's own token). Or set rbac.secretSources.enabled=false" }}
{{- end }}
{{- $token := include "dbops-delegate.tokenSecretName" . }}
{{- range $ss.resourceNames }}
{{- if eq . $token }}
{{- fail (printf "rbac.secretSources.resourceNames names %s, the delegate's own token Secret: remove it (the delegate never reads its own token as a secret source)" .) }}
{{- end }}
{{- if hasPrefix "sh.helm.release.v1." . }}
{{- fail (printf "rbac.secretSources.resourceNames names %s, a Helm release Secret: remove it" .) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The build namespace: the chart creates it unless told it exists; it cannot create the release namespace. */}}
{{- define "dbops-delegate.validateBuildNamespace" -}}
{{- if and .Values.build.createNamespace (eq (include "dbops-delegate.buildNamespace" .) .Release.Namespace) }}
{{- fail (printf "build.namespace is the release namespace (%s) and build.createNamespace is true: set build.createNamespace=false (the namespace exists), or leave build.namespace empty for %s-builds" .Release.Namespace .Release.Namespace) }}
{{- end }}
{{- end }}

{{/*
The allowlists (contract F, docs/operations.md "Allowlists"): one comma-separated variable per
non-empty list; an empty list renders nothing (the delegate's default: deny).
allow.secretKubernetes defaults to rbac.secretSources.resourceNames when that Role is rendered.
*/}}
{{- define "dbops-delegate.allowEnv" -}}
{{- $a := .Values.allow }}
{{- $kubernetes := $a.secretKubernetes }}
{{- if and (not $kubernetes) .Values.rbac.create .Values.rbac.secretSources.enabled }}
{{- $kubernetes = .Values.rbac.secretSources.resourceNames }}
{{- end }}
{{- $lists := list
  (list "DBOPS_ALLOW_SECRET_ENV" $a.secretEnv)
  (list "DBOPS_ALLOW_SECRET_FILES" $a.secretFiles)
  (list "DBOPS_ALLOW_SECRET_KUBERNETES" $kubernetes)
  (list "DBOPS_ALLOW_HOSTS" $a.hosts)
  (list "DBOPS_ALLOW_GIT_URLS" $a.gitUrls)
  (list "DBOPS_ALLOW_JDBC_PROPERTIES" $a.jdbcProperties)
  (list "DBOPS_STEP_ALLOW_CHANGE_TYPES" $a.changeTypes) }}
{{- range $lists }}
{{- if index . 1 }}
- name: {{ index . 0 }}
  value: {{ join "," (index . 1) | quote }}
{{- end }}
{{- end }}
{{- with $a.h2Dir }}
- name: DBOPS_ALLOW_H2_DIR
  value: {{ . | quote }}
{{- end }}
{{- end }}
