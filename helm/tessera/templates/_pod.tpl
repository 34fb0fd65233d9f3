{{/*
Environment, volumes and ports of one component: (dict "root" $ "component" "tenant").
Secrets reach the processes as files (`<NAME>_FILE`, read by @tessera/config); only user names
come from secretKeyRef. Every variable here must be known to the service's config schema:
tools/helm/helm-chart.spec.ts loads the rendered environment with the services' own definitions.
*/}}

{{- define "tessera.secretsDir" -}}/etc/tessera/secrets{{- end }}
{{- define "tessera.tlsDir" -}}/etc/tessera/tls{{- end }}
{{- define "tessera.managementTlsDir" -}}/etc/tessera/management-tls{{- end }}
{{- define "tessera.kafkaTlsDir" -}}/etc/tessera/kafka-tls{{- end }}
{{- define "tessera.caFile" -}}/etc/tessera/ca/ca.crt{{- end }}

{{/* Container ports as "name:port" words. */}}
{{- define "tessera.containerPorts" -}}
{{- $v := .root.Values }}
{{- if eq .component "http-adapter" }}
{{- if $v.httpAdapter.insecureEnabled }}http:8080 {{ end }}
{{- if $v.httpAdapter.tls.enabled }}https:8443 {{ end }}health:8088
{{- else if eq .component "mqtt-adapter" }}
{{- if $v.mqttAdapter.insecureEnabled }}mqtt:1883 {{ end }}
{{- if $v.mqttAdapter.tls.enabled }}mqtts:8883 {{ end }}health:8088
{{- else if eq .component "provisioning-notification" }}
{{- include "tessera.amqpPort" .root }} health:8088
{{- else if $v.managementApi.tls.enabled }}https:28443 health:8088 {{ include "tessera.amqpPort" .root }}
{{- else }}http:28080 {{ include "tessera.amqpPort" .root }}
{{- end }}
{{- end }}

{{- define "tessera.amqpPort" -}}
{{- if .Values.registryAmqp.tls.enabled }}amqps:5671{{ else }}amqp:5672{{ end }}
{{- end }}

{{/* The AMQP URL of a registry service or of provisioning-notification (same port and TLS):
(dict "root" $ "component" "tenant") */}}
{{- define "tessera.amqpUrl" -}}
{{- $tls := .root.Values.registryAmqp.tls.enabled }}
{{- printf "%s://%s:%s" (ternary "amqps" "amqp" $tls) (include "tessera.serviceHost" .) (ternary "5671" "5672" $tls) }}
{{- end }}

{{- define "tessera.env" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $c := .component }}
{{- $secrets := include "tessera.secretsDir" . }}
{{- $tls := include "tessera.tlsDir" . }}
{{- $brokers := $v.kafka.bootstrapServers }}
- name: KAFKA_BROKERS
  value: {{ (kindIs "slice" $brokers | ternary (join "," $brokers) $brokers) | quote }}
- name: KAFKA_CLIENT_ID
  value: {{ printf "tessera-%s" $c | quote }}
{{- $kt := $v.kafka.tls }}
{{- if $kt.enabled }}
- name: KAFKA_TLS
  value: "true"
{{- if not $kt.rejectUnauthorized }}
- name: KAFKA_TLS_REJECT_UNAUTHORIZED
  value: "false"
{{- end }}
{{- if and $kt.secretName $kt.caKey }}
- name: KAFKA_TLS_CA_FILE
  value: {{ include "tessera.kafkaTlsDir" . }}/ca.crt
{{- end }}
{{- if and $kt.secretName $kt.certKey }}
- name: KAFKA_TLS_CERT_FILE
  value: {{ include "tessera.kafkaTlsDir" . }}/tls.crt
- name: KAFKA_TLS_KEY_FILE
  value: {{ include "tessera.kafkaTlsDir" . }}/tls.key
{{- end }}
{{- end }}
{{- if $v.kafka.sasl.mechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "tessera.secret.kafka" $root }}
      key: {{ $v.kafka.sasl.usernameKey }}
