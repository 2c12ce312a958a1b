// The SLA monitor function app on the Flex Consumption plan: Python 3.11,
// system-assigned identity, HTTPS only, TLS >= 1.2, no FTP and no basic-auth
// publishing (SLA §10), identity-based host storage, and every app setting
// that sla_app/settings.py reads (tests/infra checks the list).

@description('Name of the function app.')
param name string

@description('Name of its Flex Consumption plan.')
param planName string

@description('Azure region; main.bicep restricts it to the EER (SLA §4).')
param location string

@description('Tags applied to the plan and the app.')
param tags object

@description('Name of the storage account of the host, the tables and the queues.')
param storageAccountName string

@description('Blob container that holds the deployment package.')
param deploymentContainerName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Name of the Log Analytics workspace that holds AppAvailabilityResults.')
param workspaceName string

@description('Name of the key vault that holds the webhook secrets.')
param keyVaultName string

@description('Names of the webhook secrets in the key vault: { events, jira, topdesk }.')
param webhookSecretNames object

@description('Mailbox (UPN) the monthly reports are sent from with Graph sendMail.')
param mailSender string

@description('Queue that carries one message per tenant-month.')
param monthlyQueueName string

@description('IANA timezone of the schedules.')
param timezone string

@description('Days the audit log is kept (SLA §10.1).')
param auditRetentionDays int

@description('Days raw availability rows are kept.')
param availabilityRetentionDays int

@description('Memory of one instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Upper bound on the number of instances (Flex Consumption minimum is 40).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Resource id of the Log Analytics workspace that receives the function app logs (SLA §10.1).')
param workspaceId string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  // checkov:skip=CKV_AZURE_225: Zone redundancy on Flex Consumption keeps at least two always-ready instances per function group running and billed; the SLA availability figure comes from Azure Monitor availability tests, which do not run on this plan.
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  // checkov:skip=CKV_AZURE_17: The ticket webhooks (events, Jira, TOPdesk) cannot present client certificates; the functions authenticate every request by HMAC-SHA256 signature or bearer token kept in Key Vault.
  // checkov:skip=CKV_AZURE_222: The webhook endpoints must be reachable by the SaaS ticket systems over the internet; inbound traffic is HTTPS-only with TLS 1.2 or higher and authenticated in code.
  // checkov:skip=CKV_AZURE_212: numberOfWorkers belongs to dedicated plans; Flex Consumption scales out per function on demand up to maximumInstanceCount.
  // checkov:skip=CKV_AZURE_213: Flex Consumption does not support the App Service platform health check (healthCheckPath); the platform replaces failed instances itself.
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  // SLA §10: one system-assigned identity, no stored credentials.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    // SLA §10: encryption in transit.
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // Every environment variable sla_app/settings.py needs (Settings.deployed_setting_names()).
      appSettings: [
        // Functions host: identity-based storage and Entra-authenticated telemetry (SLA §10).
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storage.name
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD'
        }
        // App data: tables, the monthly queue and the availability source.
        {
          name: 'SLA_TABLES_ENDPOINT'
          value: storage.properties.primaryEndpoints.table
        }
        {
          name: 'SLA_QUEUES_ENDPOINT'
          value: storage.properties.primaryEndpoints.queue
        }
        {
          name: 'SLA_MONTHLY_QUEUE_NAME'
          value: monthlyQueueName
        }
        {
          name: 'SLA_LOG_ANALYTICS_WORKSPACE_ID'
          value: workspace.properties.customerId
        }
        {
          name: 'SLA_TIMEZONE'
          value: timezone
        }
        // Mail goes out through Microsoft Graph as this mailbox.
        {
          name: 'SLA_MAIL_MODE'
          value: 'graph'
        }
        {
          name: 'SLA_MAIL_SENDER'
          value: mailSender
        }
        // Webhook secrets stay in Key Vault; the platform resolves them with the app identity (SLA §10).
        {
          name: 'SLA_WEBHOOK_SECRET_EVENTS'
          value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${webhookSecretNames.events}/)'
        }
        {
          name: 'SLA_WEBHOOK_SECRET_JIRA'
          value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${webhookSecretNames.jira}/)'
        }
        {
          name: 'SLA_WEBHOOK_TOKEN_TOPDESK'
          value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${webhookSecretNames.topdesk}/)'
        }
        // Retention (SLA §10.1).
        {
          name: 'SLA_AUDIT_RETENTION_DAYS'
          value: string(auditRetentionDays)
        }
        {
          name: 'SLA_AVAILABILITY_RETENTION_DAYS'
          value: string(availabilityRetentionDays)
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

// SLA §10: deployments authenticate with Entra ID only, never with basic-auth publishing credentials.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// SLA §10.1 audit logging and §13 monitoring.
resource appDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: functionApp
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output name string = functionApp.name
output id string = functionApp.id
output defaultHostName string = functionApp.properties.defaultHostName
output principalId string = functionApp.identity.principalId
