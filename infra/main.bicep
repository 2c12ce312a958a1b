// SLA monitor: the whole service in one resource group, deployed with
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json
// (see docs/deploy.md). SLA clauses: §4 hosting in the EER (West/North Europe),
// §10 security (encryption, role-based access, Key Vault, audit log), §13
// backups and monitoring.
targetScope = 'resourceGroup'

@description('Short environment name of lowercase letters, digits and dashes (e.g. prod, acc, test): part of every resource name and of the azd-env-name tag.')
@minLength(2)
@maxLength(12)
param environmentName string

@description('Azure region of every resource. Only regions inside the EER are allowed (SLA §4); West Europe and North Europe are the contract regions.')
@allowed([
  'westeurope'
  'northeurope'
  'swedencentral'
  'germanywestcentral'
  'francecentral'
])
param location string = 'westeurope'

@description('Extra tags merged into the standard tags of every resource (e.g. owner, cost centre).')
param tags object = {}

@description('Mailbox (UPN) that sends the monthly reports with Microsoft Graph; restrict the app to it with Exchange RBAC for Applications (docs/deploy.md).')
param mailSender string

@description('Endpoints whose availability the SLA measures: objects { name, url }. One standard availability test per entry, run from EU locations only (SLA §4, §13).')
param monitoredUrls array

@description('Queue that carries one message per tenant-month (SLA_MONTHLY_QUEUE_NAME).')
param monthlyQueueName string = 'monthly-reports'

@description('Queue that carries one delivery message per tenant and the supplier notices (SLA_DELIVERY_QUEUE_NAME).')
param deliveryQueueName string = 'report-delivery'

@description('Service-desk address of the supplier that gets the mid-month at-risk notice and the monthly overview (SLA_SUPPLIER_MAILBOX).')
param supplierMailbox string

@description('Working day of the next month from which a provisional report is delivered, measurement §8.5 (SLA_DELIVERY_DEADLINE_WORKDAY).')
@minValue(1)
@maxValue(20)
param deliveryDeadlineWorkday int = 3

@description('Local time (HH:MM) of the delivery deadline on that working day (SLA_DELIVERY_DEADLINE_TIME).')
param deliveryDeadlineTime string = '12:00'

@description('IANA timezone of the schedules (SLA_TIMEZONE).')
param timezone string = 'Europe/Amsterdam'

@description('Days the app keeps its audit log (SLA §10.1; SLA_AUDIT_RETENTION_DAYS).')
@minValue(1)
param auditRetentionDays int = 400

@description('Days the app keeps raw availability rows; the trailing 12 months need at least 400 (SLA_AVAILABILITY_RETENTION_DAYS).')
@minValue(400)
param availabilityRetentionDays int = 800

@description('Days Log Analytics keeps audit events and availability results (SLA §10.1: 400 days of audit log).')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 400

@description('Days deleted or overwritten blobs stay recoverable; point-in-time restore covers one day less (SLA §13).')
@minValue(2)
@maxValue(365)
param blobSoftDeleteDays int = 30

@description('Put a CanNotDelete lock on the storage account (SLA §13). Remove the lock before a teardown.')
param enableStorageDeleteLock bool = true

@description('Memory of one function instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on function instances (Flex Consumption minimum is 40).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Optional object id of the operator (user or group) who sets the webhook secrets; gets Key Vault Secrets Officer on the vault. Leave empty to assign it by hand.')
param secretsOfficerPrincipalId string = ''

@description('Application (client) id of the Entra ID app registration of the SLA monitor API, with the app roles SLA.Admin and SLA.Reader (docs/deploy.md). App Service Authentication accepts only tokens issued for it (SLA §10).')
@minLength(36)
@maxLength(36)
param authClientId string

@description('Entra ID tenant (directory) id that issues the tokens of the admin and reader API; App Service Authentication trusts the v2.0 issuer of this tenant. Defaults to the tenant of the deployment.')
param authTenantId string = tenant().tenantId

@description('Token audiences App Service Authentication accepts besides the client id and api://<client id>, e.g. an Application ID URI on a verified domain.')
param authAllowedAudiences array = []

@description('RFC 9116 Contact URI that security.txt names for vulnerability reports (SLA_SECURITY_CONTACT), e.g. mailto:security@stratech.nl or an https:// form.')
@minLength(8)
param securityContact string

@description('E-mail addresses of the supplier\'s operators who receive the alerts of the SLA monitor itself (docs/operations.md).')
param alertEmails array = []

@description('Webhook URLs (e.g. an on-call or chat tool) that receive the alerts in the common alert schema. Pass them at deployment time; never commit a URL that carries a token.')
param alertWebhookUrls array = []

@description('Locations of one availability test that must fail at once for the platform-down alert: keep equal to the contract\'s availability.min_failed_locations (default 2).')
@minValue(1)
@maxValue(4)
param minFailedLocations int = 2

@description('Local hour of the next day by which a local day\'s availability must be ingested completely (freshness alert).')
@minValue(0)
@maxValue(23)
param availabilityDeadlineHour int = 9

@description('Failed function invocations in 15 minutes above which the failure alert fires.')
@minValue(0)
param functionFailureThreshold int = 5

@description('Exceptions in 15 minutes above which the exception alert fires.')
@minValue(0)
param exceptionThreshold int = 10

@description('Webhook requests refused with 401 in 15 minutes above which the alert fires.')
@minValue(0)
param webhookUnauthorizedThreshold int = 20