- name: KAFKA_SASL_PASSWORD_FILE
  value: {{ $secrets }}/kafka/password
{{- end }}
- name: OTEL_TRACES_EXPORTER
  value: {{ $v.telemetry.tracesExporter | quote }}
{{- with $v.telemetry.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ $v.telemetry.samplerRatio | toString | quote }}
- name: METRICS_ENABLED
  value: {{ $v.telemetry.metrics.enabled | toString | quote }}
{{- if include "tessera.trustedCa" . }}
- name: NODE_EXTRA_CA_CERTS
  value: {{ include "tessera.caFile" . }}
{{- end }}
{{- if include "tessera.isAdapter" $c }}
{{- /* protocol adapters */}}
- name: TENANT_AMQP_URL
  value: {{ include "tessera.amqpUrl" (dict "root" $root "component" "tenant") | quote }}
- name: REGISTRATION_AMQP_URL
  value: {{ include "tessera.amqpUrl" (dict "root" $root "component" "device-registration") | quote }}
- name: CREDENTIALS_AMQP_URL
  value: {{ include "tessera.amqpUrl" (dict "root" $root "component" "credentials") | quote }}
- name: REGISTRY_AMQP_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "tessera.secret.registryAmqp" $root }}
      key: {{ $v.registryAmqp.adapterUsernameKey }}
- name: REGISTRY_AMQP_PASSWORD_FILE
  value: {{ $secrets }}/registry-amqp/adapter-password
{{- if $v.amqpBroker.enabled }}
- name: DOWNSTREAM_AMQP_URL_FILE
  value: {{ $secrets }}/amqp-broker/url
{{- end }}
- name: DEFAULT_MESSAGING_TYPE
  value: {{ $v.messaging.defaultType | quote }}
- name: MAX_PAYLOAD_SIZE
  value: {{ $v.adapters.maxPayloadSize | toString | quote }}
- name: VERIFIED_CREDENTIALS_TTL
  value: {{ $v.adapters.verifiedCredentialsTtl | toString | quote }}
- name: REGISTRY_TIMEOUT_MS
  value: {{ $v.adapters.registryTimeoutMs | toString | quote }}
- name: DOWNSTREAM_TIMEOUT_MS
  value: {{ $v.adapters.downstreamTimeoutMs | toString | quote }}
- name: HEALTH_PORT
  value: "8088"
{{- $a := index $v (include "tessera.componentKey" $c) }}
{{- $prefix := ternary "HTTP_ADAPTER" "MQTT_ADAPTER" (eq $c "http-adapter") }}
- name: {{ $prefix }}_PORT
  value: {{ ternary "8080" "1883" (eq $c "http-adapter") | quote }}
- name: {{ $prefix }}_INSECURE_ENABLED
  value: {{ $a.insecureEnabled | toString | quote }}
- name: {{ $prefix }}_TLS_PORT
  value: {{ ternary "8443" "8883" (eq $c "http-adapter") | quote }}
{{- if $a.tls.enabled }}
- name: {{ $prefix }}_TLS_KEY_FILE
  value: {{ $tls }}/tls.key
- name: {{ $prefix }}_TLS_CERT_FILE
  value: {{ $tls }}/tls.crt
{{- end }}
{{- if eq $c "mqtt-adapter" }}
- name: MQTT_ADAPTER_AUTHENTICATION_REQUIRED
  value: {{ $a.authenticationRequired | toString | quote }}
- name: MQTT_MAX_IN_FLIGHT
  value: {{ $a.maxInFlight | toString | quote }}
- name: MQTT_ADAPTER_MAX_CONNECTIONS
  value: {{ $a.maxConnections | toString | quote }}
- name: MQTT_ADAPTER_TENANT_CONNECT_RATE
  value: {{ $a.tenantConnectRate | toString | quote }}
- name: MQTT_ADAPTER_TENANT_CONNECT_BURST
  value: {{ $a.tenantConnectBurst | toString | quote }}
{{- else }}
- name: HTTP_ADAPTER_MAX_HEADER_SIZE
  value: {{ $a.maxHeaderSize | toString | quote }}
