// The SLA monitor function app on the Flex Consumption plan: Python 3.11,
// system-assigned identity, HTTPS only, TLS >= 1.2, no FTP and no basic-auth
// publishing (SLA §10), identity-based host storage, every app setting that
// sla_app/settings.py reads (tests/infra checks the list), and App Service
// Authentication with Microsoft Entra ID in front of the admin and reader API.

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

@description('Queue that carries one delivery message per tenant and the supplier notices.')
param deliveryQueueName string

@description('Service-desk address of the supplier (at-risk notice, monthly overview).')
param supplierMailbox string

@description('Working day of the next month from which a provisional report is delivered.')
param deliveryDeadlineWorkday int

@description('Local time (HH:MM) of the delivery deadline.')
param deliveryDeadlineTime string

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

@description('Application (client) id of the Entra ID app registration of the SLA monitor API; App Service Authentication accepts only tokens issued for it.')
@minLength(36)
@maxLength(36)
param authClientId string

@description('Entra ID tenant (directory) id that issues the tokens; the issuer is its v2.0 endpoint.')
param authTenantId string

@description('Token audiences accepted besides the client id and api://<client id> (e.g. an Application ID URI on a verified domain).')
param authAllowedAudiences array

@description('RFC 9116 Contact URI served in security.txt (SLA_SECURITY_CONTACT), e.g. mailto:security@stratech.nl.')
param securityContact string

@description('Contact line printed in every monthly report (SLA_REPORT_CONTACT).')
param reportContact string

@description('Reply-To address of the report e-mails (SLA_REPLY_TO).')
param replyTo string

@description('Public https URL at which security.txt is served (SLA_SECURITY_TXT_URL, its RFC 9116 Canonical); override for a custom domain.')
param securityTxtUrl string = 'https://${name}.azurewebsites.net/api/.well-known/security.txt'

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
          name: 'SLA_DELIVERY_QUEUE_NAME'
          value: deliveryQueueName
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
        // Delivery: the supplier's notices and the deadline after which a provisional report goes out (measurement §8.5).
        {
          name: 'SLA_SUPPLIER_MAILBOX'
          value: supplierMailbox
        }
        {
          name: 'SLA_DELIVERY_DEADLINE_WORKDAY'
          value: string(deliveryDeadlineWorkday)
        }
        {
          name: 'SLA_DELIVERY_DEADLINE_TIME'
          value: deliveryDeadlineTime
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
        // security.txt (RFC 9116) names this contact instead of the placeholder.
        {
          name: 'SLA_SECURITY_CONTACT'
          value: securityContact
        }
        // Every report names whom to ask, and replies go to the service desk.
        {
          name: 'SLA_REPORT_CONTACT'
          value: reportContact
        }
        {
          name: 'SLA_REPLY_TO'
          value: replyTo
        }
        {
          name: 'SLA_SECURITY_TXT_URL'
          value: securityTxtUrl
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
        // Measurement §8.5: a local day is complete only when ingested this many minutes after it ended.
        {
          name: 'SLA_INGESTION_DELAY_MINUTES'
          value: '60'
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

// SLA §10 role-based access: App Service Authentication (Easy Auth v2) with Microsoft Entra ID.
// It validates the bearer token of every request before the Functions host sees it and passes
// the caller on in X-MS-CLIENT-PRINCIPAL, which sla_app/http/auth.py trusts for the app roles
// SLA.Admin / SLA.Reader and the sla_tenant claim. App Service sets that header itself; a
// client cannot supply it. Without this resource anybody holding a function key could forge it.
// Tokens are only validated (Authorization: Bearer), never obtained here: no client secret, no
// token store, no login redirect (unauthenticated calls get 401). App registration, app roles
// and the sla_tenant claim: docs/deploy.md.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  // checkov:skip=CKV_AZURE_13: checkov reads the V1 authsettings schema (properties.enabled); authsettingsV2 turns authentication on with properties.platform.enabled, which tests/infra/test_infra_auth.py asserts.
  // checkov:skip=CKV_AZURE_63: httpLoggingEnabled belongs to the web site configuration, not to authsettingsV2 (checkov applies it to every sites/config); the app logs to Log Analytics and Application Insights.
  // checkov:skip=CKV_AZURE_65: detailedErrorLoggingEnabled belongs to the web site configuration, not to authsettingsV2 (checkov applies it to every sites/config name).
  // checkov:skip=CKV_AZURE_66: requestTracingEnabled belongs to the web site configuration, not to authsettingsV2 (checkov applies it to every sites/config name).
  // checkov:skip=CKV_AZURE_80: netFrameworkVersion belongs to the web site configuration, not to authsettingsV2; the app runs Python 3.11, no .NET Framework.
  // checkov:skip=CKV_AZURE_88: Azure Files mounts belong to the azurestorageaccounts site configuration, not to authsettingsV2; the app mounts no file share.
  // checkov:skip=CKV_AZURE_222: publicNetworkAccess is a property of the site (skipped on functionApp with its reason), not of authsettingsV2.
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      // Routes that carry no Entra ID token. Each entry is an exact path (only an entry ending in
      // /* would match a prefix); the query string (?tenant=…&code=…) is not part of the path.
      // tests/infra/test_infra_auth.py derives this list from the registered functions.
      excludedPaths: [
        // Ticket webhooks: the function authenticates each request itself (HMAC-SHA256 signature
        // or bearer token from Key Vault) on top of the function key.
        '/api/tickets/events'
        '/api/tickets/topdesk'
        '/api/tickets/jira'
        // Public documents (anonymous functions).
        '/api/openapi.json'
        '/api/.well-known/security.txt'
      ]
    }
    httpSettings: {
      requireHttps: true
      routes: {
        apiPrefix: '/.auth'
      }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          // https://login.microsoftonline.com/<tenant>/v2.0 in the public cloud.
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: union([
            authClientId
            'api://${authClientId}'
          ], authAllowedAudiences)
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
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
