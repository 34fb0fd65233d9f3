{{/*
Names, labels and the per-service building blocks. A "component" is one of the services; its values
live under the key given by tessera.componentKey (tenant, deviceRegistration, credentials,
provisioningNotification, httpAdapter, mqttAdapter).
*/}}

{{- define "tessera.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tessera.fullname" -}}
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

{{- define "tessera.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The registry services and the adapters, in a fixed order. */}}
{{- define "tessera.registryComponents" -}}
tenant device-registration credentials
{{- end }}

{{- define "tessera.enabledComponents" -}}
{{- $list := list "tenant" "device-registration" "credentials" }}
{{- if .Values.provisioningNotification.enabled }}{{ $list = append $list "provisioning-notification" }}{{ end }}
{{- if .Values.httpAdapter.enabled }}{{ $list = append $list "http-adapter" }}{{ end }}
{{- if .Values.mqttAdapter.enabled }}{{ $list = append $list "mqtt-adapter" }}{{ end }}
{{- join " " $list }}
{{- end }}

{{/* values key of a component: device-registration -> deviceRegistration */}}
{{- define "tessera.componentKey" -}}
{{- $keys := dict "tenant" "tenant" "device-registration" "deviceRegistration" "credentials" "credentials" "provisioning-notification" "provisioningNotification" "http-adapter" "httpAdapter" "mqtt-adapter" "mqttAdapter" }}
{{- required (printf "unknown component %s" .) (get $keys .) }}
{{- end }}

{{- define "tessera.isAdapter" -}}
{{- if hasSuffix "-adapter" . }}true{{ end }}
{{- end }}

{{/* The registry services: HTTP on 28080 (management API, probes, metrics) and AMQP. */}}
{{- define "tessera.isRegistry" -}}
{{- if has . (splitList " " (include "tessera.registryComponents" .)) }}true{{ end }}
{{- end }}

{{/* Metrics (/metrics): the registry services serve them on their HTTP port, published by their
Service as `http` (with managementApi.tls on their plain health port 8088, published as `metrics`
by their Service); provisioning-notification and the adapters on their health port 8088, published
(with metrics.serviceMonitor.enabled) as `metrics`: provisioning-notification by its own ClusterIP
Service, an adapter by a headless `<name>-metrics` Service, as its own Service faces devices and may
be a NodePort or LoadBalancer. (dict "root" $ "component" "tenant") */}}
{{- define "tessera.metricsServicePort" -}}
{{- ternary "http" "metrics" (and (eq (include "tessera.isRegistry" .component) "true") (not .root.Values.managementApi.tls.enabled)) }}
{{- end }}

{{/* The Service that publishes a component's metrics port. */}}
{{- define "tessera.metricsServiceName" -}}
{{- if include "tessera.isAdapter" .component }}
{{- printf "%s-metrics" (include "tessera.componentFullname" . | trunc 55 | trimSuffix "-") }}
{{- else }}
{{- include "tessera.componentFullname" . }}
{{- end }}
{{- end }}

{{/* Components that call the registry's (or the provisioning-notification service's) AMQP
endpoints as clients: the adapters, provisioning-notification (Tenant API) and, when that
service is deployed, device-registration (its deliver API). */}}
{{- define "tessera.isAmqpClient" -}}
{{- $c := .component }}
{{- if or (include "tessera.isAdapter" $c) (eq $c "provisioning-notification") (and (eq $c "device-registration") .root.Values.provisioningNotification.enabled) }}true{{ end }}
{{- end }}

{{/* Components that call the registry services' management API (TENANT_SERVICE_URL,
DEVICE_SERVICE_URL): device-registration and credentials. */}}
{{- define "tessera.isManagementClient" -}}
{{- if has .component (list "device-registration" "credentials") }}true{{ end }}
{{- end }}

{{/* The management API URL of a registry service: https on 28443 with managementApi.tls, else
http on 28080. (dict "root" $ "component" "tenant") */}}
{{- define "tessera.managementUrl" -}}
{{- $tls := .root.Values.managementApi.tls.enabled }}
{{- printf "%s://%s:%s" (ternary "https" "http" $tls) (include "tessera.serviceHost" .) (ternary "28443" "28080" $tls) }}
{{- end }}

{{/* (dict "root" $ "component" "tenant") */}}
{{- define "tessera.componentFullname" -}}
{{- printf "%s-%s" (include "tessera.fullname" .root | trunc 45 | trimSuffix "-") .component }}
{{- end }}

{{- define "tessera.labels" -}}
helm.sh/chart: {{ include "tessera.chart" . }}
app.kubernetes.io/name: {{ include "tessera.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tessera
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* (dict "root" $ "component" "tenant") */}}
{{- define "tessera.componentLabels" -}}
{{ include "tessera.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "tessera.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tessera.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "tessera.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tessera.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* (dict "root" $ "component" "tenant") */}}
{{- define "tessera.image" -}}
{{- $v := index .root.Values (include "tessera.componentKey" .component) }}
{{- $tag := default .root.Chart.AppVersion (default .root.Values.image.tag $v.image.tag) }}
{{- $repo := $v.image.repository }}
{{- if not $repo }}
{{- $repo = printf "%s/%s" .root.Values.image.repository .component }}
{{- if .root.Values.image.registry }}
{{- $repo = printf "%s/%s" .root.Values.image.registry $repo }}
{{- end }}
{{- end }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}

{{/* In-cluster address of a service (its Service's DNS name). */}}
{{- define "tessera.serviceHost" -}}
{{- printf "%s.%s.svc" (include "tessera.componentFullname" .) .root.Release.Namespace }}
{{- end }}

{{/* Secrets: an existing Secret, or the one this chart renders from inline values. */}}
{{- define "tessera.secret.management" -}}
{{- default (printf "%s-management" (include "tessera.fullname" .)) .Values.managementApi.existingSecret }}
{{- end }}
{{- define "tessera.secret.registryAmqp" -}}
{{- default (printf "%s-registry-amqp" (include "tessera.fullname" .)) .Values.registryAmqp.existingSecret }}
{{- end }}
{{- define "tessera.secret.provisioningNotification" -}}
{{- default (printf "%s-provisioning-notification" (include "tessera.fullname" .)) .Values.provisioningNotification.amqp.existingSecret }}
{{- end }}
{{- define "tessera.secret.kafka" -}}
{{- default (printf "%s-kafka" (include "tessera.fullname" .)) .Values.kafka.sasl.existingSecret }}
{{- end }}
{{- define "tessera.secret.amqpBroker" -}}
{{- default (printf "%s-amqp-broker" (include "tessera.fullname" .)) .Values.amqpBroker.existingSecret }}
{{- end }}
{{- define "tessera.secret.persistence" -}}
{{- $p := .Values.persistence }}
{{- $existing := ternary $p.postgres.existingSecret $p.mongodb.existingSecret (eq $p.driver "postgres") }}
{{- default (printf "%s-persistence" (include "tessera.fullname" .)) $existing }}
{{- end }}

{{/* The CA bundle processes trust (NODE_EXTRA_CA_CERTS): trustedCa, else for the AMQP clients
(adapters, provisioning-notification, device-registration calling it) the registry's AMQPS CA, and
for the management API's callers (device-registration, credentials; "example-data": the Job) its
HTTPS CA. Prints "secret-name key" or nothing. */}}
{{- define "tessera.trustedCa" -}}
{{- $root := .root }}
{{- if $root.Values.trustedCa.secretName }}
{{- printf "%s %s" $root.Values.trustedCa.secretName $root.Values.trustedCa.key }}
{{- else }}
{{- $cas := list }}
{{- if and (ne .component "example-data") (include "tessera.isAmqpClient" .) $root.Values.registryAmqp.tls.enabled }}
{{- $cas = append $cas $root.Values.registryAmqp.tls.secretName }}
{{- end }}
{{- if and (or (eq .component "example-data") (include "tessera.isManagementClient" .)) $root.Values.managementApi.tls.enabled }}
{{- $cas = append $cas $root.Values.managementApi.tls.secretName }}
{{- end }}
{{- with uniq $cas }}
{{- printf "%s ca.crt" (first .) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Stops rendering with one message per missing or contradictory value. */}}
{{- define "tessera.validate" -}}
{{- $v := .Values }}
{{- $problems := list }}
{{- if not $v.kafka.bootstrapServers }}
{{- $problems = append $problems "kafka.bootstrapServers is required: the registry change notifications that invalidate the adapters' caches travel over Kafka" }}
{{- end }}
{{- if and $v.kafka.sasl.mechanism (not $v.kafka.sasl.existingSecret) (not (and $v.kafka.sasl.username $v.kafka.sasl.password)) }}
{{- $problems = append $problems "kafka.sasl.mechanism needs kafka.sasl.existingSecret or kafka.sasl.username and kafka.sasl.password" }}
{{- end }}
{{- if and $v.amqpBroker.enabled (not $v.amqpBroker.existingSecret) (not $v.amqpBroker.url) }}
{{- $problems = append $problems "amqpBroker.enabled needs amqpBroker.existingSecret or amqpBroker.url" }}
{{- end }}
{{- if and (eq $v.messaging.defaultType "amqp") (not $v.amqpBroker.enabled) }}
{{- $problems = append $problems "messaging.defaultType=amqp needs amqpBroker.enabled" }}
{{- end }}
{{- if eq $v.persistence.driver "postgres" }}
{{- if not (or $v.persistence.postgres.existingSecret $v.persistence.postgres.url) }}
{{- $problems = append $problems "persistence.driver=postgres needs persistence.postgres.existingSecret or persistence.postgres.url" }}
{{- end }}
{{- else if not (or $v.persistence.mongodb.existingSecret $v.persistence.mongodb.uri) }}
{{- $problems = append $problems "persistence.driver=mongodb needs persistence.mongodb.existingSecret or persistence.mongodb.uri" }}
{{- end }}
{{- if not (or $v.managementApi.existingSecret (and $v.managementApi.users $v.managementApi.serviceUsername $v.managementApi.servicePassword)) }}
{{- $problems = append $problems "the management API needs managementApi.existingSecret or managementApi.users, serviceUsername and servicePassword" }}
{{- end }}
{{- if not (or $v.registryAmqp.existingSecret (and $v.registryAmqp.users $v.registryAmqp.adapterUsername $v.registryAmqp.adapterPassword)) }}
{{- $problems = append $problems "the registry AMQP endpoints need registryAmqp.existingSecret or registryAmqp.users, adapterUsername and adapterPassword" }}
{{- end }}
{{- if and $v.registryAmqp.tls.enabled (not $v.registryAmqp.tls.secretName) }}
{{- $problems = append $problems "registryAmqp.tls.enabled needs registryAmqp.tls.secretName" }}
{{- end }}
{{- if and $v.managementApi.tls.enabled (not $v.managementApi.tls.secretName) }}
{{- $problems = append $problems "managementApi.tls.enabled needs managementApi.tls.secretName" }}
{{- end }}
{{- if and $v.managementApi.tls.enabled $v.registryAmqp.tls.enabled $v.provisioningNotification.enabled (not $v.trustedCa.secretName) (ne $v.managementApi.tls.secretName $v.registryAmqp.tls.secretName) }}
{{- $problems = append $problems "managementApi.tls and registryAmqp.tls name different Secrets: device-registration calls both and Node trusts one CA file (NODE_EXTRA_CA_CERTS); set trustedCa to a bundle with both CAs, or use one Secret" }}
{{- end }}
{{- $kt := $v.kafka.tls }}
{{- if and (or $kt.secretName $kt.certKey $kt.keyKey (not $kt.rejectUnauthorized)) (not $kt.enabled) }}
{{- $problems = append $problems "kafka.tls.secretName, certKey, keyKey and rejectUnauthorized need kafka.tls.enabled" }}
{{- end }}
{{- if and (or $kt.certKey $kt.keyKey) (not (and $kt.certKey $kt.keyKey)) }}
{{- $problems = append $problems "kafka.tls.certKey and kafka.tls.keyKey go together (client certificate and key)" }}
{{- end }}
{{- if and $kt.certKey (not $kt.secretName) }}
{{- $problems = append $problems "kafka.tls.certKey needs kafka.tls.secretName" }}
{{- end }}
{{- range $key := list "httpAdapter" "mqttAdapter" }}
{{- $a := index $v $key }}
{{- if and $a.enabled $a.tls.enabled (not $a.tls.secretName) }}
{{- $problems = append $problems (printf "%s.tls.enabled needs %s.tls.secretName" $key $key) }}
{{- end }}
{{- if and $a.enabled (not $a.insecureEnabled) (not $a.tls.enabled) }}
{{- $problems = append $problems (printf "%s.insecureEnabled=false needs %s.tls.enabled" $key $key) }}
{{- end }}
{{- end }}
{{- $pn := $v.provisioningNotification }}
{{- if and $pn.enabled (not (or $pn.amqp.existingSecret (and $pn.amqp.users $pn.amqp.clientUsername $pn.amqp.clientPassword))) }}
{{- $problems = append $problems "the provisioning-notification service needs provisioningNotification.amqp.existingSecret or provisioningNotification.amqp.users, clientUsername and clientPassword (or provisioningNotification.enabled=false: notifications then stay pending)" }}
{{- end }}
{{- if and $v.metrics.serviceMonitor.enabled (not $v.telemetry.metrics.enabled) }}
{{- $problems = append $problems "metrics.serviceMonitor.enabled needs telemetry.metrics.enabled (METRICS_ENABLED): without it /metrics answers 404" }}
{{- end }}
{{- if and $v.exampleData.enabled (not $v.exampleData.password) }}
{{- $problems = append $problems "exampleData.enabled needs exampleData.password (the example device's password)" }}
{{- end }}
{{- if $problems }}
{{- fail (printf "\n  - %s" (join "\n  - " $problems)) }}
{{- end }}
{{- end }}