- name: HTTP_ADAPTER_HEADERS_TIMEOUT_MS
  value: {{ $a.headersTimeoutMs | toString | quote }}
- name: HTTP_ADAPTER_REQUEST_TIMEOUT_MS
  value: {{ $a.requestTimeoutMs | toString | quote }}
{{- end }}
{{- else if eq $c "provisioning-notification" }}
{{- /* provisioning-notification: its deliver endpoint, the Tenant API as the adapters' user */}}
{{- $pn := $v.provisioningNotification }}
- name: AMQP_PORT
  value: {{ ternary "5671" "5672" $v.registryAmqp.tls.enabled | quote }}
- name: AMQP_USERS_FILE
  value: {{ $secrets }}/provisioning-notification/users
{{- with $pn.amqp.permissions }}
- name: AMQP_PERMISSIONS
  value: {{ . | quote }}
{{- end }}
{{- if $v.registryAmqp.tls.enabled }}
- name: AMQP_TLS_KEY_FILE
  value: {{ $tls }}/tls.key
- name: AMQP_TLS_CERT_FILE
  value: {{ $tls }}/tls.crt
{{- end }}
- name: TENANT_AMQP_URL
  value: {{ include "tessera.amqpUrl" (dict "root" $root "component" "tenant") | quote }}
- name: REGISTRY_AMQP_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "tessera.secret.registryAmqp" $root }}
      key: {{ $v.registryAmqp.adapterUsernameKey }}
- name: REGISTRY_AMQP_PASSWORD_FILE
  value: {{ $secrets }}/registry-amqp/adapter-password
- name: REGISTRY_TIMEOUT_MS
  value: {{ $pn.registryTimeoutMs | toString | quote }}
- name: TENANT_CACHE_MAX_AGE
  value: {{ $pn.tenantCacheMaxAge | toString | quote }}
{{- if $v.amqpBroker.enabled }}
- name: DOWNSTREAM_AMQP_URL_FILE
  value: {{ $secrets }}/amqp-broker/url
{{- end }}
- name: DEFAULT_MESSAGING_TYPE
  value: {{ $v.messaging.defaultType | quote }}
- name: DOWNSTREAM_TIMEOUT_MS
  value: {{ $pn.downstreamTimeoutMs | toString | quote }}
- name: HEALTH_PORT
  value: "8088"
{{- else }}
{{- /* registry services */}}
{{- if $v.managementApi.tls.enabled }}
- name: HTTP_PORT
  value: "28443"
- name: HTTP_TLS_KEY_FILE
  value: {{ include "tessera.managementTlsDir" . }}/tls.key
- name: HTTP_TLS_CERT_FILE
  value: {{ include "tessera.managementTlsDir" . }}/tls.crt
- name: HEALTH_PORT
  value: "8088"
{{- else }}
- name: HTTP_PORT
  value: "28080"
{{- end }}
- name: PERSISTENCE_DRIVER
  value: {{ $v.persistence.driver | quote }}
{{- $key := include "tessera.componentKey" $c }}
{{- if eq $v.persistence.driver "postgres" }}
- name: POSTGRES_URL_FILE
  value: {{ $secrets }}/persistence/url
- name: POSTGRES_SCHEMA
  value: {{ index $v.persistence.postgres.schemas $key | quote }}
{{- else }}
- name: MONGODB_URI_FILE
  value: {{ $secrets }}/persistence/uri
- name: MONGODB_DATABASE
  value: {{ index $v.persistence.mongodb.databases $key | quote }}
{{- end }}
- name: MANAGEMENT_AUTH
  value: required
- name: MANAGEMENT_USERS_FILE
  value: {{ $secrets }}/management/users
{{- with $v.managementApi.jwt }}
{{- if .jwksUrl }}
- name: MANAGEMENT_JWT_JWKS_URL
  value: {{ .jwksUrl | quote }}
- name: MANAGEMENT_JWT_ISSUER
  value: {{ required "managementApi.jwt.issuer is required with a jwksUrl" .issuer | quote }}
- name: MANAGEMENT_JWT_AUDIENCE
  value: {{ required "managementApi.jwt.audience is required with a jwksUrl" .audience | quote }}