@description('Contact line printed in every monthly report (SLA_REPORT_CONTACT): whom the municipality asks about it, e.g. Servicedesk Stratech, servicedesk@stratech.nl, 053 480 00 00.')
@minLength(3)
param reportContact string

@description('Reply-To address of the report e-mails (SLA_REPLY_TO), e.g. servicedesk@stratech.nl.')
@minLength(3)
param replyTo string

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var allTags = union(tags, {
  'azd-env-name': environmentName
  application: 'sla-monitor'
  'data-residency': 'eer'
})
var names = {
  workspace: 'log-sla-${environmentName}-${resourceToken}'
  appInsights: 'appi-sla-${environmentName}-${resourceToken}'
  storage: take('stsla${toLower(replace(environmentName, '-', ''))}${resourceToken}', 24)
  keyVault: take('kv-sla-${environmentName}-${resourceToken}', 24)
  plan: 'plan-sla-${environmentName}-${resourceToken}'
  functionApp: 'func-sla-${environmentName}-${resourceToken}'
  deploymentContainer: 'deployment-package'
}
// Secret names in Key Vault; docs/deploy.md lists them for `az keyvault secret set`.
var webhookSecretNames = {
  events: 'sla-webhook-secret-events'
  jira: 'sla-webhook-secret-jira'
  topdesk: 'sla-webhook-token-topdesk'
}

module logAnalytics 'core/monitor/loganalytics.bicep' = {
  name: 'log-analytics'
  params: {
    name: names.workspace
    location: location
    tags: allTags
    retentionInDays: logRetentionDays
  }
}

module appInsights 'core/monitor/applicationinsights.bicep' = {
  name: 'application-insights'
  params: {
    name: names.appInsights
    location: location
    tags: allTags
    workspaceId: logAnalytics.outputs.id
  }
}

module alerts 'core/monitor/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: allTags
    environmentName: environmentName
    workspaceId: logAnalytics.outputs.id
    appInsightsId: appInsights.outputs.id
    alertEmails: alertEmails
    alertWebhookUrls: alertWebhookUrls
    timezone: timezone
    availabilityDeadlineHour: availabilityDeadlineHour
    functionFailureThreshold: functionFailureThreshold
    exceptionThreshold: exceptionThreshold
    webhookUnauthorizedThreshold: webhookUnauthorizedThreshold
  }
}

module availabilityTests 'core/monitor/availability-tests.bicep' = {
  name: 'availability-tests'
  params: {
    location: location
    tags: allTags
    appInsightsName: appInsights.outputs.name
    monitoredUrls: monitoredUrls
    actionGroupId: alerts.outputs.actionGroupId
    minFailedLocations: minFailedLocations
  }
}

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: allTags
    deploymentContainerName: names.deploymentContainer
    monthlyQueueName: monthlyQueueName
    deliveryQueueName: deliveryQueueName
    blobSoftDeleteDays: blobSoftDeleteDays
    workspaceId: logAnalytics.outputs.id
    enableDeleteLock: enableStorageDeleteLock
  }
}

module keyVault 'core/security/keyvault.bicep' = {
  name: 'key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    workspaceId: logAnalytics.outputs.id
  }
}

module api 'app/api.bicep' = {
  name: 'function-app'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: allTags
    storageAccountName: storage.outputs.name
    deploymentContainerName: names.deploymentContainer
    appInsightsName: appInsights.outputs.name
    workspaceName: logAnalytics.outputs.name
    keyVaultName: keyVault.outputs.name
    webhookSecretNames: webhookSecretNames
    mailSender: mailSender
    monthlyQueueName: monthlyQueueName
    deliveryQueueName: deliveryQueueName
    supplierMailbox: supplierMailbox
    deliveryDeadlineWorkday: deliveryDeadlineWorkday
    deliveryDeadlineTime: deliveryDeadlineTime
    timezone: timezone
    auditRetentionDays: auditRetentionDays
    availabilityRetentionDays: availabilityRetentionDays
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    workspaceId: logAnalytics.outputs.id
    authClientId: authClientId
    authTenantId: authTenantId
    authAllowedAudiences: authAllowedAudiences
    securityContact: securityContact
    reportContact: reportContact
    replyTo: replyTo
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'role-assignments'
  params: {
    principalId: api.outputs.principalId
    storageAccountName: storage.outputs.name
    workspaceName: logAnalytics.outputs.name
    keyVaultName: keyVault.outputs.name
    appInsightsName: appInsights.outputs.name
    secretsOfficerPrincipalId: secretsOfficerPrincipalId
  }
}

// Outputs are named like environment variables so `azd env` / scripts can use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${api.outputs.defaultHostName}'
output AZURE_FUNCTION_APP_PRINCIPAL_ID string = api.outputs.principalId
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_APPLICATION_INSIGHTS_NAME string = appInsights.outputs.name
output AZURE_LOG_ANALYTICS_WORKSPACE_NAME string = logAnalytics.outputs.name
output SLA_TABLES_ENDPOINT string = storage.outputs.tableEndpoint
output SLA_QUEUES_ENDPOINT string = storage.outputs.queueEndpoint
output SLA_LOG_ANALYTICS_WORKSPACE_ID string = logAnalytics.outputs.customerId
output SLA_AVAILABILITY_TEST_NAMES array = availabilityTests.outputs.names
output SLA_ALERT_RULE_NAMES array = alerts.outputs.logAlertNames
