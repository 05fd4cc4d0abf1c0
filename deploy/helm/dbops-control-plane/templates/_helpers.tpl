{{/*
Names and labels.
*/}}
{{- define "dbops-control-plane.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dbops-control-plane.fullname" -}}
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

{{- define "dbops-control-plane.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dbops-control-plane.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: control-plane
{{- end }}

{{- define "dbops-control-plane.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "dbops-control-plane.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: dbops
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "dbops-control-plane.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dbops-control-plane.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "dbops-control-plane.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* https when the pod serves TLS itself (tls.secretName), else http (TLS terminated in front). */}}
{{- define "dbops-control-plane.scheme" -}}
{{- if .Values.tls.secretName }}https{{ else }}http{{ end }}
{{- end }}

{{/* DBOPS_PUBLIC_URL: explicit, else this release's Service. */}}
{{- define "dbops-control-plane.publicUrl" -}}
{{- if .Values.server.publicUrl }}
{{- .Values.server.publicUrl }}
{{- else }}
{{- printf "%s://%s.%s.svc:%v" (include "dbops-control-plane.scheme" .) (include "dbops-control-plane.fullname" .) .Release.Namespace .Values.service.port }}
{{- end }}
{{- end }}

{{/* The port of database.url (jdbc:postgresql://host[:port]/db): explicit, else 5432. */}}
{{- define "dbops-control-plane.databasePort" -}}
{{- $url := urlParse (trimPrefix "jdbc:" .Values.database.url) }}
{{- $parts := splitList ":" $url.host }}
{{- if gt (len $parts) 1 }}
{{- last $parts }}
{{- else -}}
5432
{{- end }}
{{- end }}

{{/* The port of oidc.issuer: the URL's own, else 443 (https) or 80 (http). */}}
{{- define "dbops-control-plane.issuerPort" -}}
{{- $url := urlParse .Values.oidc.issuer }}
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
One egress rule of the NetworkPolicy: to the given CIDRs and peers (any address when both are
empty), on the given ports. Arguments: (dict "cidrs" .. "peers" .. "ports" ..).
*/}}
{{- define "dbops-control-plane.egressRule" -}}
{{- if or .cidrs .peers }}
- to:
    {{- range .cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
    {{- with .peers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
{{- else }}
- ports:
{{- end }}
    {{- range .ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end }}

{{- define "dbops-control-plane.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else }}
{{- printf "%s-database" (include "dbops-control-plane.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "dbops-control-plane.masterKeySecretName" -}}
{{- if .Values.masterKey.existingSecret }}
{{- .Values.masterKey.existingSecret }}
{{- else }}
{{- printf "%s-master-key" (include "dbops-control-plane.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Settings that only make sense together; each failure names the values to change. */}}
{{- define "dbops-control-plane.validate" -}}
{{- if and .Values.database.password .Values.database.existingSecret }}
{{- fail "database: set database.password or database.existingSecret, not both" }}
{{- end }}
{{- if and .Values.masterKey.value .Values.masterKey.existingSecret }}
{{- fail "masterKey: set masterKey.value or masterKey.existingSecret, not both" }}
{{- end }}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.database.url) }}
{{- fail (printf "replicaCount is %v but database.url is not set: replicas share work only through one PostgreSQL database (jdbc:postgresql://host:5432/dbops); without it each replica has its own embedded H2 file" .Values.replicaCount) }}
{{- end }}
{{- if and (not .Values.tls.secretName) (not .Values.tls.terminatedUpstream) }}
{{- fail "tls.secretName is required: the control plane serves its management API over TLS only. Set tls.secretName to a Secret with the PEM certificate chain and key (tls.crt, tls.key; e.g. from cert-manager), or, if TLS terminates in front of the pod (ingress, service mesh, load balancer), set tls.terminatedUpstream=true" }}
{{- end }}
{{- if and .Values.tls.secretName .Values.tls.terminatedUpstream }}
{{- fail "tls: set tls.secretName (the pod serves TLS) or tls.terminatedUpstream=true (TLS ends in front of it), not both" }}
{{- end }}
{{- if and .Values.oidc.issuer (or (not .Values.oidc.clientId) (not .Values.oidc.roleMap)) }}
{{- fail "oidc.issuer is set: oidc.clientId (the client registered for dbops at the provider) and oidc.roleMap (GROUP=ROLE entries, e.g. [\"dba=approver\", \"dev=deployer\"]) are required too" }}
{{- end }}
{{- if and (not .Values.oidc.issuer) (or .Values.oidc.clientId .Values.oidc.existingSecret .Values.oidc.roleMap) }}
{{- fail "oidc.clientId, oidc.existingSecret or oidc.roleMap is set but oidc.issuer is not: set oidc.issuer (the OpenID provider's issuer URL)" }}
{{- end }}
{{- if and (not .Values.database.url) (or .Values.database.user .Values.database.password .Values.database.existingSecret) }}
{{- fail "database.user, database.password or database.existingSecret is set but database.url is not: set database.url (jdbc:postgresql://host:5432/dbops)" }}
{{- end }}
{{- end }}