- name: MANAGEMENT_JWT_ROLES_CLAIM
  value: {{ .rolesClaim | quote }}
{{- end }}
{{- end }}
- name: AMQP_PORT
  value: {{ ternary "5671" "5672" $v.registryAmqp.tls.enabled | quote }}
- name: AMQP_USERS_FILE
  value: {{ $secrets }}/registry-amqp/users
{{- with $v.registryAmqp.permissions }}
- name: AMQP_PERMISSIONS
  value: {{ . | quote }}
{{- end }}
{{- if $v.registryAmqp.tls.enabled }}
- name: AMQP_TLS_KEY_FILE
  value: {{ $tls }}/tls.key
- name: AMQP_TLS_CERT_FILE
  value: {{ $tls }}/tls.crt
{{- end }}
{{- if ne $c "tenant" }}
- name: TENANT_SERVICE_URL
  value: {{ include "tessera.managementUrl" (dict "root" $root "component" "tenant") | quote }}
- name: REGISTRY_SERVICE_USER
  valueFrom:
    secretKeyRef:
      name: {{ include "tessera.secret.management" $root }}
      key: {{ $v.managementApi.serviceUsernameKey }}
- name: REGISTRY_SERVICE_PASSWORD_FILE
  value: {{ $secrets }}/management/service-password
{{- end }}
{{- if and (eq $c "device-registration") $v.provisioningNotification.enabled }}
- name: PROVISIONING_NOTIFICATION_AMQP_URL
  value: {{ include "tessera.amqpUrl" (dict "root" $root "component" "provisioning-notification") | quote }}
- name: PROVISIONING_NOTIFICATION_AMQP_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "tessera.secret.provisioningNotification" $root }}
      key: {{ $v.provisioningNotification.amqp.clientUsernameKey }}
- name: PROVISIONING_NOTIFICATION_AMQP_PASSWORD_FILE
  value: {{ $secrets }}/provisioning-notification/client-password
{{- end }}
{{- if eq $c "credentials" }}
- name: DEVICE_SERVICE_URL
  value: {{ include "tessera.managementUrl" (dict "root" $root "component" "device-registration") | quote }}
- name: BCRYPT_COST
  value: {{ $v.credentials.bcryptCost | toString | quote }}
- name: MAX_BCRYPT_COST
  value: {{ $v.credentials.maxBcryptCost | toString | quote }}
{{- end }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with (index $v (include "tessera.componentKey" $c)).extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Volumes as "name mountPath secretName key:path,key:path" lines, the single source for both
the pod's volumes and the container's mounts. */}}
{{- define "tessera.secretVolumes" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $c := .component }}
{{- $secrets := include "tessera.secretsDir" . }}
{{- if include "tessera.isAdapter" $c }}
{{ printf "registry-amqp %s/registry-amqp %s %s:adapter-password" $secrets (include "tessera.secret.registryAmqp" $root) $v.registryAmqp.adapterPasswordKey }}
{{- if $v.amqpBroker.enabled }}
{{ printf "amqp-broker %s/amqp-broker %s %s:url" $secrets (include "tessera.secret.amqpBroker" $root) $v.amqpBroker.urlKey }}
{{- end }}
{{- $a := index $v (include "tessera.componentKey" $c) }}
{{- if $a.tls.enabled }}
{{ printf "tls %s %s tls.crt:tls.crt,tls.key:tls.key" (include "tessera.tlsDir" .) $a.tls.secretName }}
{{- end }}
{{- else if eq $c "provisioning-notification" }}
{{ printf "provisioning-notification %s/provisioning-notification %s %s:users" $secrets (include "tessera.secret.provisioningNotification" $root) $v.provisioningNotification.amqp.usersKey }}
{{ printf "registry-amqp %s/registry-amqp %s %s:adapter-password" $secrets (include "tessera.secret.registryAmqp" $root) $v.registryAmqp.adapterPasswordKey }}
{{- if $v.amqpBroker.enabled }}
{{ printf "amqp-broker %s/amqp-broker %s %s:url" $secrets (include "tessera.secret.amqpBroker" $root) $v.amqpBroker.urlKey }}
{{- end }}
{{- if $v.registryAmqp.tls.enabled }}
{{ printf "tls %s %s tls.crt:tls.crt,tls.key:tls.key" (include "tessera.tlsDir" .) $v.registryAmqp.tls.secretName }}
{{- end }}
{{- else }}
{{- $mgmt := printf "%s:users" $v.managementApi.usersKey }}
{{- if ne $c "tenant" }}
{{- $mgmt = printf "%s,%s:service-password" $mgmt $v.managementApi.servicePasswordKey }}
{{- end }}
{{ printf "management %s/management %s %s" $secrets (include "tessera.secret.management" $root) $mgmt }}
{{ printf "registry-amqp %s/registry-amqp %s %s:users" $secrets (include "tessera.secret.registryAmqp" $root) $v.registryAmqp.usersKey }}
{{- if eq $v.persistence.driver "postgres" }}
{{ printf "persistence %s/persistence %s %s:url" $secrets (include "tessera.secret.persistence" $root) $v.persistence.postgres.urlKey }}
{{- else }}
{{ printf "persistence %s/persistence %s %s:uri" $secrets (include "tessera.secret.persistence" $root) $v.persistence.mongodb.uriKey }}
{{- end }}
{{- if and (eq $c "device-registration") $v.provisioningNotification.enabled }}
{{ printf "provisioning-notification %s/provisioning-notification %s %s:client-password" $secrets (include "tessera.secret.provisioningNotification" $root) $v.provisioningNotification.amqp.clientPasswordKey }}
{{- end }}
{{- if $v.registryAmqp.tls.enabled }}
{{ printf "tls %s %s tls.crt:tls.crt,tls.key:tls.key" (include "tessera.tlsDir" .) $v.registryAmqp.tls.secretName }}
{{- end }}
{{- if $v.managementApi.tls.enabled }}
{{ printf "management-tls %s %s tls.crt:tls.crt,tls.key:tls.key" (include "tessera.managementTlsDir" .) $v.managementApi.tls.secretName }}
{{- end }}
{{- end }}
{{- $kt := $v.kafka.tls }}
{{- if and $kt.enabled $kt.secretName (or $kt.caKey $kt.certKey) }}
{{- $items := list }}
{{- if $kt.caKey }}{{ $items = append $items (printf "%s:ca.crt" $kt.caKey) }}{{ end }}
{{- if $kt.certKey }}{{ $items = concat $items (list (printf "%s:tls.crt" $kt.certKey) (printf "%s:tls.key" $kt.keyKey)) }}{{ end }}
{{ printf "kafka-tls %s %s %s" (include "tessera.kafkaTlsDir" .) $kt.secretName (join "," $items) }}
{{- end }}
{{- if $v.kafka.sasl.mechanism }}
{{ printf "kafka %s/kafka %s %s:password" $secrets (include "tessera.secret.kafka" $root) $v.kafka.sasl.passwordKey }}
{{- end }}
{{- with include "tessera.trustedCa" . }}
{{- $ca := splitList " " . }}
{{ printf "trusted-ca %s %s %s:ca.crt" (dir (include "tessera.caFile" $)) (index $ca 0) (index $ca 1) }}
{{- end }}
{{- end }}

{{- define "tessera.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- range $line := splitList "\n" (include "tessera.secretVolumes" . | trim) }}
{{- $f := splitList " " $line }}
- name: {{ index $f 0 }}
  secret:
    secretName: {{ index $f 2 }}
    defaultMode: 288 # 0440: readable by the pod's group (fsGroup) only
    items:
{{- range $item := splitList "," (index $f 3) }}
      - key: {{ index (splitList ":" $item) 0 }}
        path: {{ index (splitList ":" $item) 1 }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tessera.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- range $line := splitList "\n" (include "tessera.secretVolumes" . | trim) }}
{{- $f := splitList " " $line }}
- name: {{ index $f 0 }}
  mountPath: {{ index $f 1 }}
  readOnly: true
{{- end }}
{{- end }}
